// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMs: VM_CREATE, VM_DESTROY and VM_BIND, checked through the ioctls'
 * results and debugfs "contexts" (each VM's page counts and bindings).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <xf86drm.h>

#include "kselftest_harness.h"
#include "tessera_test.h"

/* VM_BIND of @n ops of @stride bytes each at @ops; *done gets ops_done. */
static int bind_raw(int fd, uint32_t vm, const void *ops, uint32_t n, uint32_t stride,
		    uint32_t flags, uint32_t *done)
{
	struct drm_tessera_vm_bind b = {
		.vm_id = vm, .flags = flags,
		.ops = { .stride = stride, .count = n, .ptr = (uintptr_t)ops },
	};
	int ret = tessera_ioctl(fd, DRM_IOCTL_TESSERA_VM_BIND, &b);

	if (done)
		*done = b.ops_done;
	return ret;
}

static int bind(int fd, uint32_t vm, const struct drm_tessera_vm_bind_op *ops, uint32_t n)
{
	return bind_raw(fd, vm, ops, n, sizeof(*ops), 0, NULL);
}

/* VM @vm's page counts and bindings in debugfs "contexts"; 0 or -1. */
static int vm_stats(int fd, uint32_t vm, uint64_t *p4k, uint64_t *p2m, int *binds)
{
	struct tessera_vm_stats st;

	if (tessera_vm_stats(fd, vm, &st))
		return -1;
	*p4k = st.pages_4k;
	*p2m = st.pages_2m;
	*binds = st.binds;
	return 0;
}

FIXTURE(vm) {
	int fd;
	uint32_t vm;
	uint32_t dev;	/* 4 MiB of device memory */
	uint32_t host;	/* 64 KiB of host memory */
};

FIXTURE_SETUP(vm)
{
	self->fd = tessera_open();
	ASSERT_LE(0, self->fd);
	self->vm = tessera_vm_create(self->fd);
	ASSERT_NE(0, self->vm);
	ASSERT_EQ(0, tessera_bo_create_flags(self->fd, 4 << 20, DRM_TESSERA_BO_DEVICE_MEM, &self->dev));
	ASSERT_EQ(0, tessera_bo_create_flags(self->fd, 64 << 10, 0, &self->host));
}

FIXTURE_TEARDOWN(vm)
{
	close(self->fd);
}

TEST_F(vm, create_and_destroy)
{
	struct drm_tessera_vm_create c = { .flags = 1 };
	struct drm_tessera_vm_destroy d = { .vm_id = self->vm, .pad = 1 };
	uint32_t other = tessera_vm_create(self->fd);

	EXPECT_NE(0, other);
	EXPECT_NE(self->vm, other);
	EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_VM_CREATE, &c));
	EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_VM_DESTROY, &d));
	EXPECT_EQ(0, tessera_vm_destroy(self->fd, other));
	EXPECT_EQ(-ENOENT, tessera_vm_destroy(self->fd, other));
	EXPECT_EQ(-ENOENT, tessera_vm_destroy(self->fd, 12345));
}

