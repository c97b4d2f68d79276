// SPDX-License-Identifier: GPL-2.0-only
/*
 * Surprise removal: run by tests/vm-surprise.sh while the host kills the
 * card's emulator.  Every waiter must return, with -ENODEV once the
 * driver has noticed, and new submits must fail fast with -ENODEV.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <linux/sync_file.h>
#include "kselftest_harness.h"
#include "tessera_test.h"

static int fence_status(int fd, uint32_t syncobj)
{
	struct sync_file_info info = { 0 };
	int sync_fd, ret;

	if (drmSyncobjExportSyncFile(fd, syncobj, &sync_fd))
		return -errno;
	ret = ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info) ? -errno : info.status;
	close(sync_fd);
	return ret;
}


TEST(waiters_return_and_submits_fail_when_the_card_dies)
{
	double start = tessera_now_s(), died = 0;
	int fd, ret = 0, completed = 0, failed = 0;
	uint32_t syncobj, *cmd, bo, queue;
	uint64_t size, va;

	fd = tessera_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, tessera_bo_create_va(fd, 4096, &bo, &va));
	cmd = tessera_bo_map(fd, bo, &size);
	ASSERT_NE(NULL, cmd);
	tessera_fill_nops(cmd, size / 4);
	ASSERT_EQ(0, drmSyncobjCreate(fd, 0, &syncobj));
	queue = tessera_engine_queue(fd, 0);
	ASSERT_NE(0, queue);

	/* Keep the card busy until it goes away (at most 120 s, scaled). */
	while (tessera_now_s() - start < 120.0 * tessera_time_scale()) {
		ret = tessera_submit(fd, queue, va, 64, syncobj);
		if (ret)
			break;
		ASSERT_EQ(0, drmSyncobjWait(fd, &syncobj, 1, tessera_abs_timeout(TESSERA_WAIT_NS),
					    0, NULL));
		if (fence_status(fd, syncobj) == 1) {
			completed++;
		} else {
			failed++;
			if (!died)
				died = tessera_now_s();
		}
	}
	TH_LOG("%d jobs completed, %d failed, then submit returned %d", completed, failed, ret);
	EXPECT_GT(completed, 0);
	EXPECT_EQ(-ENODEV, ret);
	/* Once noticed, the failure is quick: one job timeout, not one per job. */
	EXPECT_LE(failed, 2);
	close(fd);
}

TEST_HARNESS_MAIN
