// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI function reset with the driver bound, through the sysfs reset file
 * (what `accel-smi reset` does): jobs on the card fail with -ECANCELED
 * instead of hanging, jobs submitted during the reset run afterwards, the
 * driver counts the reset, and old and new contexts compute correctly
 * afterwards.  Needs root and a function with a reset method (the VM puts
 * the emulated T1, which has FLR, behind a PCIe root port).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "tessera_test.h"

#define BIG_SIZE	(16u << 20)
#define STREAM_JOBS	32

/* /sys/bus/pci/devices/<this card's address>/reset */
static void reset_path(char *path, size_t len)
{
	char slot[64];

	tessera_pci_slot(slot, sizeof(slot));
	snprintf(path, len, "/sys/bus/pci/devices/%s/reset", slot);
}

/* Reset the function through sysfs; 0 or -errno. */
static int pci_reset(void)
{
	char path[384];
	int fd, ret = 0;

	reset_path(path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

/* FILL + COPY on every engine in @c's context, checked on the CPU. */
static void check_every_engine(struct __test_metadata *_metadata, struct client *c)
{
	uint32_t data, *p;
	uint64_t va, size, engines;
	uint32_t e;

	ASSERT_EQ(0, tessera_get_param(c->fd, DRM_TESSERA_PARAM_NUM_ENGINES, &engines));
	ASSERT_EQ(0, tessera_bo_create_va(c->fd, 2 * 4096, &data, &va));
	p = tessera_bo_map(c->fd, data, &size);
	ASSERT_NE(NULL, p);
	for (e = 0; e < engines; e++) {
		emit_fill(c, va, 4096, 0x5e70 + e);
		emit_copy(c, va, va + 4096, 4096);
		EXPECT_EQ(1, run(c, e)) TH_LOG("engine %u", e);
		EXPECT_EQ(0x5e70 + e, p[0]);
		EXPECT_EQ(0x5e70 + e, p[1023]);
		EXPECT_EQ(0x5e70 + e, p[1024]);
		EXPECT_EQ(0x5e70 + e, p[2047]);
	}
	munmap(p, size);
	tessera_bo_close(c->fd, data);
}

FIXTURE(pci_reset) {
	struct client a;
	uint32_t big;
	uint64_t big_va;
};

FIXTURE_SETUP(pci_reset)
{
	char path[384];

	reset_path(path, sizeof(path));
	if (access(path, W_OK))
		SKIP(return, "no writable %s (not root, or no PCI reset method)", path);
	ASSERT_EQ(0, client_open(&self->a));
	ASSERT_EQ(0, tessera_bo_create_va(self->a.fd, BIG_SIZE, &self->big, &self->big_va));
}

FIXTURE_TEARDOWN(pci_reset)
{
	client_close(&self->a);
}

/*
 * A stream of jobs on one engine, reset in the middle: the jobs that
 * finished before it succeeded, every later one (the one running and the
 * ones queued on the ring) fails with -ECANCELED, in ring order; none hangs.
 * Each job first waits on its own semaphore, which the CPU releases, so
 * the test decides what has run when the reset comes.
 */
#define SEM_OFFSET	32768	/* in the command buffer, past the jobs' commands */

TEST_F(pci_reset, jobs_on_the_card_fail_with_ecanceled)
{
	long long resets = tessera_sysfs_counter("driver_device_resets");
	volatile uint32_t *sem = self->a.cmd + SEM_OFFSET / 4;
	uint32_t sync[STREAM_JOBS];
	int status[STREAM_JOBS], i, done = 0, cancelled = 0;

	memset((void *)sem, 0, STREAM_JOBS * 4);
	for (i = 0; i < STREAM_JOBS; i++) {
		uint64_t addr = self->a.cmd_va + SEM_OFFSET + i * 4;
		uint32_t wait[] = {
			TESSERA_CMD_HEADER(TESSERA_CMD_OP_SEMAPHORE, TESSERA_SEM_WAIT,
					   TESSERA_CMD_SEM_LEN),
			(uint32_t)addr, (uint32_t)(addr >> 32), 1, 0,
		};

		self->a.ndw = 0;
		emit(&self->a, wait, TESSERA_CMD_SEM_LEN);
		emit_fill(&self->a, self->big_va + i * 4096, 4096, 0x100 + i);
		memmove(self->a.cmd + 64 * (i + 1), self->a.cmd, self->a.ndw * 4);
		ASSERT_EQ(0, drmSyncobjCreate(self->a.fd, 0, &sync[i]));
		ASSERT_EQ(0, client_submit_at(&self->a, 64 * (i + 1), self->a.ndw, 0, sync[i]));
	}
	self->a.ndw = 0;
	/*
	 * What the test asserts needs every job on the ring before the
	 * reset: jobs still in the scheduler's queue run after it and
	 * succeed.  None can finish before its semaphore is released.
	 */
	for (i = 0; i < 3000 && tessera_jobs_on_ring(0) >= 0 && tessera_jobs_on_ring(0) < STREAM_JOBS; i++)
		usleep(1000);
	ASSERT_EQ(STREAM_JOBS, tessera_jobs_on_ring(0)) TH_LOG("jobs not on the ring");
	/* Let the first job finish; the second then waits on the engine. */
	sem[0] = 1;
	EXPECT_EQ(1, tessera_wait_status(self->a.fd, sync[0]));
	ASSERT_EQ(0, pci_reset());

	for (i = 0; i < STREAM_JOBS; i++) {
		status[i] = tessera_wait_status(self->a.fd, sync[i]);
		EXPECT_TRUE(status[i] == 1 || status[i] == -ECANCELED)
			TH_LOG("job %d: status %d", i, status[i]);
		if (status[i] == 1) {
			EXPECT_EQ(0, cancelled) TH_LOG("job %d done after a cancelled one", i);
			done++;
		} else {
			cancelled++;
		}
	}
	TH_LOG("%d jobs done before the reset, %d cancelled", done, cancelled);
	EXPECT_EQ(1, done);
	EXPECT_EQ(STREAM_JOBS - 1, cancelled);
	EXPECT_EQ(resets + 1, tessera_sysfs_counter("driver_device_resets"));

	/* The same context computes correctly afterwards. */
	check_every_engine(_metadata, &self->a);
}

/*
 * Jobs submitted while another process resets the card: each completes,
 * successfully or with -ECANCELED, and the card works afterwards.
 */
TEST_F(pci_reset, jobs_submitted_during_a_reset_complete)
{
	uint32_t sync[STREAM_JOBS];
	int i, wstatus, status;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		usleep(20 * 1000);
		_exit(pci_reset() ? 1 : 0);
	}
	for (i = 0; i < STREAM_JOBS; i++) {
		ASSERT_EQ(0, drmSyncobjCreate(self->a.fd, 0, &sync[i]));
		self->a.ndw = 0;
		emit_fill(&self->a, self->big_va + i * 4096, 4096, 0xab00 + i);
		memmove(self->a.cmd + 64 * (i + 1), self->a.cmd, self->a.ndw * 4);
		ASSERT_EQ(0, client_submit_at(&self->a, 64 * (i + 1), self->a.ndw, i % 2, sync[i]));
		usleep(2000);
	}
	self->a.ndw = 0;
	ASSERT_EQ(pid, waitpid(pid, &wstatus, 0));
	EXPECT_TRUE(WIFEXITED(wstatus) && !WEXITSTATUS(wstatus));
	for (i = 0; i < STREAM_JOBS; i++) {
		status = tessera_wait_status(self->a.fd, sync[i]);
		EXPECT_TRUE(status == 1 || status == -ECANCELED)
			TH_LOG("job %d: status %d", i, status);
	}
	check_every_engine(_metadata, &self->a);
}

/*
 * An idle card: the reset is counted, the open context and a new one both
 * work on every engine, and device memory keeps its contents.
 */
TEST_F(pci_reset, contexts_and_device_memory_survive_a_reset)
{
	long long resets = tessera_sysfs_counter("driver_device_resets");
	struct drm_tessera_bo_create bc = { .size = 4096, .flags = DRM_TESSERA_BO_DEVICE_MEM };
	struct client b;
	uint32_t *hbm = NULL;
	uint64_t size;
	int i;

	if (!tessera_ioctl(self->a.fd, DRM_IOCTL_TESSERA_BO_CREATE, &bc)) {
		hbm = tessera_bo_map(self->a.fd, bc.handle, &size);
		ASSERT_NE(NULL, hbm);
		for (i = 0; i < 1024; i++)
			hbm[i] = 0xc0de0000 + i;
	}

	ASSERT_EQ(0, pci_reset());
	EXPECT_EQ(resets + 1, tessera_sysfs_counter("driver_device_resets"));
	/*
	 * The card counts ring resets since its last reset, and bringing it
	 * back up needs none: its rings are fresh.
	 */
	EXPECT_EQ(0, tessera_sysfs_counter("engine_resets"));
	/* Twice in a row is fine too. */
	ASSERT_EQ(0, pci_reset());
	EXPECT_EQ(resets + 2, tessera_sysfs_counter("driver_device_resets"));

	if (hbm) {
		for (i = 0; i < 1024; i++)
			ASSERT_EQ(0xc0de0000 + i, hbm[i]) TH_LOG("device memory word %d", i);
		munmap(hbm, size);
	}
	check_every_engine(_metadata, &self->a);
	ASSERT_EQ(0, client_open(&b));
	check_every_engine(_metadata, &b);
	EXPECT_EQ(0, ctx_status(b.fd).flags);
	client_close(&b);
}

TEST_HARNESS_MAIN
