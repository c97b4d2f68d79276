// SPDX-License-Identifier: MIT
/*
 * accel-smi: list Tessera cards with their identity, PCI link, memory,
 * engine utilization, sensors, error counters and the processes using them;
 * reset a card (root).
 *
 * Everything comes from sysfs, hwmon, libpci and DRM fdinfo: accel-smi never
 * opens a card itself, so it does not show up as a user of the card and
 * cannot keep the module busy.
 *
 * See Documentation/admin-guide.rst ("accel-smi") and --help.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pci/pci.h>

#define SMI_JSON_VERSION 1
#define SMI_SAMPLE_MS 200		/* one-shot utilization sample */
#define SMI_FILE_MAX 8192		/* bound for any sysfs/proc read */
#define SMI_MAX_CARDS 64

struct smi_client {
	char pdev[32];
	unsigned long long id;
	int pid;
	char comm[64];
	bool has_sys, has_hbm;
	uint64_t sys_total, sys_resident, hbm_total, hbm_resident;
	bool has_compute, has_dma;
	uint64_t compute_ns, dma_ns;
};

struct smi_scan {
	struct smi_client *c;
	size_t n, cap;
	struct timespec when;
};

struct smi_card {
	int index;
	char sysname[32];		/* accelN */
	char addr[32];			/* PCI address, domain:bus:dev.fn */
	char sysdir[PATH_MAX];		/* /sys/class/accel/accelN/device */
};

struct smi_opts {
	bool json;
	double loop;			/* seconds, 0 = once */
	int index;			/* -1 = all */
	bool force;
};

