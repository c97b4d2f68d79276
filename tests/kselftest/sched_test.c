// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scheduling: queues with engine classes and priorities, binary and
 * timeline syncobjs (incl. waits on points not yet submitted), BO
 * references with implicit sync, and bad input to all of it.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>
#include <linux/dma-buf.h>
#include "kselftest_harness.h"
#include "tessera_test.h"

FIXTURE(sched) {
	int fd;
	uint32_t bo;
	uint32_t *cmd;
	uint64_t bo_size, va;
	uint64_t num_dma;
};

FIXTURE_SETUP(sched)
{
	self->fd = tessera_open();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_NUM_DMA_ENGINES,
				       &self->num_dma));
	ASSERT_EQ(0, tessera_bo_create_va(self->fd, 4096, &self->bo, &self->va));
	self->cmd = tessera_bo_map(self->fd, self->bo, &self->bo_size);
	ASSERT_NE(NULL, self->cmd);
	tessera_fill_nops(self->cmd, self->bo_size / 4);
}

FIXTURE_TEARDOWN(sched)
{
	munmap(self->cmd, self->bo_size);
	close(self->fd);
}

/* A queue on @fd's default VM, on any engine of @class. */
static int queue_create(int fd, uint32_t class, uint32_t prio, uint32_t *id)
{
	struct drm_tessera_queue_create qc = {
		.vm_id = tessera_default_vm(fd), .engine_class = class,
		.engine = DRM_TESSERA_ENGINE_ANY, .priority = prio,
	};
	int ret = tessera_ioctl(fd, DRM_IOCTL_TESSERA_QUEUE_CREATE, &qc);

	if (!ret)
		*id = qc.queue_id;
	return ret;
}

static int queue_destroy(int fd, uint32_t id)
{
	struct drm_tessera_queue_destroy qd = { .queue_id = id };

	return tessera_ioctl(fd, DRM_IOCTL_TESSERA_QUEUE_DESTROY, &qd);
}

/* 64 bytes of commands at @va on @queue (0: engine 0's queue of the default VM). */
static int submit(int fd, uint64_t va, uint32_t queue, struct drm_tessera_sync *syncs,
		  uint32_t nsyncs, struct drm_tessera_bo_ref *bos, uint32_t nbos)
{
	struct drm_tessera_submit s = {
		.queue_id = queue ?: tessera_engine_queue(fd, 0), .cmd_va = va, .cmd_size = 64,
		.syncs = { sizeof(*syncs), nsyncs, (uintptr_t)syncs },
		.bos = { sizeof(*bos), nbos, (uintptr_t)bos },
	};
	return tessera_ioctl(fd, DRM_IOCTL_TESSERA_SUBMIT, &s);
}

static int wait_point(int fd, uint32_t syncobj, uint64_t point)
{
	return drmSyncobjTimelineWait(fd, &syncobj, &point, 1,
				      tessera_abs_timeout(TESSERA_WAIT_NS),
				      DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
}

TEST_F(sched, queues_of_every_class_and_priority_run_jobs)
{
	uint32_t prio, class, q, syncobj;
	struct drm_tessera_sync sig;

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &syncobj));
	sig = (struct drm_tessera_sync){ .handle = syncobj, .flags = DRM_TESSERA_SYNC_SIGNAL };
	for (class = 0; class <= DRM_TESSERA_ENGINE_CLASS_DMA; class++) {
		if (class == DRM_TESSERA_ENGINE_CLASS_DMA && !self->num_dma)
			continue;
		for (prio = 0; prio <= DRM_TESSERA_QUEUE_PRIORITY_HIGH; prio++) {
			ASSERT_EQ(0, queue_create(self->fd, class, prio, &q));
			ASSERT_NE(0, q);
			ASSERT_EQ(0, submit(self->fd, self->va, q, &sig, 1, NULL, 0));
			ASSERT_EQ(0, wait_point(self->fd, syncobj, 0));
			ASSERT_EQ(0, queue_destroy(self->fd, q));
		}
	}
}

