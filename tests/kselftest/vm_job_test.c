// SPDX-License-Identifier: GPL-2.0-only
/*
 * Jobs in VMs: results at the VAs userspace chose, permission faults with
 * their syndromes (only that VM affected), unbinds ordered behind running
 * jobs, GEM_CLOSE and file close not waiting for the card, and 1000 VMs
 * over four processes sharing 255 ASIDs.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <signal.h>
#include <poll.h>
#include <sys/wait.h>
#include <linux/sync_file.h>

#include "kselftest_harness.h"
#include "tessera_test.h"

#define CMD_VA		GB
#define DATA_VA		(4 * GB)
#define SEM_VA		(8 * GB)
#define WAIT_NS		(10ll * 1000000000)

FIXTURE(job) {
	int fd;
	uint32_t vm, queue, done;
	uint32_t cmd, data, sem;	/* buffers: 64 KiB, 4 MiB device, 4 KiB */
	uint32_t *cmd_p, *data_p, *sem_p;
};

FIXTURE_SETUP(job)
{
	self->fd = tessera_open();
	ASSERT_LE(0, self->fd);
	self->vm = tessera_vm_create(self->fd);
	ASSERT_NE(0, self->vm);
	self->queue = tessera_queue_create(self->fd, self->vm, DRM_TESSERA_ENGINE_CLASS_COMPUTE);
	ASSERT_NE(0, self->queue);
	ASSERT_EQ(0, tessera_bo_create_flags(self->fd, 64 << 10, 0, &self->cmd));
	ASSERT_EQ(0, tessera_bo_create_flags(self->fd, 4 << 20, DRM_TESSERA_BO_DEVICE_MEM, &self->data));
	ASSERT_EQ(0, tessera_bo_create_flags(self->fd, SZ_4K, 0, &self->sem));
	self->cmd_p = tessera_bo_map_size(self->fd, self->cmd, 64 << 10);
	self->data_p = tessera_bo_map_size(self->fd, self->data, 4 << 20);
	self->sem_p = tessera_bo_map_size(self->fd, self->sem, SZ_4K);
	ASSERT_NE(NULL, self->cmd_p);
	ASSERT_NE(NULL, self->data_p);
	ASSERT_NE(NULL, self->sem_p);
	ASSERT_EQ(0, tessera_map(self->fd, self->vm, self->cmd, 0, CMD_VA, 64 << 10, TESSERA_RX));
	ASSERT_EQ(0, tessera_map(self->fd, self->vm, self->sem, 0, SEM_VA, SZ_4K, TESSERA_RW));
	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &self->done));
}

FIXTURE_TEARDOWN(job)
{
	close(self->fd);
}

/* Run @n dwords at CMD_VA + @off on the fixture's queue; the job's status. */
static int run_in(int fd, uint32_t queue, uint32_t syncobj, uint32_t off, uint32_t n)
{
	int ret = tessera_submit(fd, queue, CMD_VA + off, n * 4, syncobj);

	return ret ? ret : tessera_fence_wait(fd, syncobj, WAIT_NS);
}

TEST_F(job, fill_and_copy_at_chosen_vas)
{
	uint32_t n;

	ASSERT_EQ(0, tessera_map(self->fd, self->vm, self->data, 0, DATA_VA, 4 << 20, TESSERA_RW));
	n = tessera_cmd_fill(self->cmd_p, DATA_VA, 2 << 20, 0x5a5a1234);
	n += tessera_cmd_copy(self->cmd_p + n, DATA_VA + 4096, DATA_VA + (2 << 20), 1 << 20);
	ASSERT_EQ(0, run_in(self->fd, self->queue, self->done, 0, n));
	EXPECT_EQ(0x5a5a1234, self->data_p[0]);
	EXPECT_EQ(0x5a5a1234, self->data_p[(2 << 20) / 4 - 1]);
	EXPECT_EQ(0x5a5a1234, self->data_p[(2 << 20) / 4]);
	EXPECT_EQ(0x5a5a1234, self->data_p[(3 << 20) / 4 - 1]);
	EXPECT_EQ(0, self->data_p[(3 << 20) / 4]);
	EXPECT_EQ(0, tessera_vm_status(self->fd, self->vm).flags);
}

