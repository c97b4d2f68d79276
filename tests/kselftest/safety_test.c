// SPDX-License-Identifier: GPL-2.0-only
/*
 * What one hostile or careless user can do to the others through the
 * ioctls, each a finding of the outside review: the card writing freed
 * memory, submit races, hangs that punish bystanders, ASIDs and memory
 * taken from everyone, waits that never end, and errnos the uAPI does not
 * promise.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "tessera_test.h"


static long long module_param(const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/module/tessera/parameters/%s", name);
	if (tessera_read_text(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 0);
}

/* A buffer, bound into @fd's default VM when @va is wanted. */
static int bo_create_flags(int fd, uint64_t size, uint32_t flags, uint32_t *handle, uint64_t *va)
{
	if (va)
		return tessera_bo_create_flags_va(fd, size, flags, handle, va);
	return tessera_bo_create_flags(fd, size, flags, handle);
}

static void emit_sem_wait(struct client *c, uint64_t addr, uint32_t value)
{
	uint32_t dw[] = {
		TESSERA_CMD_HEADER(TESSERA_CMD_OP_SEMAPHORE, TESSERA_SEM_WAIT, TESSERA_CMD_SEM_LEN),
		(uint32_t)addr, (uint32_t)(addr >> 32), value, 0,
	};
	emit(c, dw, TESSERA_CMD_SEM_LEN);
}

/* int8 GEMM C = A * B + bias, row-major, no transposes. */
static void emit_gemm_i8_bias(struct client *c, uint32_t m, uint32_t n, uint32_t k,
			      uint64_t a, uint64_t b, uint64_t cc, uint64_t bias)
{
	union { float f; uint32_t u; } one = { .f = 1.0f };
	uint32_t dw[] = {
		TESSERA_CMD_HEADER(TESSERA_CMD_OP_GEMM, TESSERA_GEMM_BIAS, TESSERA_CMD_GEMM_LEN),
		TESSERA_DTYPE_INT8, m, n, k,
		(uint32_t)a, (uint32_t)(a >> 32), k,
		(uint32_t)b, (uint32_t)(b >> 32), n,
		(uint32_t)cc, (uint32_t)(cc >> 32), n,
		one.u, 0,
		(uint32_t)bias, (uint32_t)(bias >> 32),
	};
	emit(c, dw, TESSERA_CMD_GEMM_LEN);
}

/*
 * Finding 1: a job writing a buffer it did not list, whose handle is
 * closed and whose range is unbound while the job runs.  The memory must
 * not go to anyone else while the card may still write it: the unbind
 * waits for the job.  The GEMM runs for longer than a second: the guest
 * script runs this test again with a watchdog longer than that (with the
 * default guest watchdog of 1 s it is stopped first).
 */