TEST_F(sched, bad_queue_arguments)
{
	struct drm_tessera_queue_create qc = { 0 };
	struct drm_tessera_queue_destroy qd = { 0 };
	uint32_t q;

	EXPECT_EQ(-EINVAL, queue_create(self->fd, 2, 1, &q));
	EXPECT_EQ(-EINVAL, queue_create(self->fd, UINT32_MAX, 1, &q));
	EXPECT_EQ(-EINVAL, queue_create(self->fd, 0, 3, &q));
	qc.vm_id = tessera_default_vm(self->fd);
	qc.engine = DRM_TESSERA_ENGINE_ANY;
	qc.flags = 1;
	EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_QUEUE_CREATE, &qc));
	qc.flags = 0;
	/* An engine that is not of the class, or not there. */
	qc.engine = 999;
	EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_QUEUE_CREATE, &qc));
	if (self->num_dma) {
		uint64_t compute;

		ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_NUM_COMPUTE_ENGINES,
					       &compute));
		qc.engine = compute;	/* the first DMA engine */
		EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_QUEUE_CREATE, &qc));
	}
	/* A VM the file does not have. */
	qc.engine = DRM_TESSERA_ENGINE_ANY;
	qc.vm_id = 0x7fff;
	EXPECT_EQ(-ENOENT, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_QUEUE_CREATE, &qc));
	if (!self->num_dma)
		EXPECT_EQ(-EINVAL, queue_create(self->fd, DRM_TESSERA_ENGINE_CLASS_DMA, 1, &q));

	EXPECT_EQ(-ENOENT, queue_destroy(self->fd, 0));
	EXPECT_EQ(-ENOENT, queue_destroy(self->fd, 12345));
	ASSERT_EQ(0, queue_create(self->fd, 0, 1, &q));
	qd.queue_id = q;
	qd.pad = 1;
	EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_QUEUE_DESTROY, &qd));
	EXPECT_EQ(0, queue_destroy(self->fd, q));
	EXPECT_EQ(-ENOENT, queue_destroy(self->fd, q));
	EXPECT_EQ(-ENOENT, submit(self->fd, self->va, q, NULL, 0, NULL, 0));
}

TEST_F(sched, queue_of_another_file_is_unreachable)
{
	int other = tessera_open();
	uint32_t q;

	ASSERT_GE(other, 0);
	ASSERT_EQ(0, queue_create(other, 0, 1, &q));
	EXPECT_EQ(-ENOENT, queue_destroy(self->fd, q));
	close(other);	/* with the queue still alive */
}

TEST_F(sched, timeline_chain_across_queues_and_classes)
{
	uint32_t qa, qb, tl;
	uint64_t value = 0;
	struct drm_tessera_sync a[1], b[2];
	int i;

	ASSERT_EQ(0, queue_create(self->fd, 0, 1, &qa));
	ASSERT_EQ(0, queue_create(self->fd, self->num_dma ? 1 : 0, 1, &qb));
	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &tl));
	for (i = 0; i < 20; i++) {
		a[0] = (struct drm_tessera_sync){ tl, DRM_TESSERA_SYNC_SIGNAL, 2 * i + 1 };
		ASSERT_EQ(0, submit(self->fd, self->va, qa, a, 1, NULL, 0));
		b[0] = (struct drm_tessera_sync){ tl, DRM_TESSERA_SYNC_WAIT, 2 * i + 1 };
		b[1] = (struct drm_tessera_sync){ tl, DRM_TESSERA_SYNC_SIGNAL, 2 * i + 2 };
		ASSERT_EQ(0, submit(self->fd, self->va, qb, b, 2, NULL, 0));
	}
	ASSERT_EQ(0, wait_point(self->fd, tl, 40));
	ASSERT_EQ(0, drmSyncobjQuery(self->fd, &tl, &value, 1));
	EXPECT_EQ(40, value);
}

struct late_submit {
	int fd;
	uint64_t va;
	uint32_t queue, tl;
	int ret;
};

static void *submit_later(void *arg)
{
	struct late_submit *ls = arg;
	struct drm_tessera_sync sig = { ls->tl, DRM_TESSERA_SYNC_SIGNAL, 5 };

	tessera_scaled_usleep(300 * 1000);	/* the other submit waits by now */
	ls->ret = submit(ls->fd, ls->va, ls->queue, &sig, 1, NULL, 0);
	return NULL;
}