/* Bind, split, rebind and unbind at chosen VAs; debugfs shows the pages. */
TEST_F(vm, bind_unbind_rebind_at_chosen_vas)
{
	struct drm_tessera_vm_bind_op op;
	uint64_t p4k, p2m;
	int binds;

	op = tessera_map_op(self->dev, 0, GB, 4 << 20, TESSERA_RW);
	ASSERT_EQ(0, bind(self->fd, self->vm, &op, 1));
	ASSERT_EQ(0, vm_stats(self->fd, self->vm, &p4k, &p2m, &binds));
	EXPECT_EQ(2, p2m);
	EXPECT_EQ(0, p4k);
	EXPECT_EQ(1, binds);

	/* A hole of 4 KiB in the first 2 MiB page: split, two bindings. */
	op = tessera_unmap_op(GB + (1 << 20), SZ_4K);
	ASSERT_EQ(0, bind(self->fd, self->vm, &op, 1));
	ASSERT_EQ(0, vm_stats(self->fd, self->vm, &p4k, &p2m, &binds));
	EXPECT_EQ(1, p2m);
	EXPECT_EQ(511, p4k);
	EXPECT_EQ(2, binds);

	/* The host buffer over the hole, read-only. */
	op = tessera_map_op(self->host, 0, GB + (1 << 20), SZ_4K, DRM_TESSERA_BIND_READ);
	ASSERT_EQ(0, bind(self->fd, self->vm, &op, 1));
	ASSERT_EQ(0, vm_stats(self->fd, self->vm, &p4k, &p2m, &binds));
	EXPECT_EQ(512, p4k);
	EXPECT_EQ(3, binds);

	/* Rebinding the same range elsewhere; an unaligned-offset 2 MiB. */
	op = tessera_map_op(self->dev, SZ_2M, 8 * GB, SZ_2M, TESSERA_RW);
	ASSERT_EQ(0, bind(self->fd, self->vm, &op, 1));
	op = tessera_map_op(self->dev, SZ_4K, 9 * GB, SZ_2M, TESSERA_RW);
	ASSERT_EQ(0, bind(self->fd, self->vm, &op, 1));
	ASSERT_EQ(0, vm_stats(self->fd, self->vm, &p4k, &p2m, &binds));
	EXPECT_EQ(2, p2m);
	EXPECT_EQ(512 + 512, p4k);
	EXPECT_EQ(5, binds);

	/* Unbinding nothing is fine; unbinding everything empties the VM. */
	op = tessera_unmap_op(100 * GB, SZ_2M);
	EXPECT_EQ(0, bind(self->fd, self->vm, &op, 1));
	op = tessera_unmap_op(TESSERA_VA_START, TESSERA_VA_END - TESSERA_VA_START);
	ASSERT_EQ(0, bind(self->fd, self->vm, &op, 1));
	ASSERT_EQ(0, vm_stats(self->fd, self->vm, &p4k, &p2m, &binds));
	EXPECT_EQ(0, p2m);
	EXPECT_EQ(0, p4k);
	EXPECT_EQ(0, binds);
}

/* Several ops in one call apply in order; ops_done counts them. */
TEST_F(vm, ops_of_one_call)
{
	struct drm_tessera_vm_bind_op ops[3] = {
		tessera_map_op(self->dev, 0, GB, SZ_2M, TESSERA_RW),
		tessera_map_op(self->dev, SZ_2M, 2 * GB, SZ_2M, TESSERA_RW),
		tessera_map_op(self->host, 0, 3 * GB, 64 << 10, DRM_TESSERA_BIND_READ |
						      DRM_TESSERA_BIND_EXEC),
	};
	uint64_t p4k, p2m;
	uint32_t done = 99;
	int binds;

	ASSERT_EQ(0, bind_raw(self->fd, self->vm, ops, 3, sizeof(ops[0]), 0, &done));
	EXPECT_EQ(3, done);
	ASSERT_EQ(0, vm_stats(self->fd, self->vm, &p4k, &p2m, &binds));
	EXPECT_EQ(2, p2m);
	EXPECT_EQ(16, p4k);
	EXPECT_EQ(3, binds);
}

/* A binding holds its buffer: closing the handle changes nothing. */
TEST_F(vm, gem_close_keeps_bound_memory)
{
	struct drm_tessera_vm_bind_op op = tessera_map_op(self->dev, 0, GB, 4 << 20, TESSERA_RW);
	uint64_t p4k, p2m;
	int binds;

	ASSERT_EQ(0, bind(self->fd, self->vm, &op, 1));
	ASSERT_EQ(0, tessera_bo_close(self->fd, self->dev));
	ASSERT_EQ(0, vm_stats(self->fd, self->vm, &p4k, &p2m, &binds));
	EXPECT_EQ(2, p2m);
	EXPECT_EQ(1, binds);
	/* ... and the closed handle cannot be bound again. */
	op = tessera_map_op(self->dev, 0, 2 * GB, SZ_2M, TESSERA_RW);
	EXPECT_EQ(-ENOENT, bind(self->fd, self->vm, &op, 1));
}

