// SPDX-License-Identifier: GPL-2.0-only
/*
 * Job submission: NOP jobs, syncobj fences, dependencies, timeouts, and
 * every kind of bad submit argument.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include "kselftest_harness.h"
#include "tessera_test.h"

FIXTURE(submit) {
	int fd;
	uint32_t bo;
	uint32_t *cmd;
	uint64_t bo_size, va;
	uint32_t syncobj;
	uint64_t num_engines;
	uint64_t cmd_size_max;
	struct drm_tessera_sync sync[2];
};

FIXTURE_SETUP(submit)
{
	self->fd = tessera_open();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_NUM_ENGINES,
				       &self->num_engines));
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_CMD_SIZE_MAX,
				       &self->cmd_size_max));
	ASSERT_EQ(0, tessera_bo_create_va(self->fd, self->cmd_size_max + 4096, &self->bo,
					  &self->va));
	self->cmd = tessera_bo_map(self->fd, self->bo, &self->bo_size);
	ASSERT_NE(NULL, self->cmd);
	tessera_fill_nops(self->cmd, self->bo_size / 4);
	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &self->syncobj));
}

FIXTURE_TEARDOWN(submit)
{
	munmap(self->cmd, self->bo_size);
	close(self->fd);
}

/* 64 bytes of NOPs at the fixture's buffer on engine 0, signalling @out (0: none). */
static struct drm_tessera_submit nop_job(FIXTURE_DATA(submit) *self, uint32_t out)
{
	struct drm_tessera_submit s = {
		.queue_id = tessera_engine_queue(self->fd, 0),
		.cmd_va = self->va,
		.cmd_size = 64,
	};

	self->sync[0] = (struct drm_tessera_sync){ .handle = out,
						   .flags = DRM_TESSERA_SYNC_SIGNAL };
	if (out)
		s.syncs = (struct drm_tessera_obj_array){ sizeof(self->sync[0]), 1,
							  (uintptr_t)self->sync };
	return s;
}

static int wait_one(int fd, uint32_t syncobj)
{
	return drmSyncobjWait(fd, &syncobj, 1, tessera_abs_timeout(TESSERA_WAIT_NS),
			      0, NULL) ? -errno : 0;
}

TEST_F(submit, nop_completes_and_signals_the_syncobj)
{
	struct drm_tessera_submit s = nop_job(self, self->syncobj);

	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
	EXPECT_EQ(0, tessera_fence_wait(self->fd, self->syncobj, 0));
}

TEST_F(submit, every_engine_runs_jobs)
{
	struct drm_tessera_submit s = nop_job(self, self->syncobj);
	uint32_t e;

	for (e = 0; e < self->num_engines; e++) {
		s.queue_id = tessera_engine_queue(self->fd, e);
		ASSERT_NE(0, s.queue_id);
		ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
		ASSERT_EQ(0, wait_one(self->fd, self->syncobj)) TH_LOG("engine %u", e);
	}
}

TEST_F(submit, seqnos_increase_and_all_jobs_complete)
{
	struct drm_tessera_submit s = nop_job(self, self->syncobj);
	uint64_t last = 0;
	int i;

	/* 1-dword NOPs, so that any multiple of 4 bytes is a valid buffer. */
	for (i = 0; i < 32; i++)
		self->cmd[i] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 1);
	/* More jobs than the ring has slots. */
	for (i = 0; i < 600; i++) {
		s.cmd_size = 4 * (1 + i % 32);
		s.seqno = 0;
		ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
		ASSERT_GT(s.seqno, last);
		last = s.seqno;
	}
	ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
}

TEST_F(submit, largest_command_buffer)
{
	struct drm_tessera_submit s = nop_job(self, self->syncobj);

	s.cmd_size = self->cmd_size_max;
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
	s.cmd_va = self->va + self->bo_size - 4;
	s.cmd_size = 4;
	self->cmd[self->bo_size / 4 - 1] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 1);
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
}

TEST_F(submit, a_wait_sync_orders_jobs_across_engines)
{
	struct drm_tessera_submit s = nop_job(self, self->syncobj);
	uint32_t second;
	uint64_t point = 0;

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &second));
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	self->sync[0] = (struct drm_tessera_sync){ .handle = self->syncobj,
						   .flags = DRM_TESSERA_SYNC_WAIT };
	self->sync[1] = (struct drm_tessera_sync){ .handle = second,
						   .flags = DRM_TESSERA_SYNC_SIGNAL };
	s.syncs.count = 2;
	s.queue_id = tessera_engine_queue(self->fd, self->num_engines - 1);
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	ASSERT_EQ(0, wait_one(self->fd, second));
	/* The dependency signaled first. */
	ASSERT_EQ(0, drmSyncobjQuery(self->fd, &self->syncobj, &point, 1));
	ASSERT_EQ(0, drmSyncobjWait(self->fd, &self->syncobj, 1, 0, 0, NULL));
	drmSyncobjDestroy(self->fd, second);
}

