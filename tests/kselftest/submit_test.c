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
	uint64_t bo_size;
	uint32_t syncobj;
	uint64_t num_engines;
	uint64_t cmd_size_max;
};

FIXTURE_SETUP(submit)
{
	self->fd = tessera_open();
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_NUM_ENGINES,
				       &self->num_engines));
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_CMD_SIZE_MAX,
				       &self->cmd_size_max));
	ASSERT_EQ(0, tessera_bo_create(self->fd, self->cmd_size_max + 4096, &self->bo));
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

static struct drm_tessera_submit nop_job(uint32_t bo, uint32_t out)
{
	struct drm_tessera_submit s = {
		.cmd_handle = bo,
		.cmd_size = 64,
		.out_syncobj = out,
	};
	return s;
}

static int wait_one(int fd, uint32_t syncobj)
{
	return drmSyncobjWait(fd, &syncobj, 1, tessera_abs_timeout(TESSERA_WAIT_NS),
			      0, NULL) ? -errno : 0;
}

TEST_F(submit, nop_completes_and_signals_the_syncobj)
{
	struct drm_tessera_submit s = nop_job(self->bo, self->syncobj);

	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
}

TEST_F(submit, every_engine_runs_jobs)
{
	struct drm_tessera_submit s = nop_job(self->bo, self->syncobj);
	uint32_t e;

	for (e = 0; e < self->num_engines; e++) {
		s.engine = e;
		ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
		ASSERT_EQ(0, wait_one(self->fd, self->syncobj)) TH_LOG("engine %u", e);
	}
}

TEST_F(submit, seqnos_increase_and_all_jobs_complete)
{
	struct drm_tessera_submit s = nop_job(self->bo, self->syncobj);
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
	struct drm_tessera_submit s = nop_job(self->bo, self->syncobj);

	s.cmd_size = self->cmd_size_max;
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
	s.cmd_offset = self->bo_size - 4;
	s.cmd_size = 4;
	self->cmd[self->bo_size / 4 - 1] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 1);
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
}

TEST_F(submit, in_syncobj_orders_jobs)
{
	struct drm_tessera_submit s = nop_job(self->bo, self->syncobj);
	uint32_t second;
	uint64_t point = 0;

	ASSERT_EQ(0, drmSyncobjCreate(self->fd, 0, &second));
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	s.in_syncobj = self->syncobj;
	s.out_syncobj = second;
	s.engine = self->num_engines - 1;
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	ASSERT_EQ(0, wait_one(self->fd, second));
	/* The dependency signaled first. */
	ASSERT_EQ(0, drmSyncobjQuery(self->fd, &self->syncobj, &point, 1));
	ASSERT_EQ(0, drmSyncobjWait(self->fd, &self->syncobj, 1, 0, 0, NULL));
	drmSyncobjDestroy(self->fd, second);
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
	struct drm_tessera_submit s = nop_job(self->bo, self->syncobj);
	int sync_fd = -1;

	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	ASSERT_EQ(0, drmSyncobjExportSyncFile(self->fd, self->syncobj, &sync_fd));
	ASSERT_GE(sync_fd, 0);
	ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
	close(sync_fd);
}

TEST_F(submit, close_with_jobs_in_flight)
{
	struct drm_tessera_submit s;
	uint32_t bo, *cmd;
	uint64_t size;
	int fd, i;

	fd = tessera_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, tessera_bo_create(fd, self->cmd_size_max, &bo));
	cmd = tessera_bo_map(fd, bo, &size);
	ASSERT_NE(NULL, cmd);
	tessera_fill_nops(cmd, size / 4);
	s = nop_job(bo, 0);
	s.cmd_size = self->cmd_size_max;
	for (i = 0; i < 32; i++)
		ASSERT_EQ(0, tessera_ioctl(fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	munmap(cmd, size);
	close(fd);
	/* The device still works for others. */
	s = nop_job(self->bo, self->syncobj);
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
}

/* Each row changes one field of a valid NOP submit. */
struct bad_submit {
	const char *what;
	int err;
	void (*apply)(struct drm_tessera_submit *s, uint32_t *cmd, uint64_t max);
};

#define BAD(name, body)						\
	static void bad_##name(struct drm_tessera_submit *s, uint32_t *cmd,	\
			       uint64_t max)				\
	{ (void)s; (void)cmd; (void)max; body; }

BAD(flags, s->flags = 1)
BAD(flags_high, s->flags = 0x80000000u)
BAD(engine, s->engine = 16)
BAD(engine_huge, s->engine = UINT32_MAX)
BAD(size_zero, s->cmd_size = 0)
BAD(size_unaligned, s->cmd_size = 6)
BAD(size_too_big, s->cmd_size = max + 4)
BAD(size_max_u32, s->cmd_size = UINT32_MAX & ~3u)
BAD(offset_unaligned, s->cmd_offset = 2)
BAD(past_end, s->cmd_offset = max + 4096 - 60)
BAD(offset_overflow, s->cmd_offset = UINT64_MAX - 3)
BAD(offset_huge, s->cmd_offset = 1ull << 40)
BAD(handle_zero, s->cmd_handle = 0)
BAD(handle_bogus, s->cmd_handle = 0x7fffffff)
BAD(out_syncobj, s->out_syncobj = 0x7fffffff)
BAD(in_syncobj, s->in_syncobj = 0x7fffffff)

#define ROW(name, e) { #name, e, bad_##name }
static const struct bad_submit bad_submits[] = {
	ROW(flags, EINVAL), ROW(flags_high, EINVAL), ROW(engine, EINVAL),
	ROW(engine_huge, EINVAL), ROW(size_zero, EINVAL), ROW(size_unaligned, EINVAL),
	ROW(size_too_big, EINVAL), ROW(size_max_u32, EINVAL),
	ROW(offset_unaligned, EINVAL), ROW(past_end, EINVAL),
	ROW(offset_overflow, EINVAL), ROW(offset_huge, EINVAL),
	ROW(handle_zero, ENOENT), ROW(handle_bogus, ENOENT),
	ROW(out_syncobj, ENOENT), ROW(in_syncobj, ENOENT),
};

TEST_F(submit, bad_arguments_get_the_documented_errno)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_submits); i++) {
		struct drm_tessera_submit s = nop_job(self->bo, self->syncobj);

		tessera_fill_nops(self->cmd, self->bo_size / 4);
		bad_submits[i].apply(&s, self->cmd, self->cmd_size_max);
		EXPECT_EQ(-bad_submits[i].err,
			  tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s))
			TH_LOG("case %s", bad_submits[i].what);
	}

	/* Nothing was queued, and the file still works. */
	tessera_fill_nops(self->cmd, self->bo_size / 4);
	{
		struct drm_tessera_submit s = nop_job(self->bo, self->syncobj);

		ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
		ASSERT_EQ(0, wait_one(self->fd, self->syncobj));
	}
}

TEST_F(submit, bo_of_another_file_is_enoent)
{
	struct drm_tessera_submit s = nop_job(self->bo, 0);
	int other = tessera_open();

	ASSERT_GE(other, 0);
	EXPECT_EQ(-ENOENT, tessera_ioctl(other, DRM_IOCTL_TESSERA_SUBMIT, &s));
	close(other);
}

TEST_HARNESS_MAIN