/* Every bad input table is rejected with the documented errno, changing nothing. */
TEST_F(vm, bad_input_tables)
{
	const uint32_t d = self->dev, h = self->host;
	struct {
		const char *what;
		struct drm_tessera_vm_bind_op op[2];
		uint32_t n;
		int err;
	} cases[] = {
		{ "unknown op", { { .op = 7, .va = GB, .size = SZ_4K } }, 1, -EINVAL },
		{ "sparse (no CAP_SPARSE)",
		  { { .op = DRM_TESSERA_BIND_OP_MAP_SPARSE, .va = GB, .size = SZ_4K } }, 1, -EINVAL },
		{ "unaligned va", { tessera_map_op(d, 0, GB + 512, SZ_4K, TESSERA_RW) }, 1, -EINVAL },
		{ "unaligned size", { tessera_map_op(d, 0, GB, 100, TESSERA_RW) }, 1, -EINVAL },
		{ "unaligned offset", { tessera_map_op(d, 8, GB, SZ_4K, TESSERA_RW) }, 1, -EINVAL },
		{ "zero size", { tessera_map_op(d, 0, GB, 0, TESSERA_RW) }, 1, -EINVAL },
		{ "below TESSERA_VA_START", { tessera_map_op(d, 0, 0, SZ_4K, TESSERA_RW) }, 1, -EINVAL },
		{ "beyond TESSERA_VA_END", { tessera_map_op(d, 0, TESSERA_VA_END - SZ_4K, SZ_2M, TESSERA_RW) }, 1, -EINVAL },
		{ "va + size overflows", { tessera_map_op(d, 0, -SZ_4K, 2 * SZ_4K, TESSERA_RW) }, 1, -EINVAL },
		{ "huge size", { tessera_map_op(d, 0, GB, -SZ_4K, TESSERA_RW) }, 1, -EINVAL },
		{ "range beyond the buffer", { tessera_map_op(d, SZ_2M, GB, 4 << 20, TESSERA_RW) }, 1, -EINVAL },
		{ "huge offset", { tessera_map_op(d, -SZ_4K, GB, SZ_4K, TESSERA_RW) }, 1, -EINVAL },
		{ "no handle", { tessera_map_op(0, 0, GB, SZ_4K, TESSERA_RW) }, 1, -ENOENT },
		{ "foreign handle", { tessera_map_op(h + 100, 0, GB, SZ_4K, TESSERA_RW) }, 1, -ENOENT },
		{ "unknown flag", { tessera_map_op(d, 0, GB, SZ_4K, TESSERA_RW | 0x80) }, 1, -EINVAL },
		{ "no permission", { tessera_map_op(d, 0, GB, SZ_4K, 0) }, 1, -EINVAL },
		{ "EXEC without READ",
		  { tessera_map_op(d, 0, GB, SZ_4K, DRM_TESSERA_BIND_EXEC | DRM_TESSERA_BIND_WRITE) },
		  1, -EINVAL },
		{ "UNMAP with a handle",
		  { { .op = DRM_TESSERA_BIND_OP_UNMAP, .handle = d, .va = GB, .size = SZ_4K } },
		  1, -EINVAL },
		{ "non-zero pad", { { .op = DRM_TESSERA_BIND_OP_MAP, .flags = TESSERA_RW, .handle = d,
				      .pad = 1, .va = GB, .size = SZ_4K } }, 1, -EINVAL },
		{ "overlapping ops", { tessera_map_op(d, 0, GB, SZ_2M, TESSERA_RW),
				       tessera_map_op(h, 0, GB + SZ_2M - SZ_4K, SZ_4K, TESSERA_RW) }, 2, -EINVAL },
		{ "a good op and a bad one", { tessera_map_op(d, 0, GB, SZ_2M, TESSERA_RW),
					       tessera_map_op(h, 0, 2 * GB + 1, SZ_4K, TESSERA_RW) }, 2, -EINVAL },
	};
	uint64_t p4k, p2m;
	uint32_t done;
	int binds;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		done = 99;
		EXPECT_EQ(cases[i].err, bind_raw(self->fd, self->vm, cases[i].op, cases[i].n,
						 sizeof(cases[i].op[0]), 0, &done))
			TH_LOG("%s", cases[i].what);
		EXPECT_EQ(0, done) TH_LOG("%s", cases[i].what);
	}
	ASSERT_EQ(0, vm_stats(self->fd, self->vm, &p4k, &p2m, &binds));
	EXPECT_EQ(0, binds);
	EXPECT_EQ(0, p4k + p2m);
}

