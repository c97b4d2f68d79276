// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device opens and reports its identity.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include "kselftest_harness.h"
#include "tessera_test.h"

FIXTURE(device) {
	int fd;
};

FIXTURE_SETUP(device)
{
	self->fd = tessera_open();
	ASSERT_GE(self->fd, 0) TH_LOG("open /dev/accel/accel0: %s", strerror(errno));
}

FIXTURE_TEARDOWN(device)
{
	close(self->fd);
}

TEST_F(device, version_names_the_driver)
{
	drmVersionPtr v = drmGetVersion(self->fd);

	ASSERT_NE(NULL, v);
	EXPECT_STREQ("tessera", v->name);
	/* The header this test is built with is the ABI the driver speaks. */
	EXPECT_EQ(DRM_TESSERA_ABI_MAJOR, v->version_major);
	drmFreeVersion(v);
}

TEST_F(device, identity_params)
{
	uint64_t v;

	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_DEVICE_ID, &v));
	EXPECT_EQ(0x7e51, v);
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_REVISION, &v));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_HW_VERSION, &v));
	EXPECT_EQ(1, v >> 16);
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_SERIAL, &v));
	EXPECT_NE(0, v);
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_CMD_SIZE_MAX, &v));
	EXPECT_GE(v, 4096);
}

/* Capability bits say what this card does, and only defined bits are set. */
TEST_F(device, capabilities_describe_the_card)
{
	const uint64_t defined = DRM_TESSERA_CAP_DEVICE_MEM | DRM_TESSERA_CAP_EXEC_PERM |
				 DRM_TESSERA_CAP_HUGE_PAGES | DRM_TESSERA_CAP_SPARSE |
				 DRM_TESSERA_CAP_FAULT_INJECT | DRM_TESSERA_CAP_TRAIN;
	uint64_t caps, mem, hw;
	uint32_t h;

	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_CAPABILITIES, &caps));
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_DEVICE_MEM_SIZE, &mem));
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_HW_VERSION, &hw));
	TH_LOG("capabilities %#" PRIx64 ", device memory %" PRIu64 ", hardware %#" PRIx64,
	       caps, mem, hw);
	EXPECT_EQ(0, caps & ~defined);
	/* DEVICE_MEM iff device-memory buffers can be made. */
	EXPECT_EQ(!!mem, !!(caps & DRM_TESSERA_CAP_DEVICE_MEM));
	if (caps & DRM_TESSERA_CAP_DEVICE_MEM) {
		EXPECT_EQ(0, tessera_bo_create_flags(self->fd, 4096, DRM_TESSERA_BO_DEVICE_MEM, &h));
	} else {
		EXPECT_EQ(-EINVAL, tessera_bo_create_flags(self->fd, 4096,
							   DRM_TESSERA_BO_DEVICE_MEM, &h));
	}
	/* The emulated card is hardware 1.5: it checks EXEC on fetch (1.4) */
	EXPECT_EQ((hw & 0xffff) >= 4, !!(caps & DRM_TESSERA_CAP_EXEC_PERM));
	/* ... and runs the training commands (1.5), which the driver passes on */
	EXPECT_EQ((hw & 0xffff) >= 5, !!(caps & DRM_TESSERA_CAP_TRAIN));
	EXPECT_TRUE(caps & DRM_TESSERA_CAP_HUGE_PAGES);
	EXPECT_FALSE(caps & DRM_TESSERA_CAP_SPARSE);
}

TEST_F(device, address_space_params)
{
	uint64_t start, end, sizes, vms, asids;

	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_VA_START, &start));
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_VA_END, &end));
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_PAGE_SIZES, &sizes));
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_VMS_PER_FILE_MAX, &vms));
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_NUM_ASIDS, &asids));
	EXPECT_EQ(TESSERA_VA_START, start);
	EXPECT_EQ(TESSERA_VA_END, end);
	EXPECT_EQ(SZ_4K | SZ_2M, sizes);
	EXPECT_GE(vms, 1000);
	EXPECT_EQ(255, asids);
}

TEST_F(device, engine_counts_add_up)
{
	uint64_t compute, dma, total;

	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_NUM_COMPUTE_ENGINES, &compute));
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_NUM_DMA_ENGINES, &dma));
	ASSERT_EQ(0, tessera_get_param(self->fd, DRM_TESSERA_PARAM_NUM_ENGINES, &total));
	EXPECT_GE(compute, 1);
	EXPECT_EQ(compute + dma, total);
}

TEST_F(device, unknown_param_is_einval)
{
	uint64_t v;

	EXPECT_EQ(-EINVAL, tessera_get_param(self->fd, 0xffff, &v));
	EXPECT_EQ(-EINVAL, tessera_get_param(self->fd, UINT32_MAX, &v));
}

TEST_F(device, nonzero_pad_is_einval)
{
	struct drm_tessera_get_param gp = {
		.param = DRM_TESSERA_PARAM_DEVICE_ID,
		.pad = 1,
	};

	EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_GET_PARAM, &gp));
}

TEST_F(device, unknown_ioctl_is_rejected)
{
	uint64_t buf[8] = { 0 };
	unsigned long req = DRM_IOWR(DRM_COMMAND_BASE + 0x3f, uint64_t[8]);

	EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, req, buf));
}

TEST(sysfs_identity)
{
	const char *card = getenv("TESSERA_CARD");
	char path[128], buf[32] = { 0 };
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/accel/accel%s/device/vendor", card ? card : "0");
	f = fopen(path, "r");
	ASSERT_NE(NULL, f) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_STREQ("0x1234\n", buf);

	snprintf(path, sizeof(path), "/sys/class/accel/accel%s/device/class", card ? card : "0");
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_STREQ("0x120000\n", buf);
}

TEST(many_opens)
{
	int fds[64], i;

	for (i = 0; i < 64; i++) {
		fds[i] = tessera_open();
		ASSERT_GE(fds[i], 0);
	}
	for (i = 0; i < 64; i++)
		close(fds[i]);
}

TEST_HARNESS_MAIN