TEST(unlisted_buffer_closed_mid_job_is_not_handed_out)
{
	const uint32_t m = 2048, n = 2048, k = 16384;
	uint32_t a, b, out, bias, fresh;
	uint64_t a_va, b_va, out_va, bias_va, sz, i;
	struct client c, other;
	uint32_t *p, *q;
	double t0;

	ASSERT_EQ(0, client_open(&c));
	ASSERT_EQ(0, client_open(&other));
	ASSERT_EQ(0, bo_create_flags(c.fd, (uint64_t)m * k, 0, &a, &a_va));
	ASSERT_EQ(0, bo_create_flags(c.fd, (uint64_t)k * n, 0, &b, &b_va));
	ASSERT_EQ(0, bo_create_flags(c.fd, n * 4, 0, &bias, &bias_va));
	p = tessera_bo_map(c.fd, bias, &sz);
	ASSERT_NE(NULL, p);
	for (i = 0; i < n; i++)
		p[i] = 0x5a5a5a5a;
	ASSERT_EQ(0, bo_create_flags(c.fd, (uint64_t)m * n * 4, DRM_TESSERA_BO_DEVICE_MEM,
				     &out, &out_va));

	/* Seconds of work; the output buffer is deliberately not listed. */
	emit_gemm_i8_bias(&c, m, n, k, a_va, b_va, out_va, bias_va);
	ASSERT_EQ(0, client_submit(&c, 0, c.syncobj));
	usleep(300 * 1000);
	t0 = tessera_now_s();
	ASSERT_EQ(0, tessera_bo_close(c.fd, out));
	TH_LOG("GEM_CLOSE took %.3f s", tessera_now_s() - t0);
	t0 = tessera_now_s();
	ASSERT_EQ(0, tessera_unmap(c.fd, tessera_default_vm(c.fd), out_va,
				   (uint64_t)m * n * 4));
	TH_LOG("the unbind took %.3f s: it waits for the job", tessera_now_s() - t0);
	/* The job is over (done or stopped) once the unbind returned. */
	EXPECT_TRUE(tessera_signalled(c.fd, c.syncobj));

	/* Another file asks for the same amount of device memory at once. */
	ASSERT_EQ(0, bo_create_flags(other.fd, (uint64_t)m * n * 4, DRM_TESSERA_BO_DEVICE_MEM,
				     &fresh, NULL));
	q = tessera_bo_map(other.fd, fresh, &sz);
	ASSERT_NE(NULL, q);
	/* Done or stopped by the watchdog: either way the card is off it. */
	tessera_wait_status(c.fd, c.syncobj);
	for (i = 0; i < sz / 4; i += 1021)
		if (q[i])
			break;
	EXPECT_LE(sz / 4, i) TH_LOG("word %llu of the fresh buffer is %#x",
				   (unsigned long long)i, q[i]);
	munmap(q, sz);
	munmap(p, n * 4);
	client_close(&c);
	client_close(&other);
}

/*
 * Finding 2: threads of one file submitting to the same engine.  Jobs of
 * one entity must reach the ring in the order of their seqnos.
 */
#define SUBMIT_THREADS	4
#define SUBMIT_JOBS	400

struct submitter {
	struct client *c;
	uint32_t cmd_bo;
	uint64_t cmd_va, data_va;
	uint32_t *cmd;
	int index;
	uint64_t seqno[SUBMIT_JOBS];
	int err;
};

static void *submit_thread(void *arg)
{
	struct submitter *s = arg;
	int j;

	for (j = 0; j < SUBMIT_JOBS && !s->err; j++) {
		uint64_t slot = s->data_va + ((uint64_t)s->index * SUBMIT_JOBS + j) * 8;
		uint32_t *dw = s->cmd + j * 4;
		struct drm_tessera_submit sub = {
			.queue_id = tessera_engine_queue(s->c->fd, 0),
			.cmd_va = s->cmd_va + j * 16, .cmd_size = 16,
		};

		dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_TIMESTAMP, 0, TESSERA_CMD_TIMESTAMP_LEN);
		dw[1] = 0;
		dw[2] = (uint32_t)slot;
		dw[3] = (uint32_t)(slot >> 32);
		s->err = tessera_ioctl(s->c->fd, DRM_IOCTL_TESSERA_SUBMIT, &sub);
		s->seqno[j] = sub.seqno;
	}
	return NULL;
}

struct stamp {
	uint64_t seqno, ts;
};

static int cmp_stamp(const void *a, const void *b)
{
	const struct stamp *x = a, *y = b;

	return x->seqno < y->seqno ? -1 : x->seqno > y->seqno;
}