/* A write through a READ binding faults: permission, WRITE, at its VA. */
/* VM_DESTROY drops the id; a queue on the VM keeps it, bindings and all. */
TEST_F(job, a_queue_keeps_working_after_vm_destroy)
{
	struct drm_tessera_vm_status st = { .vm_id = self->vm };
	uint32_t n, i;

	ASSERT_EQ(0, tessera_map(self->fd, self->vm, self->data, 0, DATA_VA, 4 << 20, TESSERA_RW));
	ASSERT_EQ(0, tessera_vm_destroy(self->fd, self->vm));
	EXPECT_EQ(-ENOENT, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_VM_STATUS, &st));
	EXPECT_EQ(-ENOENT, tessera_map(self->fd, self->vm, self->data, 0, DATA_VA, SZ_4K,
				       TESSERA_RW));
	EXPECT_EQ(0, tessera_queue_create(self->fd, self->vm, DRM_TESSERA_ENGINE_CLASS_COMPUTE));
	/* Some time for a teardown that should not happen. */
	usleep(200 * 1000);
	for (i = 0; i < 3; i++) {
		n = tessera_cmd_fill(self->cmd_p, DATA_VA + i * SZ_2M / 2, 4096, 0xd0d0 + i);
		ASSERT_EQ(0, run_in(self->fd, self->queue, self->done, 0, n)) TH_LOG("job %u", i);
		EXPECT_EQ(0xd0d0 + i, self->data_p[i * SZ_2M / 8]);
	}
	/* The last user goes: the VM is torn down, its buffers let go. */
	EXPECT_EQ(0, tessera_queue_destroy(self->fd, self->queue));
}

TEST_F(job, write_through_read_only_binding_faults)
{
	struct drm_tessera_vm_status st;
	uint32_t other, oq, n;

	ASSERT_EQ(0, tessera_map(self->fd, self->vm, self->data, 0, DATA_VA, 4 << 20,
			    DRM_TESSERA_BIND_READ));
	n = tessera_cmd_fill(self->cmd_p, DATA_VA + 8192, 4096, 1);
	EXPECT_EQ(-EFAULT, run_in(self->fd, self->queue, self->done, 0, n));
	st = tessera_vm_status(self->fd, self->vm);
	EXPECT_EQ(DRM_TESSERA_VM_GUILTY, st.flags);
	EXPECT_EQ(6, st.fault_code);	/* TESSERA_ERR_MMU_PERM */
	EXPECT_EQ(DRM_TESSERA_ACCESS_WRITE, st.fault_access);
	EXPECT_EQ(DATA_VA + 8192, st.fault_va);
	EXPECT_EQ(0, self->data_p[2048]);
	/* The guilty VM takes no more jobs ... */
	EXPECT_EQ(-ECANCELED, tessera_submit(self->fd, self->queue, CMD_VA, 4, self->done));
	/* ... but another VM of the same file computes. */
	other = tessera_vm_create(self->fd);
	ASSERT_NE(0, other);
	oq = tessera_queue_create(self->fd, other, DRM_TESSERA_ENGINE_CLASS_COMPUTE);
	ASSERT_NE(0, oq);
	ASSERT_EQ(0, tessera_map(self->fd, other, self->cmd, 0, CMD_VA, 64 << 10, TESSERA_RX));
	ASSERT_EQ(0, tessera_map(self->fd, other, self->data, 0, DATA_VA, 4 << 20, TESSERA_RW));
	n = tessera_cmd_fill(self->cmd_p + 64, DATA_VA + 8192, 4096, 7);
	EXPECT_EQ(0, run_in(self->fd, oq, self->done, 256, n));
	EXPECT_EQ(7, self->data_p[2048]);
	EXPECT_EQ(0, tessera_vm_status(self->fd, other).flags);
}