/* Commands where nothing is bound fault on fetch; only that VM is guilty. */
TEST_F(submit, commands_at_an_unbound_va_fault_on_fetch)
{
	struct drm_tessera_submit s;
	struct drm_tessera_vm_status st;
	int other = tessera_open();
	uint32_t sync;

	ASSERT_GE(other, 0);
	ASSERT_EQ(0, drmSyncobjCreate(other, 0, &sync));
	s = (struct drm_tessera_submit){
		.queue_id = tessera_engine_queue(other, 0), .cmd_va = 0x7f0000000000ull,
		.cmd_size = 64,
		.syncs = { sizeof(self->sync[0]), 1, (uintptr_t)self->sync },
	};
	self->sync[0] = (struct drm_tessera_sync){ .handle = sync,
						   .flags = DRM_TESSERA_SYNC_SIGNAL };
	ASSERT_EQ(0, tessera_ioctl(other, DRM_IOCTL_TESSERA_SUBMIT, &s));
	EXPECT_EQ(-EFAULT, tessera_fence_wait(other, sync, TESSERA_WAIT_NS));
	st = ctx_status(other);
	EXPECT_EQ(DRM_TESSERA_VM_GUILTY, st.flags);
	EXPECT_EQ(DRM_TESSERA_ACCESS_FETCH, st.fault_access);
	EXPECT_EQ(0x7f0000000000ull, st.fault_va);
	close(other);
	s = nop_job(self, self->syncobj);
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
	EXPECT_EQ(0, ctx_status(self->fd).flags);
}

TEST_F(submit, wait_on_unsubmitted_syncobj_times_out)
{
	uint32_t fresh;

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &fresh));
	/* libdrm returns -errno. */
	EXPECT_EQ(-ETIME, drmSyncobjWait(self->fd, &fresh, 1,
					 tessera_abs_timeout(50 * 1000 * 1000),
					 DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL));
	/* Without WAIT_FOR_SUBMIT there is no fence to wait for. */
	EXPECT_EQ(-EINVAL, drmSyncobjWait(self->fd, &fresh, 1, 0, 0, NULL));
	drmSyncobjDestroy(self->fd, fresh);
}

TEST_F(submit, job_fence_is_exportable_as_sync_file)
{
	struct drm_tessera_submit s = nop_job(self, self->syncobj);
	int sync_fd = -1;

	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	ASSERT_EQ(0, drmSyncobjExportSyncFile(self->fd, self->syncobj, &sync_fd));
	ASSERT_GE(sync_fd, 0);
	ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
	close(sync_fd);
}

TEST_F(submit, close_with_jobs_in_flight)
{
	uint32_t bo, *cmd, q;
	uint64_t size, va;
	int fd, i;

	fd = tessera_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, tessera_bo_create_va(fd, self->cmd_size_max, &bo, &va));
	cmd = tessera_bo_map(fd, bo, &size);
	ASSERT_NE(NULL, cmd);
	tessera_fill_nops(cmd, size / 4);
	q = tessera_engine_queue(fd, 0);
	for (i = 0; i < 32; i++)
		ASSERT_EQ(0, tessera_submit(fd, q, va, self->cmd_size_max, 0));
	munmap(cmd, size);
	close(fd);
	/* The device still works for others. */
	{
		struct drm_tessera_submit s = nop_job(self, self->syncobj);

		ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
		ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
	}
}

/* Each row changes one field of a valid NOP submit (signalling one syncobj). */
struct bad_submit {
	const char *what;
	int err;
	void (*apply)(struct drm_tessera_submit *s, struct drm_tessera_sync *sync,
		      struct drm_tessera_bo_ref *ref, uint64_t max);
};

#define BAD(name, body)							\
	static void bad_##name(struct drm_tessera_submit *s,			\
			       struct drm_tessera_sync *sync,			\
			       struct drm_tessera_bo_ref *ref, uint64_t max)	\
	{ (void)s; (void)sync; (void)ref; (void)max; body; }

BAD(flags, s->flags = 1)
BAD(flags_high, s->flags = 0x80000000u)
BAD(pad, s->pad = 1)
BAD(queue_zero, s->queue_id = 0)
BAD(queue_bogus, s->queue_id = 0x7fffffff)
BAD(size_zero, s->cmd_size = 0)
BAD(size_unaligned, s->cmd_size = 6)
BAD(size_too_big, s->cmd_size = max + 4)
BAD(size_max_u32, s->cmd_size = UINT32_MAX & ~3u)
BAD(va_unaligned, s->cmd_va += 2)
BAD(sync_handle, sync[0].handle = 0x7fffffff)
BAD(sync_flags_none, sync[0].flags = 0)
BAD(sync_flags_both, sync[0].flags = DRM_TESSERA_SYNC_WAIT | DRM_TESSERA_SYNC_SIGNAL)
BAD(sync_flags_unknown, sync[0].flags |= 0x100)
BAD(sync_wfs_on_signal, sync[0].flags |= DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT)
BAD(sync_wait_no_fence, sync[0].flags = DRM_TESSERA_SYNC_WAIT)
BAD(syncs_stride_short, s->syncs.stride = 8)
BAD(syncs_stride_huge, s->syncs.stride = 8192)
BAD(syncs_too_many, s->syncs.count = DRM_TESSERA_MAX_SYNCS + 1)
BAD(syncs_unreadable, s->syncs.ptr = 8)
BAD(syncs_unknown_field, (s->syncs.stride = 2 * sizeof(*sync), sync[1].handle = 1))
BAD(bo_handle, (s->bos.count = 1, ref->handle = 0x7fffffff))
BAD(bo_flags, (s->bos.count = 1, ref->flags = 2))
BAD(bos_stride_short, (s->bos.count = 1, s->bos.stride = 4))
BAD(bos_too_many, s->bos.count = DRM_TESSERA_MAX_BO_REFS + 1)
BAD(bos_unreadable, (s->bos.count = 1, s->bos.ptr = 8))