TEST(concurrent_submits_to_one_engine_run_in_seqno_order)
{
	static struct submitter s[SUBMIT_THREADS];
	static struct stamp st[SUBMIT_THREADS * SUBMIT_JOBS];
	pthread_t th[SUBMIT_THREADS];
	uint64_t data_va, sz, *ts;
	uint32_t data;
	struct client c;
	int i, j, n = 0, inversions = 0;

	ASSERT_EQ(0, client_open(&c));
	ASSERT_EQ(0, bo_create_flags(c.fd, SUBMIT_THREADS * SUBMIT_JOBS * 8, 0, &data, &data_va));
	ts = tessera_bo_map(c.fd, data, &sz);
	ASSERT_NE(NULL, ts);
	for (i = 0; i < SUBMIT_THREADS; i++) {
		s[i].c = &c;
		s[i].index = i;
		s[i].data_va = data_va;
		/* Each thread its own command buffer: no shared reservation. */
		ASSERT_EQ(0, bo_create_flags(c.fd, SUBMIT_JOBS * 16, 0, &s[i].cmd_bo, &s[i].cmd_va));
		s[i].cmd = tessera_bo_map(c.fd, s[i].cmd_bo, &sz);
		ASSERT_NE(NULL, s[i].cmd);
	}
	for (i = 0; i < SUBMIT_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, submit_thread, &s[i]));
	for (i = 0; i < SUBMIT_THREADS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < SUBMIT_THREADS; i++)
		ASSERT_EQ(0, s[i].err);
	/* Behind every other job of the entity. */
	tessera_fill_nops(c.cmd, 8);
	c.ndw = 8;
	ASSERT_EQ(1, run(&c, 0));

	for (i = 0; i < SUBMIT_THREADS; i++)
		for (j = 0; j < SUBMIT_JOBS; j++) {
			st[n].seqno = s[i].seqno[j];
			st[n++].ts = ts[i * SUBMIT_JOBS + j];
		}
	qsort(st, n, sizeof(st[0]), cmp_stamp);
	for (i = 1; i < n; i++) {
		EXPECT_NE(st[i - 1].seqno, st[i].seqno);
		EXPECT_NE(0, st[i].ts);
		if (st[i].ts < st[i - 1].ts)
			inversions++;
	}
	EXPECT_EQ(0, inversions) TH_LOG("%d jobs ran before a job with a lower seqno", inversions);
	client_close(&c);
}

/*
 * Finding 9: four engines hung at once by one file.  Every hang is caught
 * by the watchdog, the hanging context is banned, no device reset, and a
 * bystander's jobs queued behind the hangs succeed.
 */
TEST(hangs_ban_their_context_and_spare_bystanders)
{
	long long device_resets = tessera_sysfs_counter("driver_device_resets");
	long long timeout_ms = module_param("job_timeout_ms");
	uint64_t compute, data_va, sz;
	uint32_t sb[8], hang[8], data, e, *p;
	struct client a, b;
	double t0, took;

	ASSERT_EQ(0, client_open(&a));
	ASSERT_EQ(0, client_open(&b));
	ASSERT_EQ(0, tessera_get_param(a.fd, DRM_TESSERA_PARAM_NUM_COMPUTE_ENGINES, &compute));
	if (compute > 8)
		compute = 8;
	ASSERT_EQ(0, bo_create_flags(b.fd, 8 * 4096, 0, &data, &data_va));
	p = tessera_bo_map(b.fd, data, &sz);
	ASSERT_NE(NULL, p);

	t0 = tessera_now_s();
	for (e = 0; e < compute; e++) {
		ASSERT_EQ(0, drmSyncobjCreate(a.fd, 0, &hang[e]));
		a.ndw = 0;
		/* A's command buffer starts zeroed: this waits forever. */
		emit_sem_wait(&a, a.cmd_va + 60000, 1);
		memcpy(a.cmd + 64 * (e + 1), a.cmd, TESSERA_CMD_SEM_LEN * 4);
		ASSERT_EQ(0, client_submit_at(&a, 64 * (e + 1), TESSERA_CMD_SEM_LEN, e, hang[e]));
	}
	for (e = 0; e < compute; e++) {
		ASSERT_EQ(0, drmSyncobjCreate(b.fd, 0, &sb[e]));
		b.ndw = 0;
		emit_fill(&b, data_va + e * 4096, 4096, 0xb0 + e);
		memcpy(b.cmd + 64 * (e + 1), b.cmd, TESSERA_CMD_FILL_LEN * 4);
		ASSERT_EQ(0, client_submit_at(&b, 64 * (e + 1), TESSERA_CMD_FILL_LEN, e, sb[e]));
	}
	for (e = 0; e < compute; e++)
		EXPECT_EQ(-ETIMEDOUT, tessera_wait_status(a.fd, hang[e])) TH_LOG("hang %u", e);
	took = tessera_now_s() - t0;
	for (e = 0; e < compute; e++) {
		EXPECT_EQ(1, tessera_wait_status(b.fd, sb[e])) TH_LOG("bystander job %u", e);
		EXPECT_EQ(0xb0 + e, p[e * 1024]);
	}
	/* The watchdog caught every engine, not the job timeout. */
	if (timeout_ms > 0)
		EXPECT_LT(took * 1000, timeout_ms) TH_LOG("hangs took %.1f s", took);
	EXPECT_EQ(device_resets, tessera_sysfs_counter("driver_device_resets"));
	if (compute >= 3) {
		EXPECT_EQ(DRM_TESSERA_VM_GUILTY | DRM_TESSERA_VM_BANNED,
			  ctx_status(a.fd).flags);
		tessera_fill_nops(a.cmd, 8);
		a.ndw = 8;
		EXPECT_EQ(-ECANCELED, client_submit(&a, 0, a.syncobj));
	}
	EXPECT_EQ(0, ctx_status(b.fd).flags);
	munmap(p, sz);
	client_close(&a);
	client_close(&b);
}

