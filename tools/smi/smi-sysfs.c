// SPDX-License-Identifier: MIT
/*
 * Reading Tessera cards for accel-smi and accel-exporter: sysfs, hwmon,
 * libpci and DRM fdinfo, all bounded, none of it opening a card.
 *
 * Copyright (C) 2026 The Tessera authors
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
#include "smi.h"

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void pci_err(char *msg, ...)
{
	va_list ap;

	fprintf(stderr, "%s: libpci: ", program_invocation_short_name);
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void pci_quiet(char *msg, ...)
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
bool read_attr(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return false;
	if (read_bounded(path, buf, size) < 0)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

bool read_u64(const char *dir, const char *name, uint64_t *v)
{
	char buf[64], *end;

	if (!read_attr(dir, name, buf, sizeof(buf)) || !buf[0])
		return false;
	errno = 0;
	*v = strtoull(buf, &end, 0);
	return !errno && end != buf;
}

bool read_s64(const char *dir, const char *name, int64_t *v)
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

size_t find_cards(struct smi_card *cards, size_t max)
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

void scan_free(struct smi_scan *s)
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

void scan_clients(struct smi_scan *s)
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
	char dir[PATH_MAX + 16], hw[PATH_MAX + 300];
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
		in->has_temp_max = read_s64(hw, "temp1_max", &in->temp_max_mc);
		in->has_temp_emerg = read_s64(hw, "temp1_emergency", &in->temp_emerg_mc);
		in->has_power_avg = read_s64(hw, "power1_average", &in->power_avg_uw);
		in->has_energy = read_u64(hw, "energy1_input", &in->energy_uj);
		break;
	}
	closedir(d);
}

void gather(struct smi_ctx *ctx, const struct smi_card *card,
		   const struct smi_scan *now, struct smi_info *in)
{
	char t[PATH_MAX + 16];
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
	in->has_cf = read_u64(t, "context_faults", &in->context_faults);
	gather_hwmon(card, in);
	gather_pci(ctx, card, in);
	/* -1: no NUMA affinity (a single-node machine) */
	in->has_numa = read_s64(card->sysdir, "numa_node", &in->numa_node) && in->numa_node >= 0;

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