/* The array's stride: too small or too large, non-zero unknown fields. */
TEST_F(vm, bad_strides_and_counts)
{
	struct {
		struct drm_tessera_vm_bind_op op;
		uint64_t extra;
	} wide[2] = { { tessera_map_op(self->dev, 0, GB, SZ_4K, TESSERA_RW), 0 },
		      { tessera_map_op(self->dev, 0, 2 * GB, SZ_4K, TESSERA_RW), 0 } };
	struct drm_tessera_vm_bind b = { .vm_id = self->vm };
	struct drm_tessera_vm_bind_op op = tessera_map_op(self->dev, 0, GB, SZ_4K, TESSERA_RW);
	uint64_t p4k, p2m;
	int binds;

	EXPECT_EQ(-EINVAL, bind_raw(self->fd, self->vm, &op, 1, 32, 0, NULL));
	EXPECT_EQ(-EINVAL, bind_raw(self->fd, self->vm, &op, 1, 8192, 0, NULL));
	EXPECT_EQ(-EINVAL, bind_raw(self->fd, self->vm, &op, 1025, sizeof(op), 0, NULL));
	EXPECT_EQ(-EFAULT, bind_raw(self->fd, self->vm, (void *)8, 1, sizeof(op), 0, NULL));
	/* A newer caller's longer elements: fine while the extra is zero. */
	wide[1].extra = 1;
	EXPECT_EQ(-EINVAL, bind_raw(self->fd, self->vm, wide, 2, sizeof(wide[0]), 0, NULL));
	wide[1].extra = 0;
	EXPECT_EQ(0, bind_raw(self->fd, self->vm, wide, 2, sizeof(wide[0]), 0, NULL));
	ASSERT_EQ(0, vm_stats(self->fd, self->vm, &p4k, &p2m, &binds));
	EXPECT_EQ(2, binds);
	/* Call-level checks. */
	EXPECT_EQ(-EINVAL, bind_raw(self->fd, self->vm, &op, 1, sizeof(op), 0x100, NULL));
	b.pad = 1;
	EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_VM_BIND, &b));
	b.pad = 0;
	b.syncs.count = 1;
	b.syncs.stride = sizeof(struct drm_tessera_sync);
	EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_VM_BIND, &b));
	EXPECT_EQ(-ENOENT, bind_raw(self->fd, 4242, &op, 1, sizeof(op), 0, NULL));
}

/* Another file's VM and buffers are unreachable. */
TEST_F(vm, another_files_vm_is_unreachable)
{
	int other = tessera_open();
	struct drm_tessera_vm_bind_op op = tessera_map_op(self->dev, 0, GB, SZ_4K, TESSERA_RW);
	uint32_t ovm;

	ASSERT_LE(0, other);
	ovm = tessera_vm_create(other);
	ASSERT_NE(0, ovm);
	/* Our handle numbers mean nothing in the other file. */
	EXPECT_EQ(-ENOENT, bind(other, ovm, &op, 1));
	if (ovm != self->vm)
		EXPECT_EQ(-ENOENT, bind(self->fd, ovm, &op, 1));
	close(other);
}