/* ASIDs held by the VMs of process @pid's files, per debugfs "contexts"; -1 without it. */
static int asids_held_by(pid_t pid)
{
	static char buf[1 << 20];
	char path[160], slot[64], want[64];
	const char *at;
	int n = 0;

	tessera_pci_slot(slot, sizeof(slot));
	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/contexts", slot);
	if (tessera_read_text(path, buf, sizeof(buf)))
		return -1;
	snprintf(want, sizeof(want), " pid %d\n", pid);
	for (at = strstr(buf, want); at; at = strstr(at + 1, want)) {
		const char *end = strstr(at + 1, "\nclient "), *vm;

		for (vm = strstr(at, "\n  vm "); vm && (!end || vm < end);
		     vm = strstr(vm + 1, "\n  vm ")) {
			unsigned int asid;

			if (sscanf(vm, "\n  vm %*u asid %u", &asid) == 1 && asid)
				n++;
		}
	}
	return n;
}

static void on_alarm_interrupt(int sig)
{
	(void)sig;
}

/*
 * Finding 10: one user cannot lock the others out of the card.  An
 * unprivileged user keeps far more VMs than the card has ASIDs busy (jobs
 * waiting behind a hung one); it never holds more than asids_per_user
 * ASIDs at once, and another user's job still runs at once.
 */