/* A command fetch from a binding without EXEC faults: permission, FETCH. */
TEST_F(job, fetch_from_non_exec_binding_faults)
{
	struct drm_tessera_vm_status st;
	uint32_t n;

	ASSERT_EQ(0, tessera_map(self->fd, self->vm, self->data, 0, DATA_VA, 4 << 20, TESSERA_RW));
	/* The second 4 KiB of the commands again, readable but not executable. */
	ASSERT_EQ(0, tessera_map(self->fd, self->vm, self->cmd, SZ_4K, 2 * GB, SZ_4K,
			    DRM_TESSERA_BIND_READ));
	n = tessera_cmd_fill(self->cmd_p + 1024, DATA_VA, 4096, 3);
	EXPECT_EQ(-EFAULT, tessera_submit(self->fd, self->queue, 2 * GB, n * 4, self->done) ?:
			   tessera_fence_wait(self->fd, self->done, WAIT_NS));
	st = tessera_vm_status(self->fd, self->vm);
	EXPECT_EQ(6, st.fault_code);
	EXPECT_EQ(DRM_TESSERA_ACCESS_FETCH, st.fault_access);
	EXPECT_EQ(2 * GB, st.fault_va);
	EXPECT_EQ(0, self->data_p[0]);
}

/*
 * An unbind issued while a job runs takes effect after the job: the job
 * (held on a semaphore) completes with the right results, the unbind's
 * syncobj signals only then, and a later job faults on the range.
 */
TEST_F(job, unbind_waits_for_the_running_job)
{
	struct drm_tessera_vm_bind_op op = tessera_unmap_op(DATA_VA, 4 << 20);
	uint32_t unbound, n;

	ASSERT_EQ(0, tessera_map(self->fd, self->vm, self->data, 0, DATA_VA, 4 << 20, TESSERA_RW));
	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &unbound));
	n = tessera_cmd_sem_wait(self->cmd_p, SEM_VA, 1);
	n += tessera_cmd_fill(self->cmd_p + n, DATA_VA, 4 << 20, 0xabcd0001);
	ASSERT_EQ(0, tessera_submit(self->fd, self->queue, CMD_VA, n * 4, self->done));
	ASSERT_EQ(0, tessera_bind(self->fd, self->vm, &op, 1, unbound));
	usleep(200000 * tessera_time_scale());
	EXPECT_FALSE(tessera_signalled(self->fd, self->done));
	EXPECT_FALSE(tessera_signalled(self->fd, unbound));
	__atomic_store_n(self->sem_p, 1, __ATOMIC_RELEASE);
	EXPECT_EQ(0, tessera_fence_wait(self->fd, self->done, WAIT_NS));
	EXPECT_EQ(0, drmSyncobjWait(self->fd, &unbound, 1, INT64_MAX,
				    DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL));
	EXPECT_EQ(0xabcd0001, self->data_p[0]);
	EXPECT_EQ(0xabcd0001, self->data_p[(4 << 20) / 4 - 1]);
	/* Gone for later jobs. */
	n = tessera_cmd_fill(self->cmd_p + 64, DATA_VA, 4096, 2);
	EXPECT_EQ(-EFAULT, run_in(self->fd, self->queue, self->done, 256, n));
	EXPECT_EQ(5, tessera_vm_status(self->fd, self->vm).fault_code);	/* MMU_FAULT */
	EXPECT_EQ(0xabcd0001, self->data_p[0]);
}

/*
 * GEM_CLOSE of a buffer a queued job uses returns while the job still
 * waits; the job then finishes with the right results.
 */