struct smi_ctx {
	struct pci_access *pacc;
	struct smi_opts o;
	struct smi_scan prev;
	bool have_prev;
};

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("accel-smi: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void pci_err(char *msg, ...) __attribute__((noreturn));
static void pci_err(char *msg, ...)
{
	va_list ap;

	fputs("accel-smi: libpci: ", stderr);
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void pci_quiet(char *msg, ...)
{
	(void)msg;
}

/* Bounded read of a whole (small) file; returns bytes read or -errno. */
static ssize_t read_bounded(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (len + 1 < size) {
		ssize_t r = read(fd, buf + len, size - 1 - len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			return r;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* First line of a sysfs attribute, trimmed; false if unreadable. */
static bool read_attr(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return false;
	if (read_bounded(path, buf, size) < 0)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

static bool read_u64(const char *dir, const char *name, uint64_t *v)
{
	char buf[64], *end;

	if (!read_attr(dir, name, buf, sizeof(buf)) || !buf[0])
		return false;
	errno = 0;
	*v = strtoull(buf, &end, 0);
	return !errno && end != buf;
}

static bool read_s64(const char *dir, const char *name, int64_t *v)
{
	char buf[64], *end;

	if (!read_attr(dir, name, buf, sizeof(buf)) || !buf[0])
		return false;
	errno = 0;
	*v = strtoll(buf, &end, 0);
	return !errno && end != buf;
}

/* Copies src if it fits; false (dst untouched) if not. */
static bool copy_str(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len >= size)
		return false;
	memcpy(dst, src, len + 1);
	return true;
}

/* ---- card enumeration ---------------------------------------------------- */

static bool is_tessera(const char *devdir)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/driver", devdir) >= (int)sizeof(path))
		return false;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	base = strrchr(target, '/');
	return !strcmp(base ? base + 1 : target, "tessera");
}

static int card_cmp(const void *a, const void *b)
{
	return ((const struct smi_card *)a)->index - ((const struct smi_card *)b)->index;
}

static size_t find_cards(struct smi_card *cards, size_t max)
{
	DIR *d = opendir("/sys/class/accel");
	struct dirent *e;
	size_t n = 0;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		die("cannot read /sys/class/accel: %s", strerror(errno));
	}
	while ((e = readdir(d)) && n < max) {
		struct smi_card *c = &cards[n];
		char link[PATH_MAX], target[PATH_MAX], *end;
		const char *base;
		ssize_t len;
		long idx;

		if (strncmp(e->d_name, "accel", 5) || !isdigit((unsigned char)e->d_name[5]))
			continue;
		idx = strtol(e->d_name + 5, &end, 10);
		if (*end || idx < 0 || idx > INT_MAX)
			continue;
		snprintf(c->sysdir, sizeof(c->sysdir), "/sys/class/accel/%s/device", e->d_name);
		if (!is_tessera(c->sysdir))
			continue;
		snprintf(link, sizeof(link), "/sys/class/accel/%s/device", e->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		base = strrchr(target, '/');
		if (!copy_str(c->addr, sizeof(c->addr), base ? base + 1 : target) ||
		    !copy_str(c->sysname, sizeof(c->sysname), e->d_name))
			continue;
		c->index = (int)idx;
		n++;
	}
	closedir(d);
	qsort(cards, n, sizeof(*cards), card_cmp);
	return n;
}

/* ---- fdinfo scan ---------------------------------------------------------- */

/* "123", "4 KiB", "5 MiB", "6 GiB" -> bytes */
static uint64_t parse_size(const char *v)
{
	char *end;
	uint64_t n = strtoull(v, &end, 10);

	while (*end == ' ')
		end++;
	if (!strncmp(end, "KiB", 3))
		n <<= 10;
	else if (!strncmp(end, "MiB", 3))
		n <<= 20;
	else if (!strncmp(end, "GiB", 3))
		n <<= 30;
	return n;
}

static void scan_free(struct smi_scan *s)
{
	free(s->c);
	memset(s, 0, sizeof(*s));
}

static struct smi_client *scan_find(const struct smi_scan *s, const char *pdev,
				    unsigned long long id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].id == id && !strcmp(s->c[i].pdev, pdev))
			return &s->c[i];
	return NULL;
}

/* Parses one fdinfo file; true if it is a tessera client. */
static bool parse_fdinfo(char *text, struct smi_client *cl)
{
	bool tessera = false, have_id = false, have_pdev = false;

	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		*v++ = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		if (!strcmp(line, "drm-driver")) {
			tessera = !strcmp(v, "tessera");
		} else if (!strcmp(line, "drm-pdev")) {
			snprintf(cl->pdev, sizeof(cl->pdev), "%s", v);
			have_pdev = true;
		} else if (!strcmp(line, "drm-client-id")) {
			cl->id = strtoull(v, NULL, 10);
			have_id = true;
		} else if (!strcmp(line, "drm-engine-compute")) {
			cl->compute_ns = strtoull(v, NULL, 10);
			cl->has_compute = true;
		} else if (!strcmp(line, "drm-engine-dma")) {
			cl->dma_ns = strtoull(v, NULL, 10);
			cl->has_dma = true;
		} else if (!strcmp(line, "drm-total-system")) {
			cl->sys_total = parse_size(v);
			cl->has_sys = true;
		} else if (!strcmp(line, "drm-resident-system")) {
			cl->sys_resident = parse_size(v);
		} else if (!strcmp(line, "drm-total-hbm")) {
			cl->hbm_total = parse_size(v);
			cl->has_hbm = true;
		} else if (!strcmp(line, "drm-resident-hbm")) {
			cl->hbm_resident = parse_size(v);
		}
	}
	return tessera && have_id && have_pdev;
}

static void scan_pid(struct smi_scan *s, const char *pid_name, char *buf)
{
	char dir[64], path[128];
	struct dirent *e;
	char comm[64] = "?";
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%s/fdinfo", pid_name);
	d = opendir(dir);
	if (!d)
		return;		/* gone, or not ours to read: both normal */
	while ((e = readdir(d))) {
		struct smi_client cl = { 0 };

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (read_bounded(path, buf, SMI_FILE_MAX) < 0)
			continue;	/* ENOENT/ESRCH: fd or process went away */
		if (!strstr(buf, "drm-driver:"))
			continue;
		if (!parse_fdinfo(buf, &cl))
			continue;
		if (scan_find(s, cl.pdev, cl.id))
			continue;	/* dup'd or inherited fd: same client */
		if (!strcmp(comm, "?")) {
			snprintf(path, sizeof(path), "/proc/%s/comm", pid_name);
			if (read_bounded(path, comm, sizeof(comm)) >= 0)
				comm[strcspn(comm, "\n")] = '\0';
			else
				snprintf(comm, sizeof(comm), "?");
		}
		cl.pid = atoi(pid_name);
		snprintf(cl.comm, sizeof(cl.comm), "%s", comm);
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			struct smi_client *c = realloc(s->c, cap * sizeof(*c));

			if (!c)
				die("out of memory");
			s->c = c;
			s->cap = cap;
		}
		s->c[s->n++] = cl;
	}
	closedir(d);
}

static void scan_clients(struct smi_scan *s)
{
	char *buf = malloc(SMI_FILE_MAX);
	struct dirent *e;
	DIR *d;

	if (!buf)
		die("out of memory");
	memset(s, 0, sizeof(*s));
	d = opendir("/proc");
	if (!d)
		die("cannot read /proc: %s", strerror(errno));
	while ((e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]))
			scan_pid(s, e->d_name, buf);
	closedir(d);
	free(buf);
	clock_gettime(CLOCK_MONOTONIC, &s->when);
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* ---- gathering one card ----------------------------------------------------- */