TEST(one_user_cannot_take_every_asid)
{
	long long limit = module_param("asids_per_user");
	enum { VMS = 300 };
	int pipefd[2], status, held, max_held = 0, submitted = -1;
	char path[64];
	struct client c;
	double t0;
	pid_t pid;

	ASSERT_LT(0, limit);
	ASSERT_GT(255, limit);
	if (asids_held_by(getpid()) < 0)
		SKIP(return, "debugfs not mounted");
	snprintf(path, sizeof(path), "/dev/accel/accel%s", tessera_card());
	ASSERT_EQ(0, chmod(path, 0666));
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct sigaction sa = { .sa_handler = on_alarm_interrupt };
		struct drm_tessera_sync wait = { .flags = DRM_TESSERA_SYNC_WAIT };
		struct client h;
		uint32_t vm, q;
		int n, ok = 0;

		close(pipefd[0]);
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		if (client_open(&h) || drmSyncobjCreate(h.fd, 0, &wait.handle))
			_exit(3);
		sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: a blocked submit ends */
		/* A job that hangs until the watchdog; every other one waits for it. */
		h.cmd[0] = 0;
		tessera_cmd_sem_wait(h.cmd + 16, h.cmd_va, 1);
		tessera_fill_nops(h.cmd + 32, 8);
		if (client_submit_at(&h, 16, TESSERA_CMD_SEM_LEN, 0, wait.handle))
			_exit(4);
		for (n = 0; n < VMS; n++) {
			struct itimerval it = { { 0, 0 }, { 0, 100000 } };
			struct drm_tessera_submit sub = {
				.cmd_va = h.cmd_va + 128, .cmd_size = 32,
				.syncs = { sizeof(wait), 1, (uintptr_t)&wait },
			};

			vm = tessera_vm_create(h.fd);
			if (!vm || tessera_map(h.fd, vm, h.cmd_bo, 0, h.cmd_va, 65536, TESSERA_RWX))
				break;
			q = tessera_queue_create(h.fd, vm, DRM_TESSERA_ENGINE_CLASS_COMPUTE);
			if (!q)
				break;
			sub.queue_id = q;
			setitimer(ITIMER_REAL, &it, NULL);
			ok += !ioctl(h.fd, DRM_IOCTL_TESSERA_SUBMIT, &sub);
		}
		if (write(pipefd[1], &ok, sizeof(ok)) != sizeof(ok))
			_exit(5);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	/* Sample while the other user keeps trying. */
	t0 = tessera_now_s();
	while (tessera_now_s() - t0 < 3.0 * tessera_time_scale()) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };

		held = asids_held_by(pid);
		if (held > max_held)
			max_held = held;
		if (poll(&pfd, 1, 10) == 1)
			break;
	}
	/* Someone else still computes, while the other user is at its limit. */
	ASSERT_EQ(0, client_open(&c));
	emit_fill(&c, c.cmd_va + 32768, 64, 1);
	t0 = tessera_now_s();
	EXPECT_EQ(1, run(&c, 0));
	TH_LOG("another user's job took %.3f s", tessera_now_s() - t0);
	client_close(&c);
	if (read(pipefd[0], &submitted, sizeof(submitted)) != sizeof(submitted))
		submitted = -1;
	TH_LOG("the other user held at most %d ASIDs (limit %lld) and got %d jobs in",
	       max_held, limit, submitted);
	EXPECT_LE(max_held, limit);
	/* It did try: the limit is what stopped it. */
	EXPECT_LE(limit / 2, max_held);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	chmod(path, 0600);
	close(pipefd[0]);
}

/* Finding 11: pinned host memory is limited, not taken until OOM. */
TEST(pinned_host_memory_is_limited)
{
	long long percent = module_param("host_mem_percent");
	uint32_t handles[512];
	uint64_t total = 0, ram_kb = 0;
	char buf[4096];
	int fd, n = 0, ret = 0;

	ASSERT_EQ(0, tessera_read_text("/proc/meminfo", buf, sizeof(buf)));
	ASSERT_EQ(1, sscanf(buf, "MemTotal: %llu kB", (unsigned long long *)&ram_kb));
	ASSERT_LT(0, percent);
	fd = tessera_open();
	ASSERT_LE(0, fd);
	while (n < 512) {
		ret = tessera_bo_create(fd, 16 << 20, &handles[n]);
		if (ret)
			break;
		total += 16 << 20;
		n++;
	}
	EXPECT_EQ(-ENOMEM, ret);
	EXPECT_LE(total, ram_kb * 1024 / 100 * percent);
	TH_LOG("pinned %llu MiB of %llu MiB", (unsigned long long)total >> 20,
	       (unsigned long long)ram_kb >> 10);
	/* Freed memory can be pinned again. */
	while (n--)
		ASSERT_EQ(0, tessera_bo_close(fd, handles[n]));
	EXPECT_EQ(0, tessera_bo_create(fd, 16 << 20, &handles[0]));
	close(fd);
}

