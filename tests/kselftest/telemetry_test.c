// SPDX-License-Identifier: GPL-2.0-only
/*
 * What operators watch: sysfs attributes, hwmon sensors, DRM fdinfo usage
 * statistics, debugfs and tracepoints.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <glob.h>
#include "kselftest_harness.h"
#include "tessera_test.h"

/* Read a small text file into @buf; returns 0 or -errno. */
static long long read_number(const char *fmt, const char *arg)
{
	char path[256], buf[64];

	snprintf(path, sizeof(path), fmt, arg);
	if (tessera_read_text(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 0);
}

/* Value of key @key in /proc/self/fdinfo/@fd, or -1. */
static long long fdinfo_value(int fd, const char *key)
{
	char path[64], buf[4096], *p;
	size_t klen = strlen(key);

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (tessera_read_text(path, buf, sizeof(buf)))
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return strtoll(p + klen + 1, NULL, 10);
	}
	return -1;
}

TEST(sysfs_attributes_match_the_ioctls)
{
	uint64_t serial, engines, mem;
	char path[128], buf[32];
	int fd = tessera_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, tessera_get_param(fd, DRM_TESSERA_PARAM_SERIAL, &serial));
	ASSERT_EQ(0, tessera_get_param(fd, DRM_TESSERA_PARAM_NUM_ENGINES, &engines));
	ASSERT_EQ(0, tessera_get_param(fd, DRM_TESSERA_PARAM_DEVICE_MEM_SIZE, &mem));
	close(fd);

	snprintf(path, sizeof(path), "/sys/class/accel/accel%s/device/tessera/hw_version", tessera_card());
	ASSERT_EQ(0, tessera_read_text(path, buf, sizeof(buf)));
	EXPECT_EQ(0, strncmp(buf, "1.", 2));
	EXPECT_EQ((long long)serial,
		  read_number("/sys/class/accel/accel%s/device/tessera/serial_number", tessera_card()));
	EXPECT_EQ((long long)engines,
		  read_number("/sys/class/accel/accel%s/device/tessera/compute_engines", tessera_card()) +
		  read_number("/sys/class/accel/accel%s/device/tessera/dma_engines", tessera_card()));
	EXPECT_EQ((long long)mem,
		  read_number("/sys/class/accel/accel%s/device/tessera/device_memory_bytes", tessera_card()));
	EXPECT_GE(read_number("/sys/class/accel/accel%s/device/tessera/ecc_corrected", tessera_card()), 0);
	EXPECT_GE(read_number("/sys/class/accel/accel%s/device/tessera/ecc_uncorrected", tessera_card()), 0);
	EXPECT_GE(read_number("/sys/class/accel/accel%s/device/tessera/engine_resets", tessera_card()), 0);
	EXPECT_GE(read_number("/sys/class/accel/accel%s/device/tessera/driver_engine_resets",
			      tessera_card()), 0);
	EXPECT_GT(read_number("/sys/class/accel/accel%s/device/tessera/clock_mhz", tessera_card()), 0);
}

TEST(hwmon_reports_plausible_sensors)
{
	char pattern[128], buf[32], path[300];
	long long temp, crit, power, cap;
	glob_t g;

	snprintf(pattern, sizeof(pattern), "/sys/class/accel/accel%s/device/hwmon/hwmon*", tessera_card());
	ASSERT_EQ(0, glob(pattern, 0, NULL, &g));
	ASSERT_EQ(1, g.gl_pathc);
	snprintf(path, sizeof(path), "%s/name", g.gl_pathv[0]);
	ASSERT_EQ(0, tessera_read_text(path, buf, sizeof(buf)));
	EXPECT_STREQ("tessera\n", buf);
	snprintf(path, sizeof(path), "%s/%%s", g.gl_pathv[0]);
	temp = read_number(path, "temp1_input");
	crit = read_number(path, "temp1_crit");
	power = read_number(path, "power1_input");
	cap = read_number(path, "power1_cap");
	globfree(&g);

	/* millidegrees Celsius and microwatts */
	EXPECT_GE(temp, 10000);
	EXPECT_LT(temp, crit);
	EXPECT_LE(crit, 150000);
	EXPECT_GT(power, 1000000);
	EXPECT_LE(power, cap);
}

/*
 * The emulated T1 has CAPS.TELEMETRY2: labels, the throttle and trip
 * temperatures around the critical one, a 1 s average power and an energy
 * counter that grows (by at least the card's 3 W standby times the wait).
 */