struct smi_info {
	char hw_version[32], serial[64];
	/* runtime PM status before this sample read anything ("" unknown) */
	char pm_state[24];
	bool has_compute_engines, has_dma_engines;
	uint64_t compute_engines, dma_engines;
	bool has_mem_total;
	uint64_t mem_total, hbm_used, sys_used;
	double util_compute, util_dma, interval_s;
	bool has_util_compute, has_util_dma;
	bool has_temp, has_temp_crit, has_power, has_power_cap;
	int64_t temp_mc, temp_crit_mc, power_uw, power_cap_uw;
	bool has_clock, has_ecc_c, has_ecc_u, has_er, has_der, has_dder;
	uint64_t clock_mhz, ecc_c, ecc_u, engine_resets, drv_engine_resets, drv_device_resets;
	/* PCI */
	unsigned int vendor, device, subvendor, subdevice;
	bool has_ids;
	char vendor_name[128], device_name[128];
	bool has_link, has_link_max;
	double link_gts, link_max_gts;
	unsigned int link_width, link_max_width;
	size_t nclients;
};

static double lnk_speed(unsigned int code)
{
	static const double gts[] = { 0, 2.5, 5.0, 8.0, 16.0, 32.0, 64.0 };

	return code < sizeof(gts) / sizeof(gts[0]) ? gts[code] : 0;
}

