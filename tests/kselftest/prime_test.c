// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sharing buffers by dma-buf (PRIME): between two files of one card and
 * between two cards, with the buffer bound into the importer's VM and
 * used by its jobs.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include "kselftest_harness.h"
#include "tessera_test.h"

#define SHARED_SIZE	(1 << 20)

/* Open card @n as a client. */
static int client_open_card(struct client *c, int n)
{
	char buf[16];
	const char *old = getenv("TESSERA_CARD");
	char saved[16] = "";
	int ret;

	if (old)
		snprintf(saved, sizeof(saved), "%s", old);
	snprintf(buf, sizeof(buf), "%d", n);
	setenv("TESSERA_CARD", buf, 1);
	ret = client_open(c);
	if (old)
		setenv("TESSERA_CARD", saved, 1);
	else
		unsetenv("TESSERA_CARD");
	return ret;
}

static int num_cards(void)
{
	char path[64];
	int n = 0;

	for (;;) {
		snprintf(path, sizeof(path), "/dev/accel/accel%d", n);
		if (access(path, F_OK))
			return n;
		n++;
	}
}

/* Exporter @a makes a buffer with a known pattern and shares it with @b. */
static void share(struct __test_metadata *_metadata, struct client *a, struct client *b,
		  uint32_t *a_handle, uint32_t **a_map, uint32_t *b_handle, uint64_t *b_va)
{
	struct drm_tessera_bo_info bi = { 0 };
	uint64_t a_va, mapped;
	int fd, i;

	ASSERT_EQ(0, tessera_bo_create_va(a->fd, SHARED_SIZE, a_handle, &a_va));
	*a_map = tessera_bo_map(a->fd, *a_handle, &mapped);
	ASSERT_NE(NULL, *a_map);
	for (i = 0; i < SHARED_SIZE / 4; i++)
		(*a_map)[i] = i ^ 0x5a5a5a5a;

	ASSERT_EQ(0, drmPrimeHandleToFD(a->fd, *a_handle, DRM_CLOEXEC | DRM_RDWR, &fd));
	ASSERT_EQ(0, drmPrimeFDToHandle(b->fd, fd, b_handle));
	close(fd);
	bi.handle = *b_handle;
	ASSERT_EQ(0, tessera_ioctl(b->fd, DRM_IOCTL_TESSERA_BO_INFO, &bi));
	EXPECT_EQ(SHARED_SIZE, bi.size);
	EXPECT_NE(0, bi.mmap_offset);
	ASSERT_EQ(0, tessera_bo_bind_va(b->fd, *b_handle, SHARED_SIZE, b_va));
}

/* The importer reads the shared buffer with COPY and writes it with FILL. */
static void use_shared(struct __test_metadata *_metadata, struct client *b, uint64_t b_va,
		       uint32_t *a_map)
{
	uint32_t own, *p;
	uint64_t own_va, mapped;
	int i;

	ASSERT_EQ(0, tessera_bo_create_va(b->fd, SHARED_SIZE, &own, &own_va));
	p = tessera_bo_map(b->fd, own, &mapped);
	ASSERT_NE(NULL, p);
	emit_copy(b, b_va, own_va, SHARED_SIZE);
	ASSERT_EQ(1, run(b, 0));
	for (i = 0; i < SHARED_SIZE / 4; i++)
		ASSERT_EQ((uint32_t)(i ^ 0x5a5a5a5a), p[i]) TH_LOG("word %d", i);

	emit_fill(b, b_va + 4096, 4096, 0xb0b0b0b0);
	ASSERT_EQ(1, run(b, 0));
	EXPECT_EQ(0xb0b0b0b0, a_map[1024]);
	EXPECT_EQ(0xb0b0b0b0, a_map[2047]);
	EXPECT_EQ((uint32_t)(2048 ^ 0x5a5a5a5a), a_map[2048]);
	munmap(p, SHARED_SIZE);
}

TEST(share_between_two_files_of_one_card)
{
	struct client a, b;
	uint32_t ah, bh, *amap;
	uint64_t bva;

	ASSERT_EQ(0, client_open(&a));
	ASSERT_EQ(0, client_open(&b));
	share(_metadata, &a, &b, &ah, &amap, &bh, &bva);
	use_shared(_metadata, &b, bva, amap);

	/* The exporter lets go; the importer keeps it alive. */
	ASSERT_EQ(0, tessera_bo_close(a.fd, ah));
	emit_fill(&b, bva, 64, 1);
	EXPECT_EQ(1, run(&b, 0));

	/* So does the importer's binding once its handle is closed too... */
	ASSERT_EQ(0, tessera_bo_close(b.fd, bh));
	emit_fill(&b, bva, 64, 2);
	EXPECT_EQ(1, run(&b, 0));
	EXPECT_EQ(2, amap[0]);
	/* ...until it is unbound: then the range faults. */
	ASSERT_EQ(0, tessera_unmap(b.fd, tessera_default_vm(b.fd), bva, SHARED_SIZE));
	emit_fill(&b, bva, 64, 3);
	EXPECT_EQ(-EFAULT, run(&b, 0));
	EXPECT_EQ(2, amap[0]);
	munmap(amap, SHARED_SIZE);
	client_close(&a);
	client_close(&b);
}