TEST_F(sched, wait_on_a_point_submitted_later)
{
	struct late_submit ls = { .fd = self->fd, .va = self->va };
	struct drm_tessera_sync w[2];
	uint32_t q2;
	pthread_t t;

	ASSERT_EQ(0, queue_create(self->fd, 0, 1, &ls.queue));
	ASSERT_EQ(0, queue_create(self->fd, 0, 1, &q2));
	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &ls.tl));
	w[0] = (struct drm_tessera_sync){ ls.tl, DRM_TESSERA_SYNC_WAIT, 5 };
	/* Without WAIT_FOR_SUBMIT a missing point is an error, */
	EXPECT_EQ(-EINVAL, submit(self->fd, self->va, q2, w, 1, NULL, 0));
	/* with it the submit waits for the point to appear. */
	w[0].flags |= DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT;
	w[1] = (struct drm_tessera_sync){ ls.tl, DRM_TESSERA_SYNC_SIGNAL, 6 };
	ASSERT_EQ(0, pthread_create(&t, NULL, submit_later, &ls));
	EXPECT_EQ(0, submit(self->fd, self->va, q2, w, 2, NULL, 0));
	pthread_join(t, NULL);
	ASSERT_EQ(0, ls.ret);
	ASSERT_EQ(0, wait_point(self->fd, ls.tl, 6));
}

TEST_F(sched, sync_file_import_orders_jobs)
{
	struct drm_tessera_sync s;
	uint32_t a, b;
	int sync_fd;

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &a));
	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &b));
	s = (struct drm_tessera_sync){ a, DRM_TESSERA_SYNC_SIGNAL, 0 };
	ASSERT_EQ(0, submit(self->fd, self->va, 0, &s, 1, NULL, 0));
	ASSERT_EQ(0, drmSyncobjExportSyncFile(self->fd, a, &sync_fd));
	ASSERT_EQ(0, drmSyncobjImportSyncFile(self->fd, b, sync_fd));
	close(sync_fd);
	s = (struct drm_tessera_sync){ b, DRM_TESSERA_SYNC_WAIT, 0 };
	ASSERT_EQ(0, submit(self->fd, self->va, 0, &s, 1, NULL, 0));
	ASSERT_EQ(0, wait_point(self->fd, a, 0));
}

TEST_F(sched, bo_refs_publish_the_job_fence_for_implicit_sync)
{
	struct drm_tessera_bo_ref ref;
	struct dma_buf_export_sync_file ex = { .flags = DMA_BUF_SYNC_READ };
	struct pollfd pfd;
	uint32_t data;
	int dmabuf;

	ASSERT_EQ(0, tessera_bo_create(self->fd, 65536, &data));
	ref = (struct drm_tessera_bo_ref){ data, DRM_TESSERA_BO_REF_WRITE };
	ASSERT_EQ(0, submit(self->fd, self->va, 0, NULL, 0, &ref, 1));
	ASSERT_EQ(0, drmPrimeHandleToFD(self->fd, data, DRM_CLOEXEC | DRM_RDWR, &dmabuf));
	/* A reader of the dma-buf waits for the job that writes it. */
	ASSERT_EQ(0, ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex));
	pfd = (struct pollfd){ .fd = ex.fd, .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, tessera_scaled_ms(30000)));
	close(ex.fd);
	/* The BO may be closed while a job using it is queued. */
	ASSERT_EQ(0, submit(self->fd, self->va, 0, NULL, 0, &ref, 1));
	ASSERT_EQ(0, tessera_bo_close(self->fd, data));
	pfd = (struct pollfd){ .fd = dmabuf, .events = POLLOUT };
	EXPECT_EQ(1, poll(&pfd, 1, tessera_scaled_ms(30000)));
	close(dmabuf);
}