TEST_F(job, gem_close_with_a_job_in_flight_does_not_wait)
{
	uint32_t tmp, n;

	ASSERT_EQ(0, tessera_bo_create_flags(self->fd, SZ_2M, 0, &tmp));
	ASSERT_EQ(0, tessera_map(self->fd, self->vm, tmp, 0, 2 * GB, SZ_2M, TESSERA_RW));
	ASSERT_EQ(0, tessera_map(self->fd, self->vm, self->data, 0, DATA_VA, 4 << 20, TESSERA_RW));
	n = tessera_cmd_sem_wait(self->cmd_p, SEM_VA, 1);
	n += tessera_cmd_fill(self->cmd_p + n, 2 * GB, SZ_2M, 0x600d0002);
	n += tessera_cmd_copy(self->cmd_p + n, 2 * GB, DATA_VA, SZ_2M);
	ASSERT_EQ(0, tessera_submit(self->fd, self->queue, CMD_VA, n * 4, self->done));
	EXPECT_EQ(0, tessera_bo_close(self->fd, tmp));
	EXPECT_FALSE(tessera_signalled(self->fd, self->done));
	__atomic_store_n(self->sem_p, 1, __ATOMIC_RELEASE);
	EXPECT_EQ(0, tessera_fence_wait(self->fd, self->done, WAIT_NS));
	EXPECT_EQ(0x600d0002, self->data_p[0]);
	EXPECT_EQ(0x600d0002, self->data_p[SZ_2M / 4 - 1]);
}

/*
 * Closing a file whose job still waits returns at once; the job then
 * finishes (its sync_file, exported before, reports success) and its
 * results land in a buffer shared with the file that stays.
 */
TEST_F(job, file_close_with_a_job_in_flight_does_not_wait)
{
	int fd2 = tessera_open(), dmabuf, syncfile = -1;
	uint32_t vm2, q2, done2, data2, sem2, cmd2, n;
	struct sync_file_info info = { 0 };
	struct pollfd pfd;

	ASSERT_LE(0, fd2);
	vm2 = tessera_vm_create(fd2);
	ASSERT_NE(0, vm2);
	q2 = tessera_queue_create(fd2, vm2, DRM_TESSERA_ENGINE_CLASS_COMPUTE);
	ASSERT_NE(0, q2);
	ASSERT_EQ(0, drmSyncobjCreate(fd2, 0, &done2));
	/* The semaphore and a result buffer come from the file that stays. */
	ASSERT_EQ(0, tessera_bo_create_flags(self->fd, SZ_4K, 0, &n));
	ASSERT_EQ(0, drmPrimeHandleToFD(self->fd, self->sem, DRM_CLOEXEC, &dmabuf));
	ASSERT_EQ(0, drmPrimeFDToHandle(fd2, dmabuf, &sem2));
	close(dmabuf);
	ASSERT_EQ(0, drmPrimeHandleToFD(self->fd, n, DRM_CLOEXEC, &dmabuf));
	ASSERT_EQ(0, drmPrimeFDToHandle(fd2, dmabuf, &data2));
	close(dmabuf);
	ASSERT_EQ(0, tessera_bo_create_flags(fd2, SZ_4K, 0, &cmd2));
	{
		uint32_t *c = tessera_bo_map_size(fd2, cmd2, SZ_4K), k;
		uint32_t *res = tessera_bo_map_size(self->fd, n, SZ_4K);

		ASSERT_NE(NULL, c);
		ASSERT_NE(NULL, res);
		k = tessera_cmd_sem_wait(c, SEM_VA, 1);
		k += tessera_cmd_fill(c + k, DATA_VA, SZ_4K, 0xc105ed);
		ASSERT_EQ(0, tessera_map(fd2, vm2, cmd2, 0, CMD_VA, SZ_4K, TESSERA_RX));
		ASSERT_EQ(0, tessera_map(fd2, vm2, sem2, 0, SEM_VA, SZ_4K, TESSERA_RW));
		ASSERT_EQ(0, tessera_map(fd2, vm2, data2, 0, DATA_VA, SZ_4K, TESSERA_RW));
		ASSERT_EQ(0, tessera_submit(fd2, q2, CMD_VA, k * 4, done2));
		ASSERT_EQ(0, drmSyncobjExportSyncFile(fd2, done2, &syncfile));
		munmap(c, SZ_4K);
		close(fd2);
		pfd = (struct pollfd){ .fd = syncfile, .events = POLLIN };
		EXPECT_EQ(0, poll(&pfd, 1, 0));
		__atomic_store_n(self->sem_p, 1, __ATOMIC_RELEASE);
		pfd.revents = 0;
		EXPECT_EQ(1, poll(&pfd, 1, 10000 * tessera_time_scale()));
		ASSERT_EQ(0, ioctl(syncfile, SYNC_IOC_FILE_INFO, &info));
		EXPECT_EQ(1, info.status);
		EXPECT_EQ(0xc105ed, res[0]);
		EXPECT_EQ(0xc105ed, res[SZ_4K / 4 - 1]);
		close(syncfile);
	}
}