static void gather_pci(struct smi_ctx *ctx, const struct smi_card *card, struct smi_info *in)
{
	unsigned int dom, bus, dev, fn;
	struct pci_dev *pd;
	struct pci_cap *cap;
	char buf[64];

	if (sscanf(card->addr, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return;
	pd = pci_get_dev(ctx->pacc, (int)dom, (int)bus, (int)dev, (int)fn);
	if (!pd)
		return;
	pci_fill_info(pd, PCI_FILL_IDENT | PCI_FILL_CAPS);
	in->vendor = pd->vendor_id;
	in->device = pd->device_id;
	in->has_ids = true;
	in->subvendor = pci_read_word(pd, PCI_SUBSYSTEM_VENDOR_ID);
	in->subdevice = pci_read_word(pd, PCI_SUBSYSTEM_ID);
	pci_lookup_name(ctx->pacc, in->vendor_name, sizeof(in->vendor_name),
			PCI_LOOKUP_VENDOR, pd->vendor_id);
	pci_lookup_name(ctx->pacc, in->device_name, sizeof(in->device_name),
			PCI_LOOKUP_DEVICE, pd->vendor_id, pd->device_id);
	/* The PCIe capability is beyond the 64 bytes non-root may read. */
	cap = pci_find_cap(pd, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
	if (cap) {
		unsigned int sta = pci_read_word(pd, cap->addr + PCI_EXP_LNKSTA);
		uint32_t lcap = pci_read_long(pd, cap->addr + PCI_EXP_LNKCAP);

		if (sta != 0xffff && (sta & PCI_EXP_LNKSTA_SPEED)) {
			in->link_gts = lnk_speed(sta & PCI_EXP_LNKSTA_SPEED);
			in->link_width = (sta & PCI_EXP_LNKSTA_WIDTH) >> 4;
			in->has_link = true;
		}
		if (lcap != 0xffffffff && (lcap & PCI_EXP_LNKCAP_SPEED)) {
			in->link_max_gts = lnk_speed(lcap & PCI_EXP_LNKCAP_SPEED);
			in->link_max_width = (lcap & PCI_EXP_LNKCAP_WIDTH) >> 4;
			in->has_link_max = true;
		}
	}
	pci_free_dev(pd);
	/* Unprivileged fallback: the kernel's own view of the link. */
	if (!in->has_link && read_attr(card->sysdir, "current_link_speed", buf, sizeof(buf))) {
		uint64_t w;

		in->link_gts = strtod(buf, NULL);
		if (in->link_gts > 0 && read_u64(card->sysdir, "current_link_width", &w)) {
			in->link_width = (unsigned int)w;
			in->has_link = true;
		}
	}
	if (!in->has_link_max && read_attr(card->sysdir, "max_link_speed", buf, sizeof(buf))) {
		uint64_t w;

		in->link_max_gts = strtod(buf, NULL);
		if (in->link_max_gts > 0 && read_u64(card->sysdir, "max_link_width", &w)) {
			in->link_max_width = (unsigned int)w;
			in->has_link_max = true;
		}
	}
}

static void gather_hwmon(const struct smi_card *card, struct smi_info *in)
{
	char dir[PATH_MAX], hw[PATH_MAX + 300];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/hwmon", card->sysdir);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "hwmon", 5))
			continue;
		snprintf(hw, sizeof(hw), "%s/%s", dir, e->d_name);
		in->has_temp = read_s64(hw, "temp1_input", &in->temp_mc);
		in->has_temp_crit = read_s64(hw, "temp1_crit", &in->temp_crit_mc);
		in->has_power = read_s64(hw, "power1_input", &in->power_uw);
		in->has_power_cap = read_s64(hw, "power1_cap", &in->power_cap_uw);
		break;
	}
	closedir(d);
}

static void gather(struct smi_ctx *ctx, const struct smi_card *card,
		   const struct smi_scan *now, struct smi_info *in)
{
	char t[PATH_MAX];
	uint64_t dc = 0, dd = 0;
	bool any = false;

	memset(in, 0, sizeof(*in));
	/* First: reading the card's sensors below wakes a sleeping card. */
	if (!read_attr(card->sysdir, "power/runtime_status", in->pm_state, sizeof(in->pm_state)))
		in->pm_state[0] = '\0';
	snprintf(t, sizeof(t), "%s/tessera", card->sysdir);
	if (!read_attr(t, "hw_version", in->hw_version, sizeof(in->hw_version)))
		in->hw_version[0] = '\0';
	if (!read_attr(t, "serial_number", in->serial, sizeof(in->serial)))
		in->serial[0] = '\0';
	in->has_compute_engines = read_u64(t, "compute_engines", &in->compute_engines);
	in->has_dma_engines = read_u64(t, "dma_engines", &in->dma_engines);
	in->has_mem_total = read_u64(t, "device_memory_bytes", &in->mem_total);
	in->has_clock = read_u64(t, "clock_mhz", &in->clock_mhz);
	in->has_ecc_c = read_u64(t, "ecc_corrected", &in->ecc_c);
	in->has_ecc_u = read_u64(t, "ecc_uncorrected", &in->ecc_u);
	in->has_er = read_u64(t, "engine_resets", &in->engine_resets);
	in->has_der = read_u64(t, "driver_engine_resets", &in->drv_engine_resets);
	in->has_dder = read_u64(t, "driver_device_resets", &in->drv_device_resets);
	gather_hwmon(card, in);
	gather_pci(ctx, card, in);

	for (size_t i = 0; i < now->n; i++) {
		const struct smi_client *c = &now->c[i], *p;

		if (strcmp(c->pdev, card->addr))
			continue;
		in->nclients++;
		in->hbm_used += c->hbm_total;
		in->sys_used += c->sys_total;
		if (!ctx->have_prev)
			continue;
		p = scan_find(&ctx->prev, c->pdev, c->id);
		if (!p)
			continue;	/* new client: no baseline yet */
		any = true;
		if (c->compute_ns > p->compute_ns)
			dc += c->compute_ns - p->compute_ns;
		if (c->dma_ns > p->dma_ns)
			dd += c->dma_ns - p->dma_ns;
	}
	(void)any;
	if (ctx->have_prev) {
		double dt = ts_diff(&ctx->prev.when, &now->when);

		in->interval_s = dt;
		if (dt > 0 && in->has_compute_engines && in->compute_engines) {
			in->util_compute = 100.0 * (double)dc / (dt * 1e9 * (double)in->compute_engines);
			if (in->util_compute > 100.0)
				in->util_compute = 100.0;
			in->has_util_compute = true;
		}
		if (dt > 0 && in->has_dma_engines && in->dma_engines) {
			in->util_dma = 100.0 * (double)dd / (dt * 1e9 * (double)in->dma_engines);
			if (in->util_dma > 100.0)
				in->util_dma = 100.0;
			in->has_util_dma = true;
		}
	}
}

/* ---- output -------------------------------------------------------------- */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void json_u64(const char *key, bool has, uint64_t v, bool comma)
{
	printf("\"%s\":", key);
	if (has)
		printf("%" PRIu64, v);
	else
		printf("null");
	if (comma)
		putchar(',');
}

static void json_dbl(const char *key, bool has, double v, bool comma)
{
	printf("\"%s\":", key);
	if (has)
		printf("%.3f", v);
	else
		printf("null");
	if (comma)
		putchar(',');
}

static void json_strkey(const char *key, const char *v, bool comma)
{
	printf("\"%s\":", key);
	if (v && *v)
		json_str(v);
	else
		printf("null");
	if (comma)
		putchar(',');
}

static void print_json_card(const struct smi_card *card, const struct smi_info *in,
			    const struct smi_scan *now)
{
	char dev[64], id[16];
	bool first = true;

	snprintf(dev, sizeof(dev), "/dev/accel/%s", card->sysname);
	printf("{\"index\":%d,", card->index);
	json_strkey("device", dev, true);
	printf("\"pci\":{");
	json_strkey("address", card->addr, true);
	snprintf(id, sizeof(id), "%04x", in->vendor);
	json_strkey("vendor_id", in->has_ids ? id : NULL, true);
	snprintf(id, sizeof(id), "%04x", in->device);
	json_strkey("device_id", in->has_ids ? id : NULL, true);
	snprintf(id, sizeof(id), "%04x", in->subvendor);
	json_strkey("subsystem_vendor_id", in->has_ids ? id : NULL, true);
	snprintf(id, sizeof(id), "%04x", in->subdevice);
	json_strkey("subsystem_device_id", in->has_ids ? id : NULL, true);
	json_strkey("vendor_name", in->vendor_name, true);
	json_strkey("device_name", in->device_name, true);
	json_dbl("link_speed_gts", in->has_link, in->link_gts, true);
	json_u64("link_width", in->has_link, in->link_width, true);
	json_dbl("max_link_speed_gts", in->has_link_max, in->link_max_gts, true);
	json_u64("max_link_width", in->has_link_max, in->link_max_width, false);
	printf("},");
	json_strkey("hw_version", in->hw_version, true);
	json_strkey("serial", in->serial, true);
	json_strkey("power_state", in->pm_state[0] ? in->pm_state : NULL, true);
	printf("\"engines\":{");
	json_u64("compute", in->has_compute_engines, in->compute_engines, true);
	json_u64("dma", in->has_dma_engines, in->dma_engines, false);
	printf("},\"memory\":{");
	json_u64("device_total_bytes", in->has_mem_total, in->mem_total, true);
	json_u64("device_used_bytes", true, in->hbm_used, true);
	json_u64("host_used_bytes", true, in->sys_used, false);
	printf("},\"utilization\":{");
	json_dbl("compute_pct", in->has_util_compute, in->util_compute, true);
	json_dbl("dma_pct", in->has_util_dma, in->util_dma, true);
	json_dbl("interval_s", in->interval_s > 0, in->interval_s, false);
	printf("},\"temperature\":{");
	json_dbl("current_c", in->has_temp, (double)in->temp_mc / 1000.0, true);
	json_dbl("crit_c", in->has_temp_crit, (double)in->temp_crit_mc / 1000.0, false);
	printf("},\"power\":{");
	json_dbl("current_w", in->has_power, (double)in->power_uw / 1e6, true);
	json_dbl("cap_w", in->has_power_cap, (double)in->power_cap_uw / 1e6, false);
	printf("},");
	json_u64("clock_mhz", in->has_clock, in->clock_mhz, true);
	printf("\"ecc\":{");
	json_u64("corrected", in->has_ecc_c, in->ecc_c, true);
	json_u64("uncorrected", in->has_ecc_u, in->ecc_u, false);
	printf("},\"resets\":{");
	json_u64("engine", in->has_er, in->engine_resets, true);
	json_u64("driver_engine", in->has_der, in->drv_engine_resets, true);
	json_u64("driver_device", in->has_dder, in->drv_device_resets, false);
	printf("},\"processes\":[");
	for (size_t i = 0; i < now->n; i++) {
		const struct smi_client *c = &now->c[i];

		if (strcmp(c->pdev, card->addr))
			continue;
		if (!first)
			putchar(',');
		first = false;
		printf("{\"pid\":%d,", c->pid);
		json_strkey("command", c->comm, true);
		printf("\"client_id\":%llu,\"memory\":{", c->id);
		json_u64("system_bytes", c->has_sys, c->sys_total, true);
		json_u64("system_resident_bytes", c->has_sys, c->sys_resident, true);
		json_u64("hbm_bytes", c->has_hbm, c->hbm_total, true);
		json_u64("hbm_resident_bytes", c->has_hbm, c->hbm_resident, false);
		printf("},\"engine_ns\":{");
		json_u64("compute", c->has_compute, c->compute_ns, true);
		json_u64("dma", c->has_dma, c->dma_ns, false);
		printf("}}");
	}
	printf("]}");
}

static const char *human(uint64_t b, char *buf, size_t size)
{
	if (b >= (1ULL << 30))
		snprintf(buf, size, "%.1f GiB", (double)b / (double)(1ULL << 30));
	else if (b >= (1ULL << 20))
		snprintf(buf, size, "%.1f MiB", (double)b / (double)(1ULL << 20));
	else if (b >= (1ULL << 10))
		snprintf(buf, size, "%.1f KiB", (double)b / 1024.0);
	else
		snprintf(buf, size, "%" PRIu64 " B", b);
	return buf;
}

#define NA "n/a"

static void print_table_card(const struct smi_card *card, const struct smi_info *in,
			     const struct smi_scan *now)
{
	char a[32], b[32], c[32];
	bool header = false;

	printf("Card %d  /dev/accel/%s  %s\n", card->index, card->sysname, card->addr);
	if (in->has_ids)
		printf("  %-14s %04x:%04x (subsystem %04x:%04x)  %s %s\n", "PCI id",
		       in->vendor, in->device, in->subvendor, in->subdevice,
		       in->vendor_name, in->device_name);
	if (in->has_link && in->has_link_max)
		printf("  %-14s %.1f GT/s x%u (max %.1f GT/s x%u)\n", "PCIe link",
		       in->link_gts, in->link_width, in->link_max_gts, in->link_max_width);
	else if (in->has_link)
		printf("  %-14s %.1f GT/s x%u\n", "PCIe link", in->link_gts, in->link_width);
	else
		printf("  %-14s %s\n", "PCIe link", NA);
	printf("  %-14s hw %s, serial %s\n", "Identity",
	       in->hw_version[0] ? in->hw_version : NA, in->serial[0] ? in->serial : NA);
	printf("  %-14s %s\n", "Power state",
	       !strcmp(in->pm_state, "suspended") ? "D3hot (idle, runtime suspended)" :
	       !strcmp(in->pm_state, "active") ? "D0 (active)" :
	       !strcmp(in->pm_state, "suspending") ? "D0 -> D3hot (suspending)" :
	       !strcmp(in->pm_state, "resuming") ? "D3hot -> D0 (resuming)" :
	       in->pm_state[0] ? in->pm_state : NA);
	printf("  %-14s %" PRIu64 " compute, %" PRIu64 " DMA\n", "Engines",
	       in->compute_engines, in->dma_engines);
	printf("  %-14s device %s / %s used, host %s used by clients\n", "Memory",
	       human(in->hbm_used, a, sizeof(a)),
	       in->has_mem_total ? human(in->mem_total, b, sizeof(b)) : NA,
	       human(in->sys_used, c, sizeof(c)));
	if (in->has_util_compute)
		snprintf(a, sizeof(a), "%.1f%%", in->util_compute);
	else
		snprintf(a, sizeof(a), NA);
	if (in->has_util_dma)
		snprintf(b, sizeof(b), "%.1f%%", in->util_dma);
	else
		snprintf(b, sizeof(b), NA);
	printf("  %-14s compute %s, DMA %s (over %.2f s)\n", "Utilization", a, b, in->interval_s);
	if (in->has_temp)
		printf("  %-14s %.1f C (crit %s)\n", "Temperature", (double)in->temp_mc / 1000.0,
		       in->has_temp_crit ? (snprintf(a, sizeof(a), "%.1f C",
						     (double)in->temp_crit_mc / 1000.0), a) : NA);
	else
		printf("  %-14s %s\n", "Temperature", NA);
	if (in->has_power)
		printf("  %-14s %.2f W (cap %s)\n", "Power", (double)in->power_uw / 1e6,
		       in->has_power_cap ? (snprintf(b, sizeof(b), "%.2f W",
						     (double)in->power_cap_uw / 1e6), b) : NA);
	else
		printf("  %-14s %s\n", "Power", NA);
	if (in->has_clock)
		printf("  %-14s %" PRIu64 " MHz\n", "Clock", in->clock_mhz);
	else
		printf("  %-14s %s\n", "Clock", NA);
	printf("  %-14s %" PRIu64 " corrected, %" PRIu64 " uncorrected\n", "ECC",
	       in->ecc_c, in->ecc_u);
	printf("  %-14s %" PRIu64 " engine (card), %" PRIu64 " engine (driver), %"
	       PRIu64 " device (driver)\n", "Resets",
	       in->engine_resets, in->drv_engine_resets, in->drv_device_resets);
	for (size_t i = 0; i < now->n; i++) {
		const struct smi_client *cl = &now->c[i];

		if (strcmp(cl->pdev, card->addr))
			continue;
		if (!header) {
			printf("  Processes:\n    %8s  %-16s %6s %12s %12s %14s %14s\n",
			       "PID", "COMMAND", "CLIENT", "HOST MEM", "DEVICE MEM",
			       "COMPUTE ms", "DMA ms");
			header = true;
		}
		printf("    %8d  %-16s %6llu %12s %12s %14.3f %14.3f\n", cl->pid, cl->comm,
		       cl->id, human(cl->sys_total, a, sizeof(a)),
		       human(cl->hbm_total, b, sizeof(b)),
		       (double)cl->compute_ns / 1e6, (double)cl->dma_ns / 1e6);
	}
	if (!header)
		printf("  Processes:     none\n");
}

/* ---- main views -------------------------------------------------------------- */

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s,
			       .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void show_once(struct smi_ctx *ctx)
{
	struct smi_card cards[SMI_MAX_CARDS];
	struct smi_scan now;
	size_t n = find_cards(cards, SMI_MAX_CARDS), shown = 0;

	if (ctx->o.index >= 0) {
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (cards[i].index == ctx->o.index)
				cards[k++] = cards[i];
		if (!k)
			die("no Tessera card with index %d", ctx->o.index);
		n = k;
	}
	if (!ctx->have_prev && n) {
		scan_clients(&ctx->prev);
		ctx->have_prev = true;
		sleep_s(SMI_SAMPLE_MS / 1000.0);
	}
	scan_clients(&now);

	if (ctx->o.json) {
		printf("{\"version\":%d,\"cards\":[", SMI_JSON_VERSION);
	} else if (ctx->o.loop > 0) {
		printf("\033[H\033[2J");
	}
	if (!ctx->o.json && !n)
		printf("No Tessera cards found.\n");
	for (size_t i = 0; i < n; i++) {
		struct smi_info in;

		gather(ctx, &cards[i], &now, &in);
		if (ctx->o.json) {
			if (shown)
				putchar(',');
			print_json_card(&cards[i], &in, &now);
		} else {
			if (shown)
				putchar('\n');
			print_table_card(&cards[i], &in, &now);
		}
		shown++;
	}
	if (ctx->o.json)
		printf("]}\n");
	fflush(stdout);
	if (ctx->have_prev)
		scan_free(&ctx->prev);
	ctx->prev = now;
	ctx->have_prev = true;
}

/* Writes @val to the sysfs file @path; 0 or -errno. */
static int write_sysfs(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Unbind tessera from @addr and bind it again: probe re-initialises. */
static void reprobe(const char *addr)
{
	int err = write_sysfs("/sys/bus/pci/drivers/tessera/unbind", addr);

	if (err)
		die("cannot unbind %s from tessera: %s", addr, strerror(-err));
	err = write_sysfs("/sys/bus/pci/drivers/tessera/bind", addr);
	if (err)
		die("could not bind tessera to %s again: %s", addr, strerror(-err));
}

static int do_reset(struct smi_ctx *ctx)
{
	struct smi_card cards[SMI_MAX_CARDS];
	struct smi_card *card = NULL;
	char path[PATH_MAX], tdir[PATH_MAX + 16], method[64] = "";
	uint64_t before = 0, after = 0;
	bool counted;
	struct smi_scan s;
	size_t n, users = 0;
	int err, first_pid = 0;

	if (ctx->o.index < 0)
		die("reset needs a card: accel-smi reset -i N");
	if (geteuid() != 0)
		die("reset needs root (it resets the PCI function through sysfs)");
	n = find_cards(cards, SMI_MAX_CARDS);
	for (size_t i = 0; i < n; i++)
		if (cards[i].index == ctx->o.index)
			card = &cards[i];
	if (!card)
		die("no Tessera card with index %d", ctx->o.index);

	scan_clients(&s);
	for (size_t i = 0; i < s.n; i++) {
		if (strcmp(s.c[i].pdev, card->addr))
			continue;
		if (!users)
			first_pid = s.c[i].pid;
		users++;
	}
	scan_free(&s);
	if (users && !ctx->o.force)
		die("card %d (%s) is in use by %zu client(s) (first: pid %d); close them or use --force",
		    card->index, card->addr, users, first_pid);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", card->addr);
	if (access(path, W_OK)) {
		/* No PCI reset method at all: a re-probe resets the card. */
		reprobe(card->addr);
		printf("card %d (%s): no PCI reset method; driver re-probed (card re-initialised)\n",
		       card->index, card->addr);
		return 0;
	}

	/*
	 * Reset with the driver bound: its reset_prepare/reset_done hooks
	 * stop the card (jobs on it fail with -ECANCELED) and bring it back,
	 * counting the reset in driver_device_resets.
	 */
	snprintf(tdir, sizeof(tdir), "%s/tessera", card->sysdir);
	counted = read_u64(tdir, "driver_device_resets", &before);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", card->addr);
	if (read_attr(path, "reset_method", method, sizeof(method)))
		method[strcspn(method, " ")] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", card->addr);
	err = write_sysfs(path, "1");
	if (err)
		die("PCI reset of %s failed: %s", card->addr, strerror(-err));
	if (counted && read_u64(tdir, "driver_device_resets", &after) && after > before) {
		printf("card %d (%s): PCI function reset (%s) with the driver bound; the driver re-initialised the card\n",
		       card->index, card->addr, method[0] ? method : "kernel's method");
		return 0;
	}
	/* A driver without the reset hooks left its rings stale: re-probe. */
	reprobe(card->addr);
	printf("card %d (%s): PCI function reset (%s); the driver did not re-initialise the card, so it was re-probed\n",
	       card->index, card->addr, method[0] ? method : "kernel's method");
	return 0;
}

/* accel-smi's version, and the loaded driver's (its MODULE_VERSION). */
static void print_version(void)
{
	char buf[64] = "";
	FILE *f = fopen("/sys/module/tessera/version", "r");

	printf("accel-smi %s\n", TESSERA_VERSION);
	if (f && fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = 0;
		printf("driver tessera %s\n", buf);
	} else {
		printf("driver tessera not loaded\n");
	}
	if (f)
		fclose(f);
}

static void usage(FILE *f)
{
	fputs(
"usage: accel-smi [-i N] [--json] [-l SECONDS]\n"
"       accel-smi reset -i N [--force]\n"
"       accel-smi --version\n"
"\n"
"Lists Tessera cards: identity, PCI link, memory, engine utilization,\n"
"temperature, power, clock, ECC and reset counters, and processes.\n"
"\n"
"  -i, --index N       only card N (/dev/accel/accelN)\n"
"  -j, --json          one JSON object per sample\n"
"  -l, --loop SECONDS  refresh every SECONDS (JSON: one line per sample)\n"
"  -f, --force         reset even if processes have the card open (their\n"
"                      jobs on the card fail with ECANCELED)\n"
"  -V, --version       accel-smi's and the loaded driver's versions\n"
"  -h, --help          this text\n"
"\n"
"Utilization is the engine busy time all clients accumulated (fdinfo) over\n"
"the sample interval, divided by the engines of the class; the first\n"
"sample is taken over 0.2 s.  Memory used is the sum of clients' fdinfo\n"
"drm-total-* (buffers shared between clients count once per client).\n"
"Without root, only your own processes are visible.\n"
"\n"
"JSON (version 1): {\"version\":1,\"cards\":[{\"index\",\"device\",\n"
"  \"pci\":{\"address\",\"vendor_id\",\"device_id\",\"subsystem_vendor_id\",\n"
"    \"subsystem_device_id\",\"vendor_name\",\"device_name\",\"link_speed_gts\",\n"
"    \"link_width\",\"max_link_speed_gts\",\"max_link_width\"},\n"
"  \"hw_version\",\"serial\",\"engines\":{\"compute\",\"dma\"},\n"
"  \"memory\":{\"device_total_bytes\",\"device_used_bytes\",\"host_used_bytes\"},\n"
"  \"utilization\":{\"compute_pct\",\"dma_pct\",\"interval_s\"},\n"
"  \"temperature\":{\"current_c\",\"crit_c\"},\"power\":{\"current_w\",\"cap_w\"},\n"
"  \"clock_mhz\",\"ecc\":{\"corrected\",\"uncorrected\"},\n"
"  \"resets\":{\"engine\",\"driver_engine\",\"driver_device\"},\n"
"  \"processes\":[{\"pid\",\"command\",\"client_id\",\"memory\":{\"system_bytes\",\n"
"    \"system_resident_bytes\",\"hbm_bytes\",\"hbm_resident_bytes\"},\n"
"    \"engine_ns\":{\"compute\",\"dma\"}}]}]}\n"
"A value that cannot be read is null.\n", f);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "index", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "loop", required_argument, NULL, 'l' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct smi_ctx ctx = { .o = { .index = -1 } };
	bool reset = false;
	char *end;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:jl:fhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i': {
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0 || v > INT_MAX)
				die("invalid card index '%s'", optarg);
			ctx.o.index = (int)v;
			break;
		}
		case 'j':
			ctx.o.json = true;
			break;
		case 'l':
			errno = 0;
			ctx.o.loop = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(ctx.o.loop > 0) || ctx.o.loop > 86400)
				die("invalid loop interval '%s' (seconds, > 0)", optarg);
			break;
		case 'f':
			ctx.o.force = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			print_version();
			return 0;
		case ':':
			die("option '%s' needs a value (see --help)", argv[optind - 1]);
		default:
			if (optopt)
				die("unknown option '-%c' (see --help)", optopt);
			die("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		if (!strcmp(argv[optind], "reset") && optind + 1 == argc)
			reset = true;
		else
			die("unexpected argument '%s' (see --help)", argv[optind]);
	}
	if (reset && (ctx.o.loop > 0 || ctx.o.json))
		die("reset takes only -i N and --force");
	if (!reset && ctx.o.force)
		die("--force applies only to reset");
	if (reset)
		return do_reset(&ctx);

	ctx.pacc = pci_alloc();
	if (!ctx.pacc)
		die("libpci: cannot allocate");
	ctx.pacc->error = pci_err;
	ctx.pacc->warning = pci_quiet;
	ctx.pacc->debug = pci_quiet;
	pci_init(ctx.pacc);

	for (;;) {
		show_once(&ctx);
		if (!(ctx.o.loop > 0))
			break;
		sleep_s(ctx.o.loop);
	}
	if (ctx.have_prev)
		scan_free(&ctx.prev);
	pci_cleanup(ctx.pacc);
	return 0;
}