TEST_F(sched, bad_syncs_and_bo_refs)
{
	struct drm_tessera_sync s[DRM_TESSERA_MAX_SYNCS + 1];
	struct drm_tessera_bo_ref ref = { self->bo, 0 };
	struct drm_tessera_submit sub = { .cmd_va = self->va, .cmd_size = 64 };
	uint32_t syncobj;
	unsigned int i;
	const uint32_t bad_flags[] = { 0, DRM_TESSERA_SYNC_WAIT | DRM_TESSERA_SYNC_SIGNAL,
		DRM_TESSERA_SYNC_SIGNAL | DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT,
		DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT, 0x8, 0x80000001u };

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &syncobj));
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		uint32_t flags = bad_flags[i];

		s[0] = (struct drm_tessera_sync){ syncobj, flags, 0 };
		EXPECT_EQ(-EINVAL, submit(self->fd, self->va, 0, s, 1, NULL, 0))
			TH_LOG("flags %#x", flags);
	}
	for (i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = (struct drm_tessera_sync){ syncobj, DRM_TESSERA_SYNC_SIGNAL, 0 };
	EXPECT_EQ(-EINVAL, submit(self->fd, self->va, 0, s, DRM_TESSERA_MAX_SYNCS + 1, NULL, 0));
	EXPECT_EQ(0, submit(self->fd, self->va, 0, s, DRM_TESSERA_MAX_SYNCS, NULL, 0));
	s[0].handle = 0x7fffff;
	EXPECT_EQ(-ENOENT, submit(self->fd, self->va, 0, s, 1, NULL, 0));
	s[0] = (struct drm_tessera_sync){ 0x7fffff, DRM_TESSERA_SYNC_WAIT, 0 };
	EXPECT_EQ(-ENOENT, submit(self->fd, self->va, 0, s, 1, NULL, 0));
	EXPECT_EQ(-EFAULT, submit(self->fd, self->va, 0, (void *)8, 1, NULL, 0));

	ref.flags = 2;
	EXPECT_EQ(-EINVAL, submit(self->fd, self->va, 0, NULL, 0, &ref, 1));
	ref = (struct drm_tessera_bo_ref){ 0x7fffff, 0 };
	EXPECT_EQ(-ENOENT, submit(self->fd, self->va, 0, NULL, 0, &ref, 1));
	EXPECT_EQ(-EFAULT, submit(self->fd, self->va, 0, NULL, 0, (void *)8, 1));
	EXPECT_EQ(-EINVAL, submit(self->fd, self->va, 0, NULL, 0, &ref,
				  DRM_TESSERA_MAX_BO_REFS + 1));

	sub.pad = 1;
	EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &sub));
	sub.pad = 0;
	sub.queue_id = 77;
	EXPECT_EQ(-ENOENT, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &sub));
	ASSERT_EQ(0, queue_create(self->fd, 0, 1, &sub.queue_id));
	sub.flags = 1;
	EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &sub));
	sub.flags = 0;
	EXPECT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &sub));
}