/* Finding 11: host buffers are charged to the creator's memory cgroup. */
TEST(host_buffers_are_charged_to_the_memory_cgroup)
{
	const char *cg = "/sys/fs/cgroup/tessera-safety";
	char path[128], buf[32];
	int status, fd;
	pid_t pid;

	mkdir("/sys/fs/cgroup", 0755);
	if (access("/sys/fs/cgroup/cgroup.controllers", R_OK))
		mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL);
	if (access("/sys/fs/cgroup/cgroup.controllers", R_OK))
		SKIP(return, "no cgroup2");
	fd = open("/sys/fs/cgroup/cgroup.subtree_control", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "+memory", 7) < 0)
			TH_LOG("memory controller: %s", strerror(errno));
		close(fd);
	}
	mkdir(cg, 0755);
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		SKIP(return, "no memory controller");
	ASSERT_EQ(8, write(fd, "33554432", 8));	/* 32 MiB */
	close(fd);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		uint32_t h;
		int n = 0, ret = 0, dev;

		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		fd = open(path, O_WRONLY);
		snprintf(buf, sizeof(buf), "%d", getpid());
		if (fd < 0 || write(fd, buf, strlen(buf)) < 0)
			_exit(10);
		close(fd);
		dev = tessera_open();
		if (dev < 0)
			_exit(11);
		while (n < 64 && !(ret = tessera_bo_create(dev, 4 << 20, &h)))
			n++;
		/* 32 MiB of cgroup: fewer than 8 buffers of 4 MiB, then ENOMEM. */
		_exit(ret == -ENOMEM && n < 8 ? 0 : 20 + n);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status)) TH_LOG("killed by signal %d", WTERMSIG(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	rmdir(cg);
}

static void on_alarm(int sig)
{
	(void)sig;
}

FIXTURE(wait_for_submit) {
	struct client c;
};

FIXTURE_SETUP(wait_for_submit)
{
	ASSERT_EQ(0, client_open(&self->c));
}

FIXTURE_TEARDOWN(wait_for_submit)
{
	client_close(&self->c);
}

/* Finding 12: a signal every 200 ms must not stretch the 10 s wait forever. */
TEST_F_TIMEOUT(wait_for_submit, ends_after_10_s_despite_restarting_signals, 60)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, 200000 }, { 0, 200000 } };
	struct drm_tessera_sync sync = {
		.flags = DRM_TESSERA_SYNC_WAIT | DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT, .point = 1,
	};
	struct drm_tessera_submit s = {
		.queue_id = tessera_engine_queue(self->c.fd, 0), .cmd_va = self->c.cmd_va,
		.cmd_size = 32, .syncs = { sizeof(sync), 1, (uintptr_t)&sync },
	};
	struct itimerval off = { 0 };
	double t0, took;
	int ret;

	tessera_fill_nops(self->c.cmd, 8);
	ASSERT_EQ(0, drmSyncobjCreate(self->c.fd, 0, &sync.handle));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	t0 = tessera_now_s();
	ret = ioctl(self->c.fd, DRM_IOCTL_TESSERA_SUBMIT, &s) ? -errno : 0;
	took = tessera_now_s() - t0;
	setitimer(ITIMER_REAL, &off, NULL);
	EXPECT_EQ(-ETIME, ret);
	/* The kernel's 10 s are not scaled; the slack for a slow guest is. */
	EXPECT_LE(9.9, took);
	EXPECT_GT(10.0 + 5.0 * tessera_time_scale(), took) TH_LOG("the submit waited %.1f s", took);
}

/* Finding 13: device memory too big for the card is -ENOMEM, as promised. */
TEST(device_buffer_larger_than_device_memory_is_enomem)
{
	uint64_t mem;
	uint32_t h;
	int fd = tessera_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, tessera_get_param(fd, DRM_TESSERA_PARAM_DEVICE_MEM_SIZE, &mem));
	if (!mem)
		SKIP(return, "no device memory");
	EXPECT_EQ(-ENOMEM, bo_create_flags(fd, mem + 4096, DRM_TESSERA_BO_DEVICE_MEM, &h, NULL));
	EXPECT_EQ(-ENOMEM, bo_create_flags(fd, 2 * mem, DRM_TESSERA_BO_DEVICE_MEM, &h, NULL));
	close(fd);
}