TEST(hwmon_has_labels_limits_average_power_and_energy)
{
	char pattern[128], buf[32], fmt[300], path[320];
	long long max, crit, emerg, avg, cap, e0, e1;
	glob_t g;

	snprintf(pattern, sizeof(pattern), "/sys/class/accel/accel%s/device/hwmon/hwmon*",
		 tessera_card());
	ASSERT_EQ(0, glob(pattern, 0, NULL, &g));
	ASSERT_EQ(1, g.gl_pathc);
	snprintf(fmt, sizeof(fmt), "%s/%%s", g.gl_pathv[0]);
	snprintf(path, sizeof(path), fmt, "temp1_label");
	ASSERT_EQ(0, tessera_read_text(path, buf, sizeof(buf)));
	EXPECT_STREQ("die\n", buf);
	snprintf(path, sizeof(path), fmt, "power1_label");
	ASSERT_EQ(0, tessera_read_text(path, buf, sizeof(buf)));
	EXPECT_STREQ("board\n", buf);
	snprintf(path, sizeof(path), fmt, "energy1_label");
	ASSERT_EQ(0, tessera_read_text(path, buf, sizeof(buf)));
	EXPECT_STREQ("board\n", buf);
	max = read_number(fmt, "temp1_max");
	crit = read_number(fmt, "temp1_crit");
	emerg = read_number(fmt, "temp1_emergency");
	EXPECT_EQ(90000, max);
	EXPECT_LT(max, crit);
	EXPECT_LT(crit, emerg);
	avg = read_number(fmt, "power1_average");
	cap = read_number(fmt, "power1_cap");
	EXPECT_GE(avg, 3000000);
	EXPECT_LE(avg, cap);
	e0 = read_number(fmt, "energy1_input");
	usleep(500000);
	e1 = read_number(fmt, "energy1_input");
	globfree(&g);
	EXPECT_GT(e0, 0);
	/* microjoules: 0.5 s at no less than the 3 W standby power */
	EXPECT_GE(e1 - e0, 1500000);
}

TEST(fdinfo_engine_time_grows_with_work)
{
	uint64_t size, max, va;
	long long before, after, cycles;
	uint32_t bo, syncobj, *cmd, queue;
	char path[64], buf[4096];
	int fd, i;

	fd = tessera_open();
	ASSERT_GE(fd, 0);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	ASSERT_EQ(0, tessera_read_text(path, buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "drm-driver:\ttessera\n"));
	EXPECT_NE(NULL, strstr(buf, "drm-client-id:\t"));
	EXPECT_NE(NULL, strstr(buf, "drm-pdev:\t"));
	before = fdinfo_value(fd, "drm-engine-compute");
	ASSERT_EQ(0, before);

	ASSERT_EQ(0, tessera_get_param(fd, DRM_TESSERA_PARAM_CMD_SIZE_MAX, &max));
	ASSERT_EQ(0, tessera_bo_create_va(fd, max, &bo, &va));
	cmd = tessera_bo_map(fd, bo, &size);
	ASSERT_NE(NULL, cmd);
	tessera_fill_nops(cmd, size / 4);
	ASSERT_EQ(0, drmSyncobjCreate(fd, 0, &syncobj));
	queue = tessera_engine_queue(fd, 0);
	ASSERT_NE(0, queue);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, tessera_submit(fd, queue, va, max, syncobj));
	ASSERT_EQ(0, drmSyncobjWait(fd, &syncobj, 1, tessera_abs_timeout(TESSERA_WAIT_NS), 0,
				    NULL));
	after = fdinfo_value(fd, "drm-engine-compute");
	EXPECT_GT(after, before);
	cycles = fdinfo_value(fd, "drm-cycles-compute");
	EXPECT_GT(cycles, 0);

	/* Memory keys: the 256 KiB+ command buffer is counted. */
	ASSERT_EQ(0, tessera_read_text(path, buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "drm-total-")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "drm-resident-"));
	munmap(cmd, size);
	close(fd);
}

/* A memory key of fdinfo in bytes ("drm-total-system:\t8 MiB"), or -1. */
static long long fdinfo_bytes(int fd, const char *key)
{
	char path[64], buf[4096], unit[8] = "";
	const char *p;
	long long v;
	size_t klen = strlen(key);

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (tessera_read_text(path, buf, sizeof(buf)))
		return -1;
	for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) || p[klen] != ':')
			continue;
		if (sscanf(p + klen + 1, "%lld %7s", &v, unit) < 1)
			return -1;
		if (!strcmp(unit, "KiB"))
			v <<= 10;
		else if (!strcmp(unit, "MiB"))
			v <<= 20;
		else if (!strcmp(unit, "GiB"))
			v <<= 30;
		return v;
	}
	return -1;
}

