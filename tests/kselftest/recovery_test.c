// SPDX-License-Identifier: GPL-2.0-only
/*
 * Recovery, with faults injected through debugfs: a hung engine fails only
 * the hung job (the jobs behind it still run), an injected fault fails only
 * its context, a failed engine reset escalates to a device reset, and the
 * card keeps working after each.  Needs the emulator's
 * --allow-fault-injection (the VM harness always passes it).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include "kselftest_harness.h"
#include "tessera_test.h"

/* The card's debugfs directory is named after its PCI address. */
static void debugfs_path(char *path, size_t len, const char *name)
{
	char slot[64];

	tessera_pci_slot(slot, sizeof(slot));
	snprintf(path, len, "/sys/kernel/debug/accel/%s/%s", slot, name);
}

/* Write @val to debugfs inject file @name; -errno if it is missing. */
static int inject(const char *name, unsigned int val)
{
	char path[384], buf[16];
	int fd, n, ret = 0;

	debugfs_path(path, sizeof(path), name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%u", val);
	if (write(fd, buf, n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

FIXTURE(recovery) {
	struct client a, b;
	uint32_t data;
	uint64_t data_va;
	uint32_t *p;
};

FIXTURE_SETUP(recovery)
{
	char path[384];
	uint64_t size;

	debugfs_path(path, sizeof(path), "inject_hang");
	if (access(path, W_OK))
		SKIP(return, "no fault injection (emulator without --allow-fault-injection)");
	ASSERT_EQ(0, client_open(&self->a));
	ASSERT_EQ(0, client_open(&self->b));
	ASSERT_EQ(0, tessera_bo_create_va(self->b.fd, 3 * 4096, &self->data, &self->data_va));
	self->p = tessera_bo_map(self->b.fd, self->data, &size);
	ASSERT_NE(NULL, self->p);
}

FIXTURE_TEARDOWN(recovery)
{
	client_close(&self->a);
	client_close(&self->b);
}

TEST_F(recovery, a_hang_fails_only_the_hung_job)
{
	long long resets = tessera_sysfs_counter("driver_engine_resets");
	uint32_t sb[3];
	int i;

	ASSERT_EQ(0, inject("inject_hang", 0));
	tessera_fill_nops(self->a.cmd, 8);
	self->a.ndw = 8;
	ASSERT_EQ(0, client_submit(&self->a, 0, self->a.syncobj));
	/* Queued behind the hung job on the same engine, from another context. */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, drmSyncobjCreate(self->b.fd, 0, &sb[i]));
		self->b.ndw = 0;
		emit_fill(&self->b, self->data_va + i * 4096, 4096, 0x1000 + i);
		/* Each job has its own command buffer range. */
		memcpy(self->b.cmd + 64 * (i + 1), self->b.cmd, 5 * 4);
		ASSERT_EQ(0, client_submit_at(&self->b, 64 * (i + 1), 5, 0, sb[i]));
	}
	EXPECT_EQ(-ETIMEDOUT, tessera_wait_status(self->a.fd, self->a.syncobj));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(1, tessera_wait_status(self->b.fd, sb[i])) TH_LOG("innocent job %d", i);
		EXPECT_EQ(0x1000 + i, self->p[i * 1024]);
		EXPECT_EQ(0x1000 + i, self->p[i * 1024 + 1023]);
	}
	EXPECT_EQ(resets + 1, tessera_sysfs_counter("driver_engine_resets"));
	/* A hang is not a fault: the hung job's context goes on. */
	EXPECT_EQ(0, ctx_status(self->a.fd).flags);
	emit_fill(&self->a, self->a.cmd_va + 32768, 64, 7);
	EXPECT_EQ(1, run(&self->a, 0));
}

TEST_F(recovery, an_injected_fault_fails_only_its_context)
{
	long long faults = tessera_sysfs_counter("context_faults");

	ASSERT_EQ(0, inject("inject_fault", 1));
	emit_fill(&self->a, self->a.cmd_va + 32768, 64, 7);
	EXPECT_EQ(-EFAULT, run(&self->a, 1));
	/* sysfs context_faults: the card's count of context errors */
	EXPECT_EQ(faults + 1, tessera_sysfs_counter("context_faults"));
	EXPECT_EQ(DRM_TESSERA_VM_GUILTY, ctx_status(self->a.fd).flags);
	EXPECT_EQ(1, ctx_status(self->a.fd).fault_engine);

	emit_fill(&self->b, self->data_va, 4096, 0xfeed);
	EXPECT_EQ(1, run(&self->b, 1));
	EXPECT_EQ(0xfeed, self->p[0]);
	EXPECT_EQ(0, ctx_status(self->b.fd).flags);
}

TEST_F(recovery, corrected_ecc_errors_are_counted)
{
	long long before = tessera_sysfs_counter("ecc_corrected");

	ASSERT_EQ(0, inject("inject_ecc", 1));
	EXPECT_EQ(before + 1, tessera_sysfs_counter("ecc_corrected"));
}

TEST_F(recovery, a_failed_engine_reset_escalates_to_a_device_reset)
{
	long long device_resets = tessera_sysfs_counter("driver_device_resets");
	uint64_t engines;
	uint32_t e;

	ASSERT_EQ(0, inject("inject_reset_fail", 0));
	ASSERT_EQ(0, inject("inject_hang", 0));
	tessera_fill_nops(self->a.cmd, 8);
	self->a.ndw = 8;
	EXPECT_EQ(-ETIMEDOUT, run(&self->a, 0));
	EXPECT_EQ(device_resets + 1, tessera_sysfs_counter("driver_device_resets"));

	/* Every engine works after the device reset. */
	ASSERT_EQ(0, tessera_get_param(self->b.fd, DRM_TESSERA_PARAM_NUM_ENGINES, &engines));
	for (e = 0; e < engines; e++) {
		emit_fill(&self->b, self->data_va, 4096, 0xd0 + e);
		EXPECT_EQ(1, run(&self->b, e)) TH_LOG("engine %u", e);
		EXPECT_EQ(0xd0 + e, self->p[0]);
	}
}

TEST_HARNESS_MAIN
