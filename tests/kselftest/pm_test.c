// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runtime power management: an idle card goes to D3hot by itself and
 * wakes for jobs, sensor reads and device-memory mappings; buffers and
 * contexts that change while it sleeps work when it wakes.
 *
 * Needs the driver's default autosuspend (autosuspend_ms >= 0) and no
 * other user of the card while it runs.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <glob.h>
#include <sys/mman.h>
#include "kselftest_harness.h"
#include "tessera_test.h"

#define SLEEP_WAIT_MS	tessera_scaled_ms(15000)	/* autosuspend is 1 s; TCG is slow */

/* Read /sys/class/accel/accelN/device/@attr into @buf; 0 or -errno. */
static int read_dev_attr(const char *attr, char *buf, size_t len)
{
	char path[256];
	int ret;

	snprintf(path, sizeof(path), "/sys/class/accel/accel%s/device/%s", tessera_card(), attr);
	ret = tessera_read_text(path, buf, len);
	if (!ret)
		buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

static bool runtime_status_is(const char *want)
{
	char buf[32];

	return !read_dev_attr("power/runtime_status", buf, sizeof(buf)) && !strcmp(buf, want);
}

/* Wait until the card's runtime PM status is @want. */
static bool wait_runtime_status(const char *want)
{
	for (int ms = 0; ms < SLEEP_WAIT_MS; ms += 50) {
		if (runtime_status_is(want))
			return true;
		usleep(50 * 1000);
	}
	return runtime_status_is(want);
}

static long long suspended_ms(void)
{
	char buf[32];

	return read_dev_attr("power/runtime_suspended_time", buf, sizeof(buf)) ? -1 :
	       strtoll(buf, NULL, 10);
}

/* Fill @size bytes at @va with @pattern on @engine; fence status (1 = ok). */
static int fill(struct client *c, uint64_t va, uint32_t size, uint32_t pattern,
		uint32_t engine)
{
	emit_fill(c, va, size, pattern);
	return run(c, engine);
}

TEST(idle_card_sleeps_and_wakes_for_work)
{
	uint64_t va, size;
	long long before;
	struct client c;
	uint32_t bo, *p;

	ASSERT_TRUE(wait_runtime_status("suspended"));
	before = suspended_ms();
	usleep(20 * 1000);	/* the counter has 1 ms resolution */
	ASSERT_EQ(0, client_open(&c));
	ASSERT_EQ(0, tessera_bo_create_va(c.fd, 65536, &bo, &va));
	p = tessera_bo_map(c.fd, bo, &size);
	ASSERT_NE(NULL, p);
	/* a job wakes it and runs correctly */
	ASSERT_EQ(1, fill(&c, va, 65536, 0xc0ffee00, 0));
	for (uint32_t i = 0; i < 65536 / 4; i++)
		ASSERT_EQ(0xc0ffee00, p[i]);
	EXPECT_GT(suspended_ms(), before);
	/* an open file with no work does not keep it awake */
	ASSERT_TRUE(wait_runtime_status("suspended"));
	ASSERT_EQ(1, fill(&c, va, 4096, 0x12345678, 0));
	EXPECT_EQ(0x12345678, p[0]);
	munmap(p, size);
	client_close(&c);
	ASSERT_TRUE(wait_runtime_status("suspended"));
}

TEST(sensors_wake_the_card_and_show_standby_power)
{
	char pattern[128], path[300], buf[32];
	long long power;
	glob_t g;
	int fd;

	snprintf(pattern, sizeof(pattern), "/sys/class/accel/accel%s/device/hwmon/hwmon*/power1_input",
		 tessera_card());
	ASSERT_EQ(0, glob(pattern, 0, NULL, &g));
	ASSERT_EQ(1, g.gl_pathc);
	snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
	globfree(&g);
	ASSERT_TRUE(wait_runtime_status("suspended"));
	/* give D3hot time to bring the power down to its standby figure */
	usleep(500 * 1000);
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_GT(read(fd, buf, sizeof(buf) - 1), 0);
	close(fd);
	power = strtoll(buf, NULL, 10);
	TH_LOG("power read on waking from D3hot: %.2f W (25 W idle in D0)", power / 1e6);
	/* The read woke the card; it was still near the 3 W standby power. */
	EXPECT_GT(power, 0);
	EXPECT_LT(power, 24000000);
	ASSERT_TRUE(wait_runtime_status("suspended"));
}

TEST(device_memory_mapping_keeps_the_card_awake)
{
	struct drm_tessera_bo_create bc = { .size = 1 << 20, .flags = DRM_TESSERA_BO_DEVICE_MEM };
	uint64_t size;
	uint32_t *p;
	int fd = tessera_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, tessera_ioctl(fd, DRM_IOCTL_TESSERA_BO_CREATE, &bc));
	p = tessera_bo_map(fd, bc.handle, &size);
	ASSERT_NE(NULL, p);
	for (uint32_t i = 0; i < size / 4; i++)
		p[i] = i ^ 0xa5a5a5a5;
	/* well past autosuspend: BAR2 must still decode */
	usleep(3000 * 1000);
	EXPECT_TRUE(runtime_status_is("active"));
	for (uint32_t i = 0; i < size / 4; i++)
		ASSERT_EQ(i ^ 0xa5a5a5a5, p[i]);
	munmap(p, size);
	ASSERT_TRUE(wait_runtime_status("suspended"));
	close(fd);
}

TEST(buffers_and_contexts_change_while_the_card_sleeps)
{
	uint64_t va1, va2, size;
	struct client a, b;
	uint32_t bo1, bo2, *p;

	/* a context that faults is halted on ring 0 ... */
	ASSERT_EQ(0, client_open(&b));
	ASSERT_EQ(-EFAULT, fill(&b, 0x7000000000ull, 4096, 0, 0));
	client_close(&b);

	ASSERT_EQ(0, client_open(&a));
	ASSERT_EQ(0, tessera_bo_create_va(a.fd, 65536, &bo1, &va1));
	ASSERT_TRUE(wait_runtime_status("suspended"));
	/* unmap (TLB flush) and map while asleep */
	ASSERT_EQ(0, tessera_bo_close(a.fd, bo1));
	ASSERT_EQ(0, tessera_bo_create_va(a.fd, 65536, &bo2, &va2));
	EXPECT_TRUE(runtime_status_is("suspended"));
	p = tessera_bo_map(a.fd, bo2, &size);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(1, fill(&a, va2, 65536, 0x0badcafe, 0));
	for (uint32_t i = 0; i < 65536 / 4; i++)
		ASSERT_EQ(0x0badcafe, p[i]);
	munmap(p, size);
	client_close(&a);

	/* ... and its context number, reused after sleeping, runs again */
	ASSERT_TRUE(wait_runtime_status("suspended"));
	for (int i = 0; i < 4; i++) {
		uint64_t va;
		uint32_t bo;

		ASSERT_EQ(0, client_open(&b));
		ASSERT_EQ(0, tessera_bo_create_va(b.fd, 4096, &bo, &va));
		EXPECT_EQ(1, fill(&b, va, 4096, i, 0));
		client_close(&b);
	}
}

TEST_HARNESS_MAIN