#define ROW(name, e) { #name, e, bad_##name }
static const struct bad_submit bad_submits[] = {
	ROW(flags, EINVAL), ROW(flags_high, EINVAL), ROW(pad, EINVAL),
	ROW(queue_zero, ENOENT), ROW(queue_bogus, ENOENT),
	ROW(size_zero, EINVAL), ROW(size_unaligned, EINVAL),
	ROW(size_too_big, EINVAL), ROW(size_max_u32, EINVAL), ROW(va_unaligned, EINVAL),
	ROW(sync_handle, ENOENT), ROW(sync_flags_none, EINVAL), ROW(sync_flags_both, EINVAL),
	ROW(sync_flags_unknown, EINVAL), ROW(sync_wfs_on_signal, EINVAL),
	ROW(sync_wait_no_fence, EINVAL), ROW(syncs_stride_short, EINVAL),
	ROW(syncs_stride_huge, EINVAL), ROW(syncs_too_many, EINVAL),
	ROW(syncs_unreadable, EFAULT), ROW(syncs_unknown_field, EINVAL),
	ROW(bo_handle, ENOENT), ROW(bo_flags, EINVAL), ROW(bos_stride_short, EINVAL),
	ROW(bos_too_many, EINVAL), ROW(bos_unreadable, EFAULT),
};

TEST_F(submit, bad_arguments_get_the_documented_errno)
{
	struct drm_tessera_sync sync[2];
	struct drm_tessera_bo_ref ref;
	uint32_t fresh;
	unsigned int i;

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &fresh));
	for (i = 0; i < ARRAY_SIZE(bad_submits); i++) {
		struct drm_tessera_submit s = nop_job(self, 0);

		memset(sync, 0, sizeof(sync));
		sync[0] = (struct drm_tessera_sync){ .handle = fresh,
						     .flags = DRM_TESSERA_SYNC_SIGNAL };
		ref = (struct drm_tessera_bo_ref){ .handle = self->bo };
		s.syncs = (struct drm_tessera_obj_array){ sizeof(sync[0]), 1, (uintptr_t)sync };
		s.bos = (struct drm_tessera_obj_array){ sizeof(ref), 0, (uintptr_t)&ref };
		bad_submits[i].apply(&s, sync, &ref, self->cmd_size_max);
		EXPECT_EQ(-bad_submits[i].err,
			  tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s))
			TH_LOG("case %s", bad_submits[i].what);
	}
	/* Nothing was queued: the syncobj still has no fence. */
	EXPECT_EQ(-EINVAL, drmSyncobjWait(self->fd, &fresh, 1, 0, 0, NULL));

	/* And the file still works. */
	{
		struct drm_tessera_submit s = nop_job(self, self->syncobj);

		ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
		ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
	}
}

/* Longer array elements from a newer caller work if the unknown bytes are zero. */
TEST_F(submit, longer_array_elements_with_zero_tails_work)
{
	struct { struct drm_tessera_sync s; uint64_t future[2]; } sync = { 0 };
	struct { struct drm_tessera_bo_ref r; uint64_t future; } ref = { 0 };
	struct drm_tessera_submit s = nop_job(self, 0);

	sync.s = (struct drm_tessera_sync){ .handle = self->syncobj,
					    .flags = DRM_TESSERA_SYNC_SIGNAL };
	ref.r = (struct drm_tessera_bo_ref){ .handle = self->bo };
	s.syncs = (struct drm_tessera_obj_array){ sizeof(sync), 1, (uintptr_t)&sync };
	s.bos = (struct drm_tessera_obj_array){ sizeof(ref), 1, (uintptr_t)&ref };
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
}

TEST_F(submit, queue_of_another_file_is_enoent)
{
	struct drm_tessera_submit s = nop_job(self, 0);
	int other = tessera_open();

	ASSERT_GE(other, 0);
	EXPECT_EQ(-ENOENT, tessera_ioctl(other, DRM_IOCTL_TESSERA_SUBMIT, &s));
	close(other);
}

TEST_HARNESS_MAIN