TEST(share_between_two_cards)
{
	struct client a, b;
	uint32_t ah, bh, *amap;
	uint64_t bva;

	if (num_cards() < 2)
		SKIP(return, "needs two cards (tests/vm-kselftests.sh --cards 2)");
	ASSERT_EQ(0, client_open_card(&a, 0));
	ASSERT_EQ(0, client_open_card(&b, 1));
	share(_metadata, &a, &b, &ah, &amap, &bh, &bva);
	use_shared(_metadata, &b, bva, amap);
	ASSERT_EQ(0, tessera_bo_close(b.fd, bh));
	ASSERT_EQ(0, tessera_bo_close(a.fd, ah));
	munmap(amap, SHARED_SIZE);
	client_close(&a);
	client_close(&b);
}

/*
 * The exporter binds its buffer only after the other card has imported
 * it: both cards then map the same pages, the importer's mapping first.
 * A debug kernel's DMA-API checks fail this unless the exporter's own
 * mapping comes before any attachment's.
 */
TEST(exporter_binds_after_another_card_imported)
{
	struct client a, b;
	uint32_t ah, bh, *amap, *p, own;
	uint64_t ava = 0, bva = 0, own_va, mapped;
	int fd, i;

	if (num_cards() < 2)
		SKIP(return, "needs two cards (tests/vm-kselftests.sh --cards 2)");
	ASSERT_EQ(0, client_open_card(&a, 0));
	ASSERT_EQ(0, client_open_card(&b, 1));
	ASSERT_EQ(0, tessera_bo_create(a.fd, SHARED_SIZE, &ah));
	ASSERT_EQ(0, drmPrimeHandleToFD(a.fd, ah, DRM_CLOEXEC | DRM_RDWR, &fd));
	ASSERT_EQ(0, drmPrimeFDToHandle(b.fd, fd, &bh));
	close(fd);
	ASSERT_EQ(0, tessera_bo_bind_va(b.fd, bh, SHARED_SIZE, &bva));
	ASSERT_EQ(0, tessera_bo_bind_va(a.fd, ah, SHARED_SIZE, &ava));
	amap = tessera_bo_map(a.fd, ah, &mapped);
	ASSERT_NE(NULL, amap);

	/* Card 1 fills, card 0 copies it into its own buffer. */
	emit_fill(&b, bva, SHARED_SIZE, 0x600dcafe);
	ASSERT_EQ(1, run(&b, 0));
	ASSERT_EQ(0, tessera_bo_create_va(a.fd, SHARED_SIZE, &own, &own_va));
	p = tessera_bo_map(a.fd, own, &mapped);
	ASSERT_NE(NULL, p);
	emit_copy(&a, ava, own_va, SHARED_SIZE);
	ASSERT_EQ(1, run(&a, 0));
	for (i = 0; i < SHARED_SIZE / 4; i += 1021)
		ASSERT_EQ(0x600dcafe, p[i]) TH_LOG("word %d", i);
	EXPECT_EQ(0x600dcafe, amap[SHARED_SIZE / 4 - 1]);
	munmap(p, SHARED_SIZE);
	munmap(amap, SHARED_SIZE);
	client_close(&a);
	client_close(&b);
}

TEST(a_buffer_listed_twice_is_einval)
{
	struct drm_tessera_bo_ref refs[2];
	struct drm_tessera_submit s = { 0 };
	struct client a;
	uint32_t bo;
	uint64_t va;

	ASSERT_EQ(0, client_open(&a));
	ASSERT_EQ(0, tessera_bo_create_va(a.fd, 4096, &bo, &va));
	tessera_fill_nops(a.cmd, 16);
	refs[0] = (struct drm_tessera_bo_ref){ bo, 0 };
	refs[1] = (struct drm_tessera_bo_ref){ bo, DRM_TESSERA_BO_REF_WRITE };
	s.queue_id = tessera_engine_queue(a.fd, 0);
	s.cmd_va = a.cmd_va;
	s.cmd_size = 64;
	s.bos = (struct drm_tessera_obj_array){ sizeof(refs[0]), 2, (uintptr_t)refs };
	EXPECT_EQ(-EINVAL, tessera_ioctl(a.fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	/* Listing the command buffer itself is fine. */
	refs[1] = (struct drm_tessera_bo_ref){ a.cmd_bo, 0 };
	EXPECT_EQ(0, tessera_ioctl(a.fd, DRM_IOCTL_TESSERA_SUBMIT, &s));
	client_close(&a);
}

/* Importing your own export, or one dma-buf twice, gives the handle you have. */
TEST(importing_a_buffer_twice_gives_one_handle)
{
	struct client a, b;
	uint32_t bo, again, b1, b2;
	uint64_t va;
	int fd;

	ASSERT_EQ(0, client_open(&a));
	ASSERT_EQ(0, client_open(&b));
	ASSERT_EQ(0, tessera_bo_create_va(a.fd, 4096, &bo, &va));
	ASSERT_EQ(0, drmPrimeHandleToFD(a.fd, bo, DRM_CLOEXEC | DRM_RDWR, &fd));
	ASSERT_EQ(0, drmPrimeFDToHandle(a.fd, fd, &again));
	EXPECT_EQ(bo, again);
	ASSERT_EQ(0, drmPrimeFDToHandle(b.fd, fd, &b1));
	ASSERT_EQ(0, drmPrimeFDToHandle(b.fd, fd, &b2));
	EXPECT_EQ(b1, b2);
	close(fd);
	/* One handle: closing it once closes it. */
	EXPECT_EQ(0, tessera_bo_close(b.fd, b1));
	EXPECT_EQ(-EINVAL, tessera_bo_close(b.fd, b2));
	client_close(&a);
	client_close(&b);
}

TEST_HARNESS_MAIN