/* Several processes, each with several queues, chained through timelines. */
TEST(many_processes_many_queues)
{
	const int procs = 4, queues = 3, jobs = 60;
	int p, status;

	for (p = 0; p < procs; p++) {
		if (fork() == 0) {
			struct drm_tessera_sync s[2];
			uint32_t bo, q[3], tl, *cmd;
			uint64_t size, va, point = 0, value = 0;
			int fd = tessera_open(), i, ok = 1;

			ok &= fd >= 0 && !tessera_bo_create_va(fd, 4096, &bo, &va);
			cmd = ok ? tessera_bo_map(fd, bo, &size) : NULL;
			ok &= cmd != NULL;
			if (cmd)
				tessera_fill_nops(cmd, size / 4);
			ok &= !drmSyncobjCreate(fd, 0, &tl);
			for (i = 0; ok && i < queues; i++)
				ok &= !queue_create(fd, 0, i % 3, &q[i]);
			for (i = 0; ok && i < jobs; i++) {
				s[0] = (struct drm_tessera_sync){ tl, DRM_TESSERA_SYNC_WAIT, point };
				s[1] = (struct drm_tessera_sync){ tl, DRM_TESSERA_SYNC_SIGNAL,
								  point + 1 };
				ok &= !submit(fd, va, q[i % queues], point ? s : s + 1,
					      point ? 2 : 1, NULL, 0);
				point++;
			}
			ok &= ok && !wait_point(fd, tl, jobs);
			ok &= ok && !drmSyncobjQuery(fd, &tl, &value, 1) && value == (uint64_t)jobs;
			_exit(ok ? 0 : 1);
		}
	}
	for (p = 0; p < procs; p++) {
		ASSERT_GT(wait(&status), 0);
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

static int fence_wait(int fd, uint32_t handle, uint64_t point, int64_t deadline, int *status)
{
	struct drm_tessera_fence_wait w = {
		.handle = handle, .point = point, .timeout_ns = deadline,
	};
	int ret = tessera_ioctl(fd, DRM_IOCTL_TESSERA_FENCE_WAIT, &w);

	if (!ret)
		*status = w.status;
	return ret;
}

TEST(fence_wait_reports_each_jobs_status)
{
	struct drm_tessera_fence_wait w;
	uint64_t sem_va, size, point;
	uint32_t sem_bo, tl, *sem;
	struct client c;
	int status = 99;

	ASSERT_EQ(0, client_open(&c));
	ASSERT_EQ(0, tessera_bo_create_va(c.fd, 4096, &sem_bo, &sem_va));
	sem = tessera_bo_map(c.fd, sem_bo, &size);
	ASSERT_NE(NULL, sem);
	sem[0] = 0;

	/* A job held on the card by a semaphore only the CPU releases. */
	emit(&c, (uint32_t[]){ TESSERA_CMD_HEADER(TESSERA_CMD_OP_SEMAPHORE, TESSERA_SEM_WAIT,
						  TESSERA_CMD_SEM_LEN),
			       (uint32_t)sem_va, (uint32_t)(sem_va >> 32), 1, 0 },
	     TESSERA_CMD_SEM_LEN);
	ASSERT_EQ(0, client_submit(&c, 0, c.syncobj));
	EXPECT_EQ(-ETIME, fence_wait(c.fd, c.syncobj, 0, 0, &status));	/* poll */
	EXPECT_EQ(-ETIME, fence_wait(c.fd, c.syncobj, 0, tessera_abs_timeout(50 * 1000 * 1000),
				     &status));
	EXPECT_EQ(99, status);
	__atomic_store_n(&sem[0], 1, __ATOMIC_SEQ_CST);
	ASSERT_EQ(0, fence_wait(c.fd, c.syncobj, 0, tessera_abs_timeout(TESSERA_WAIT_NS), &status));
	EXPECT_EQ(0, status);
	/* a signaled fence answers a poll */
	status = 99;
	EXPECT_EQ(0, fence_wait(c.fd, c.syncobj, 0, 0, &status));
	EXPECT_EQ(0, status);

	/* Bad input. */
	w = (struct drm_tessera_fence_wait){ .handle = c.syncobj, .flags = 1 };
	EXPECT_EQ(-EINVAL, tessera_ioctl(c.fd, DRM_IOCTL_TESSERA_FENCE_WAIT, &w));
	w = (struct drm_tessera_fence_wait){ .handle = c.syncobj, .pad = 1 };
	EXPECT_EQ(-EINVAL, tessera_ioctl(c.fd, DRM_IOCTL_TESSERA_FENCE_WAIT, &w));
	w = (struct drm_tessera_fence_wait){ .handle = c.syncobj + 1000 };
	EXPECT_EQ(-ENOENT, tessera_ioctl(c.fd, DRM_IOCTL_TESSERA_FENCE_WAIT, &w));
	w = (struct drm_tessera_fence_wait){ .handle = 0 };
	EXPECT_EQ(-ENOENT, tessera_ioctl(c.fd, DRM_IOCTL_TESSERA_FENCE_WAIT, &w));
	/* nothing submitted yet: binary, and a timeline point */
	ASSERT_EQ(0, drmSyncobjCreate(c.fd, 0, &tl));
	EXPECT_EQ(-ESRCH, fence_wait(c.fd, tl, 0, 0, &status));
	EXPECT_EQ(-ESRCH, fence_wait(c.fd, tl, 3, 0, &status));
	point = 3;
	ASSERT_EQ(0, drmSyncobjTimelineSignal(c.fd, &tl, &point, 1));
	status = 99;
	EXPECT_EQ(0, fence_wait(c.fd, tl, 3, 0, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(-ESRCH, fence_wait(c.fd, tl, 4, 0, &status));

	/* A job that faults reports -EFAULT; the context is then guilty. */
	emit_fill(&c, 0x7000000000ull, 4096, 0);
	ASSERT_EQ(0, client_submit(&c, 0, c.syncobj));
	ASSERT_EQ(0, fence_wait(c.fd, c.syncobj, 0, tessera_abs_timeout(TESSERA_WAIT_NS), &status));
	EXPECT_EQ(-EFAULT, status);
	tessera_fill_nops(c.cmd, 8);
	c.ndw = 8;
	EXPECT_EQ(-ECANCELED, client_submit(&c, 0, c.syncobj));

	munmap(sem, size);
	client_close(&c);
}

TEST_HARNESS_MAIN