TEST(fdinfo_memory_tracks_allocations_and_frees)
{
	struct drm_tessera_bo_create hbm = { .size = 16 << 20, .flags = DRM_TESSERA_BO_DEVICE_MEM };
	long long sys0, hbm0;
	uint32_t host;
	uint64_t va;
	int fd = tessera_open();

	ASSERT_GE(fd, 0);
	sys0 = fdinfo_bytes(fd, "drm-total-system");
	hbm0 = fdinfo_bytes(fd, "drm-total-hbm");
	ASSERT_GE(sys0, 0);
	ASSERT_GE(hbm0, 0);

	ASSERT_EQ(0, tessera_bo_create_va(fd, 8 << 20, &host, &va));
	ASSERT_EQ(0, tessera_ioctl(fd, DRM_IOCTL_TESSERA_BO_CREATE, &hbm));
	EXPECT_EQ(sys0 + (8 << 20), fdinfo_bytes(fd, "drm-total-system"));
	EXPECT_EQ(sys0 + (8 << 20), fdinfo_bytes(fd, "drm-resident-system"));
	EXPECT_EQ(hbm0 + (16 << 20), fdinfo_bytes(fd, "drm-total-hbm"));

	ASSERT_EQ(0, tessera_bo_close(fd, host));
	ASSERT_EQ(0, tessera_bo_close(fd, hbm.handle));
	EXPECT_EQ(sys0, fdinfo_bytes(fd, "drm-total-system"));
	EXPECT_EQ(hbm0, fdinfo_bytes(fd, "drm-total-hbm"));
	close(fd);
}

TEST(fdinfo_is_per_client)
{
	int a = tessera_open(), b = tessera_open();

	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	EXPECT_NE(fdinfo_value(a, "drm-client-id"), fdinfo_value(b, "drm-client-id"));
	EXPECT_EQ(0, fdinfo_value(b, "drm-engine-compute"));
	close(a);
	close(b);
}

TEST(debugfs_rings)
{
	char pattern[128], buf[8192];
	glob_t g;
	unsigned int i;
	int found = 0;

	/* The accel debugfs directory is named after the minor. */
	snprintf(pattern, sizeof(pattern), "/sys/kernel/debug/accel/*/rings");
	if (glob(pattern, 0, NULL, &g))
		SKIP(return, "debugfs not mounted");
	for (i = 0; i < g.gl_pathc; i++) {
		ASSERT_EQ(0, tessera_read_text(g.gl_pathv[i], buf, sizeof(buf)));
		found += strstr(buf, "ring 0 (compute): head ") != NULL;
	}
	EXPECT_EQ(g.gl_pathc, found);
	EXPECT_GE(found, 1);
	globfree(&g);
}

TEST(debugfs_contexts_list_clients_and_buffers)
{
	char buf[16384], want[64];
	uint32_t bo;
	uint64_t va;
	glob_t g;
	int fd;

	if (glob("/sys/kernel/debug/accel/*/contexts", 0, NULL, &g))
		SKIP(return, "debugfs not mounted");
	fd = tessera_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, tessera_bo_create_va(fd, 3 << 20, &bo, &va));
	snprintf(want, sizeof(want), "bind %#014llx size %#x offset 0 prot rwx host",
		 (unsigned long long)va, 3 << 20);
	{
		int found = 0;
		unsigned int i;

		for (i = 0; i < g.gl_pathc; i++) {
			ASSERT_EQ(0, tessera_read_text(g.gl_pathv[i], buf, sizeof(buf)));
			found += strstr(buf, want) != NULL;
		}
		EXPECT_EQ(1, found) TH_LOG("no '%s' in contexts: %s", want, buf);
	}
	globfree(&g);
	close(fd);
}

TEST(tracepoints_record_a_job)
{
	const char *t = "/sys/kernel/tracing";
	char path[128], buf[65536];
	uint32_t bo, syncobj, *cmd;
	uint64_t size, va;
	int fd, efd;

	snprintf(path, sizeof(path), "%s/events/tessera/enable", t);
	efd = open(path, O_WRONLY);
	if (efd < 0)
		SKIP(return, "tracefs not available: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/trace", t);
	close(open(path, O_WRONLY | O_TRUNC));
	ASSERT_EQ(1, write(efd, "1", 1));

	fd = tessera_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, tessera_bo_create_va(fd, 4096, &bo, &va));
	cmd = tessera_bo_map(fd, bo, &size);
	ASSERT_NE(NULL, cmd);
	tessera_fill_nops(cmd, size / 4);
	ASSERT_EQ(0, drmSyncobjCreate(fd, 0, &syncobj));
	ASSERT_EQ(0, tessera_submit(fd, tessera_engine_queue(fd, 0), va, 64, syncobj));
	ASSERT_EQ(0, drmSyncobjWait(fd, &syncobj, 1, tessera_abs_timeout(TESSERA_WAIT_NS), 0,
				    NULL));
	ASSERT_EQ(1, write(efd, "0", 1));
	close(efd);

	ASSERT_EQ(0, tessera_read_text(path, buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "tessera_job_submit:"));
	EXPECT_NE(NULL, strstr(buf, "tessera_job_run:"));
	EXPECT_NE(NULL, strstr(buf, "tessera_job_complete:"));
	munmap(cmd, size);
	close(fd);
}

TEST_HARNESS_MAIN
