// SPDX-License-Identifier: GPL-2.0-only
/*
 * Buffer objects: create, query, map, write, read, close, and bad input.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include "kselftest_harness.h"
#include "tessera_test.h"

FIXTURE(bo) {
	int fd;
};

FIXTURE_SETUP(bo)
{
	self->fd = tessera_open();
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(bo)
{
	close(self->fd);
}

TEST_F(bo, create_rounds_up_to_pages)
{
	struct drm_tessera_bo_create bc = { .size = 1 };
	struct drm_tessera_bo_info bi = { 0 };

	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_BO_CREATE, &bc));
	EXPECT_EQ(getpagesize(), bc.size);
	EXPECT_NE(0, bc.handle);
	bi.handle = bc.handle;
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_BO_INFO, &bi));
	EXPECT_EQ(bc.size, bi.size);
	EXPECT_EQ(0, bi.flags);
	EXPECT_NE(0, bi.mmap_offset);
	EXPECT_EQ(0, tessera_bo_close(self->fd, bc.handle));
}

TEST_F(bo, starts_zeroed_and_keeps_data_across_mappings)
{
	const uint64_t size = 1 << 20;
	uint32_t handle, *p;
	uint64_t mapped, i;

	ASSERT_EQ(0, tessera_bo_create(self->fd, size, &handle));
	p = tessera_bo_map(self->fd, handle, &mapped);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(size, mapped);
	for (i = 0; i < size / 4; i++)
		ASSERT_EQ(0, p[i]);
	for (i = 0; i < size / 4; i++)
		p[i] = (uint32_t)(i * 2654435761u);
	ASSERT_EQ(0, munmap(p, size));

	p = tessera_bo_map(self->fd, handle, &mapped);
	ASSERT_NE(NULL, p);
	for (i = 0; i < size / 4; i++)
		ASSERT_EQ((uint32_t)(i * 2654435761u), p[i]);
	ASSERT_EQ(0, tessera_bo_close(self->fd, handle));
	/* The mapping keeps the pages alive after the handle is gone. */
	EXPECT_EQ((uint32_t)(7 * 2654435761u), p[7]);
	ASSERT_EQ(0, munmap(p, size));
}

TEST_F(bo, write_combined_placement)
{
	struct drm_tessera_bo_create bc = { .size = 65536, .flags = DRM_TESSERA_BO_WC };
	struct drm_tessera_bo_info bi = { 0 };
	uint64_t mapped;
	uint32_t *p;
	int i;

	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_BO_CREATE, &bc));
	bi.handle = bc.handle;
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_BO_INFO, &bi));
	EXPECT_EQ(DRM_TESSERA_BO_WC, bi.flags);
	p = tessera_bo_map(self->fd, bc.handle, &mapped);
	ASSERT_NE(NULL, p);
	for (i = 0; i < 16384; i++)
		p[i] = i;
	for (i = 0; i < 16384; i++)
		ASSERT_EQ(i, p[i]);
	munmap(p, mapped);
}

TEST_F(bo, many_buffers)
{
	uint32_t handles[256];
	int i;

	for (i = 0; i < 256; i++)
		ASSERT_EQ(0, tessera_bo_create(self->fd, 4096 * (1 + i % 7), &handles[i]));
	for (i = 0; i < 256; i++)
		ASSERT_EQ(0, tessera_bo_close(self->fd, handles[i]));
	/* Closing twice fails cleanly. */
	EXPECT_EQ(-EINVAL, tessera_bo_close(self->fd, handles[0]));
}

TEST_F(bo, bad_sizes_are_einval)
{
	const uint64_t sizes[] = { 0, (1ull << 32) + 1, 1ull << 40, UINT64_MAX,
				   UINT64_MAX - 4095 };
	uint32_t handle;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned long long size = sizes[i];

		EXPECT_EQ(-EINVAL, tessera_bo_create(self->fd, size, &handle))
			TH_LOG("size %#llx", size);
	}
}

TEST_F(bo, unknown_flags_are_einval)
{
	struct drm_tessera_bo_create bc = { .size = 4096, .flags = 4 };

	EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_BO_CREATE, &bc));
	bc.flags = 0x80000000u;
	EXPECT_EQ(-EINVAL, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_BO_CREATE, &bc));
}

TEST_F(bo, bad_handles_are_enoent)
{
	struct drm_tessera_bo_info bi = { .handle = 0 };

	EXPECT_EQ(-ENOENT, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_BO_INFO, &bi));
	bi.handle = 0xdeadbeef;
	EXPECT_EQ(-ENOENT, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_BO_INFO, &bi));
}

TEST_F(bo, handles_of_another_file_are_unreachable)
{
	struct drm_tessera_bo_info bi = { 0 };
	uint32_t handle;
	int other;

	other = tessera_open();
	ASSERT_GE(other, 0);
	ASSERT_EQ(0, tessera_bo_create(other, 4096, &handle));
	bi.handle = handle;
	/* The first file has no BO at all, so the number means nothing there. */
	EXPECT_EQ(-ENOENT, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_BO_INFO, &bi));
	EXPECT_EQ(-EINVAL, tessera_bo_close(self->fd, handle));
	EXPECT_EQ(0, tessera_ioctl(other, DRM_IOCTL_TESSERA_BO_INFO, &bi));
	close(other);
}

TEST_F(bo, mmap_beyond_the_buffer_fails)
{
	struct drm_tessera_bo_info bi = { 0 };
	void *p;

	ASSERT_EQ(0, tessera_bo_create(self->fd, 4096, &bi.handle));
	ASSERT_EQ(0, tessera_ioctl(self->fd, DRM_IOCTL_TESSERA_BO_INFO, &bi));
	p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, bi.mmap_offset);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, bi.mmap_offset + 4096);
	EXPECT_EQ(MAP_FAILED, p);
}

TEST_HARNESS_MAIN