/*
 * Finding 14: closing a buffer a queued job uses neither waits for the job
 * nor takes the buffer from under it; destroying a queue does not wait.
 */
TEST(gem_close_does_not_wait_for_or_break_a_queued_job)
{
	uint32_t data, *p;
	uint64_t data_va, sz;
	struct drm_tessera_sync syncs[2] = {
		{ .flags = DRM_TESSERA_SYNC_WAIT }, { .flags = DRM_TESSERA_SYNC_SIGNAL },
	};
	struct drm_tessera_bo_ref ref = { .flags = DRM_TESSERA_BO_REF_WRITE };
	struct client c;
	double t0, took;

	ASSERT_EQ(0, client_open(&c));
	ASSERT_EQ(0, bo_create_flags(c.fd, 4096, 0, &data, &data_va));
	p = tessera_bo_map(c.fd, data, &sz);
	ASSERT_NE(NULL, p);
	{
		struct drm_tessera_submit s = {
			.queue_id = tessera_engine_queue(c.fd, 0), .cmd_va = c.cmd_va + 128 * 4,
			.cmd_size = TESSERA_CMD_FILL_LEN * 4,
			.syncs = { sizeof(syncs[0]), 2, (uintptr_t)syncs },
			.bos = { sizeof(ref), 1, (uintptr_t)&ref },
		};

		syncs[1].handle = c.syncobj;
		/* The dependency: a job held on engine 1 by a semaphore. */
		ASSERT_EQ(0, drmSyncobjCreate(c.fd, 0, &syncs[0].handle));
		emit_sem_wait(&c, c.cmd_va + 60000, 1);
		ASSERT_EQ(0, client_submit(&c, 1, syncs[0].handle));
		/* The job that lists the buffer waits for it in the scheduler. */
		emit_fill(&c, data_va, 4096, 0xc105e);
		memcpy(c.cmd + 128, c.cmd, TESSERA_CMD_FILL_LEN * 4);
		c.ndw = 0;
		ref.handle = data;
		ASSERT_EQ(0, tessera_ioctl(c.fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	}
	t0 = tessera_now_s();
	ASSERT_EQ(0, tessera_bo_close(c.fd, data));
	took = tessera_now_s() - t0;
	EXPECT_GT(0.5 * tessera_time_scale(), took) TH_LOG("GEM_CLOSE took %.2f s", took);
	/* Release the held engine: the job behind it runs with its buffer. */
	c.cmd[60000 / 4] = 1;
	EXPECT_EQ(1, tessera_wait_status(c.fd, c.syncobj));
	EXPECT_EQ(0xc105e, p[0]);
	EXPECT_EQ(0, ctx_status(c.fd).flags);
	munmap(p, sz);
	client_close(&c);
}

TEST(queue_destroy_does_not_wait_for_queued_jobs)
{
	struct drm_tessera_queue_create qc = {
		.engine_class = DRM_TESSERA_ENGINE_CLASS_COMPUTE, .engine = DRM_TESSERA_ENGINE_ANY,
	};
	struct drm_tessera_sync syncs[2] = {
		{ .flags = DRM_TESSERA_SYNC_WAIT }, { .flags = DRM_TESSERA_SYNC_SIGNAL },
	};
	struct drm_tessera_queue_destroy qd = { 0 };
	struct client c;
	double t0, took;

	ASSERT_EQ(0, client_open(&c));
	qc.vm_id = tessera_default_vm(c.fd);
	ASSERT_EQ(0, tessera_ioctl(c.fd, DRM_IOCTL_TESSERA_QUEUE_CREATE, &qc));
	ASSERT_EQ(0, drmSyncobjCreate(c.fd, 0, &syncs[0].handle));
	syncs[1].handle = c.syncobj;
	/* The dependency: a job held on engine 0 by a semaphore. */
	emit_sem_wait(&c, c.cmd_va + 60000, 1);
	ASSERT_EQ(0, client_submit(&c, 0, syncs[0].handle));
	{
		struct drm_tessera_submit s = {
			.queue_id = qc.queue_id, .cmd_va = c.cmd_va + 256, .cmd_size = 32,
			.syncs = { sizeof(syncs[0]), 2, (uintptr_t)syncs },
		};

		tessera_fill_nops(c.cmd + 64, 8);
		ASSERT_EQ(0, tessera_ioctl(c.fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	}
	qd.queue_id = qc.queue_id;
	t0 = tessera_now_s();
	EXPECT_EQ(0, tessera_ioctl(c.fd, DRM_IOCTL_TESSERA_QUEUE_DESTROY, &qd));
	took = tessera_now_s() - t0;
	EXPECT_GT(0.5 * tessera_time_scale(), took) TH_LOG("QUEUE_DESTROY took %.2f s", took);
	c.cmd[60000 / 4] = 1;
	EXPECT_EQ(1, tessera_wait_status(c.fd, syncs[0].handle));
	/* The queued job ran, or was cancelled with its queue: it ended. */
	EXPECT_NE(0, tessera_wait_status(c.fd, c.syncobj));
	EXPECT_NE(-ETIME, tessera_wait_status(c.fd, c.syncobj));
	client_close(&c);
}

/*
 * Finding 7: BO_INFO racing GEM_CLOSE on an imported buffer.  BO_INFO
 * reads only: it either sees the buffer whole or finds no handle, and
 * nothing is left behind (every file the race used can still be opened
 * with a VM of its own, and the imported buffer lives on).
 */
struct race {
	int fd;
	uint32_t handle;
	volatile int go;
	int bad;
};

/* BO_INFO in a loop until the handle is gone, racing the close. */
static void *bo_info_thread(void *arg)
{
	struct race *r = arg;

	r->go = 1;
	for (;;) {
		struct drm_tessera_bo_info bi = { .handle = r->handle };

		if (ioctl(r->fd, DRM_IOCTL_TESSERA_BO_INFO, &bi)) {
			r->bad += errno != ENOENT;
			break;
		}
		r->bad += bi.size != 65536 || !bi.mmap_offset;
	}
	return NULL;
}

TEST(bo_info_racing_gem_close_is_clean)
{
	int owner, fd, dmabuf, i, n, bad = 0, fds[256];
	uint32_t bo, *p;
	uint64_t va, sz;

	owner = tessera_open();
	ASSERT_LE(0, owner);
	ASSERT_EQ(0, bo_create_flags(owner, 65536, 0, &bo, &va));
	ASSERT_EQ(0, drmPrimeHandleToFD(owner, bo, DRM_CLOEXEC, &dmabuf));
	for (i = 0; i < 400; i++) {
		struct race r = { 0 };
		pthread_t th;

		fd = tessera_open();
		ASSERT_LE(0, fd);
		r.fd = fd;
		ASSERT_EQ(0, drmPrimeFDToHandle(fd, dmabuf, &r.handle));
		ASSERT_EQ(0, pthread_create(&th, NULL, bo_info_thread, &r));
		while (!r.go)
			;
		usleep(i % 50);
		tessera_bo_close(fd, r.handle);
		pthread_join(th, NULL);
		bad += r.bad;
		close(fd);
	}
	EXPECT_EQ(0, bad);
	for (n = 0; n < 256; n++) {
		fds[n] = tessera_open();
		ASSERT_LE(0, fds[n]);
		ASSERT_NE(0, tessera_vm_create(fds[n]));
	}
	for (n = 0; n < 256; n++)
		close(fds[n]);
	p = tessera_bo_map(owner, bo, &sz);
	ASSERT_NE(NULL, p);
	munmap(p, sz);
	close(dmabuf);
	close(owner);
}

TEST_HARNESS_MAIN