/* An asynchronous bind signals its syncobj once applied. */
TEST_F(vm, async_bind_signals_its_syncobj)
{
	struct drm_tessera_vm_bind_op op = tessera_map_op(self->dev, 0, GB, 4 << 20, TESSERA_RW);
	struct drm_tessera_sync sync = { .flags = DRM_TESSERA_SYNC_SIGNAL };
	struct drm_tessera_vm_bind b = {
		.vm_id = self->vm, .flags = DRM_TESSERA_VM_BIND_ASYNC,
		.ops = { .stride = sizeof(op), .count = 1, .ptr = (uintptr_t)&op },
		.syncs = { .stride = sizeof(sync), .count = 1, .ptr = (uintptr_t)&sync },
	};
	uint64_t p4k, p2m;
	int binds;

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &sync.handle));
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_VM_BIND, &b));
	ASSERT_EQ(0, drmSyncobjWait(self->fd, &sync.handle, 1, INT64_MAX,
				    DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL));
	ASSERT_EQ(0, vm_stats(self->fd, self->vm, &p4k, &p2m, &binds));
	EXPECT_EQ(2, p2m);
	EXPECT_EQ(1, binds);
	/* Bad sync flags and unknown syncobjs. */
	sync.flags = DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT | DRM_TESSERA_SYNC_WAIT;
	EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_VM_BIND, &b));
	sync.flags = DRM_TESSERA_SYNC_SIGNAL;
	sync.handle = 9999;
	EXPECT_EQ(-ENOENT, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_VM_BIND, &b));
}

/* When the fence syncobj @h holds signalled (CLOCK_MONOTONIC ns; 0 if not). */
static int fence_signal_ns(int fd, uint32_t h, uint64_t *ns)
{
	struct sync_fence_info fi = { 0 };
	struct sync_file_info info = { .num_fences = 1, .sync_fence_info = (uintptr_t)&fi };
	int sync_fd, ret;

	if (drmSyncobjExportSyncFile(fd, h, &sync_fd))
		return -errno;
	ret = ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info) ? -errno : 0;
	close(sync_fd);
	*ns = fi.timestamp_ns;
	return ret;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * An asynchronous bind with nothing ahead of it (no job on the VM, no
 * bind queued, its waits signalled) is applied before the ioctl returns,
 * its syncobj given the kernel's signalled stub fence: the second such
 * bind's fence signalled before that ioctl began, where a bind-queue
 * job's would signal during or after it.  (Fence driver names do not
 * tell: 7.x reports every signalled fence's as "detached-driver".)  One
 * behind a job waits for it: vm_job_test's unbind_waits_for_the_running_job.
 */
TEST_F(vm, async_bind_with_nothing_ahead_is_done_on_return)
{
	struct drm_tessera_vm_bind_op op = tessera_map_op(self->host, 0, GB, 64 << 10, TESSERA_RW);
	struct drm_tessera_sync syncs[2] = {
		{ .flags = DRM_TESSERA_SYNC_SIGNAL },
		{ .flags = DRM_TESSERA_SYNC_WAIT },
	};
	struct drm_tessera_vm_bind b = {
		.vm_id = self->vm, .flags = DRM_TESSERA_VM_BIND_ASYNC,
		.ops = { .stride = sizeof(op), .count = 1, .ptr = (uintptr_t)&op },
		.syncs = { .stride = sizeof(syncs[0]), .count = 1, .ptr = (uintptr_t)syncs },
	};
	uint64_t p4k, p2m, before, signalled;
	int binds;

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &syncs[0].handle));
	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &syncs[1].handle));
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_VM_BIND, &b));
	EXPECT_EQ(1, b.ops_done);
	EXPECT_TRUE(tessera_signalled(self->fd, syncs[0].handle));
	ASSERT_EQ(0, vm_stats(self->fd, self->vm, &p4k, &p2m, &binds));
	EXPECT_EQ(16, p4k);
	EXPECT_EQ(1, binds);

	/* The unbind, after a wait on the map's (signalled) fence, as well. */
	ASSERT_EQ(0, drmSyncobjTransfer(self->fd, syncs[1].handle, 0, syncs[0].handle, 0, 0));
	op = tessera_unmap_op(GB, 64 << 10);
	b.syncs.count = 2;
	before = monotonic_ns();
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_VM_BIND, &b));
	EXPECT_TRUE(tessera_signalled(self->fd, syncs[0].handle));
	ASSERT_EQ(0, fence_signal_ns(self->fd, syncs[0].handle, &signalled));
	EXPECT_NE(0, signalled);
	EXPECT_LT(signalled, before);
	ASSERT_EQ(0, vm_stats(self->fd, self->vm, &p4k, &p2m, &binds));
	EXPECT_EQ(0, p4k);
	EXPECT_EQ(0, binds);
}

TEST_HARNESS_MAIN