FIXTURE(many) {
};

FIXTURE_SETUP(many)
{
}

FIXTURE_TEARDOWN(many)
{
}

/* One process's share: @nvms VMs, one FILL each of a page of its own. */
static int many_vms(unsigned int id, unsigned int nvms)
{
	int fd = tessera_open(), bad = 0;
	uint32_t cmd, data, *cmd_p, *data_p, *syncs;
	unsigned int i;

	if (fd < 0 || tessera_bo_create_flags(fd, SZ_4K * nvms, 0, &cmd) ||
	    tessera_bo_create_flags(fd, SZ_4K * nvms, 0, &data))
		return 1;
	cmd_p = tessera_bo_map_size(fd, cmd, SZ_4K * nvms);
	data_p = tessera_bo_map_size(fd, data, SZ_4K * nvms);
	syncs = calloc(nvms, sizeof(*syncs));
	if (!cmd_p || !data_p || !syncs)
		return 1;
	for (i = 0; i < nvms; i++) {
		uint32_t vm = tessera_vm_create(fd), q;

		if (!vm || drmSyncobjCreate(fd, 0, &syncs[i]))
			return 1;
		q = tessera_queue_create(fd, vm, DRM_TESSERA_ENGINE_CLASS_COMPUTE);
		tessera_cmd_fill(cmd_p + i * 1024, DATA_VA, SZ_4K, id << 16 | i);
		if (!q || tessera_map(fd, vm, cmd, SZ_4K * i, CMD_VA, SZ_4K, TESSERA_RX) ||
		    tessera_map(fd, vm, data, SZ_4K * i, DATA_VA, SZ_4K, TESSERA_RW) ||
		    tessera_submit(fd, q, CMD_VA, TESSERA_CMD_FILL_LEN * 4, syncs[i]))
			return 1;
	}
	for (i = 0; i < nvms; i++) {
		if (tessera_fence_wait(fd, syncs[i], WAIT_NS) ||
		    data_p[i * 1024] != (id << 16 | i) || data_p[i * 1024 + 1023] != (id << 16 | i))
			bad++;
	}
	close(fd);
	return bad ? 2 : 0;
}

/* 1000 VMs in four processes, 255 ASIDs: every result checked. */
TEST_F_TIMEOUT(many, thousand_vms_over_four_processes_all_compute, 600)
{
	pid_t pids[4];
	int status;

	for (unsigned int p = 0; p < 4; p++) {
		pids[p] = fork();
		ASSERT_LE(0, pids[p]);
		if (!pids[p])
			_exit(many_vms(p + 1, 250));
	}
	for (unsigned int p = 0; p < 4; p++) {
		ASSERT_EQ(pids[p], waitpid(pids[p], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("process %u", p);
	}
}

TEST_HARNESS_MAIN
