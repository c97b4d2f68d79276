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

#include "smi.h"

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

/* ---- --query, dmon, events: fields for scripts ------------------------------ */

enum smi_kind { K_STR, K_INT, K_NUM };

struct smi_val {
	enum smi_kind kind;
	bool has;
	char s[128];
	int64_t i;
	double d;
};

/* Field names follow nvidia-smi's --query-gpu where there is one. */
static const struct smi_field {
	const char *name, *unit, *help;
} smi_fields[] = {
	{ "timestamp", NULL, "time of the sample, ISO 8601 UTC with milliseconds" },
	{ "index", NULL, "card index N of /dev/accel/accelN" },
	{ "name", NULL, "device name (PCI ids database)" },
	{ "pci.bus_id", NULL, "PCI address, domain:bus:device.function" },
	{ "pci.device_id", NULL, "PCI vendor:device id" },
	{ "serial", NULL, "board serial number" },
	{ "hw_version", NULL, "hardware version, major.minor" },
	{ "driver_version", NULL, "tessera.ko version (MODULE_VERSION)" },
	{ "power_state", NULL, "runtime PM status: active (D0), suspended (D3hot), ..." },
	{ "numa_node", NULL, "NUMA node of the card's PCI function" },
	{ "engines.compute", NULL, "compute engines" },
	{ "engines.dma", NULL, "DMA engines" },
	{ "memory.total", "MiB", "device memory" },
	{ "memory.used", "MiB", "device memory used by clients (fdinfo drm-total-hbm)" },
	{ "memory.host_used", "MiB", "host memory used by clients (fdinfo drm-total-system)" },
	{ "utilization.compute", "%", "compute engines busy over the sample interval" },
	{ "utilization.dma", "%", "DMA engines busy over the sample interval" },
	{ "temperature.current", "C", "die temperature" },
	{ "temperature.max", "C", "temperature above which the card throttles its clock" },
	{ "temperature.crit", "C", "critical temperature" },
	{ "temperature.emergency", "C", "temperature at which the card shuts its engines down" },
	{ "power.draw", "W", "board power" },
	{ "power.average", "W", "board power averaged by the card" },
	{ "power.cap", "W", "board power limit" },
	{ "energy.total", "J", "energy the board used since the card's power-on" },
	{ "clocks.current", "MHz", "engine clock" },
	{ "ecc.corrected", NULL, "corrected device-memory ECC errors since power-on" },
	{ "ecc.uncorrected", NULL, "uncorrected device-memory ECC errors since power-on" },
	{ "context_faults", NULL, "context errors (faults, invalid commands) the card counted" },
	{ "resets.engine", NULL, "engine resets the card counted" },
	{ "resets.driver_engine", NULL, "engine resets the driver performed (hangs)" },
	{ "resets.driver_device", NULL, "whole-card resets (the driver's and PCI function resets)" },
	{ "pcie.link.speed", "GT/s", "current PCIe link speed" },
	{ "pcie.link.width", NULL, "current PCIe link width" },
	{ "pcie.link.speed.max", "GT/s", "maximum PCIe link speed" },
	{ "pcie.link.width.max", NULL, "maximum PCIe link width" },
	{ "processes", NULL, "clients (open files) on the card" },
};
#define SMI_NFIELDS (sizeof(smi_fields) / sizeof(smi_fields[0]))
#define SMI_MAX_QUERY 64

static void now_iso(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;

	size_t len;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	len = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + len, size - len, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

static void driver_version(char *buf, size_t size)
{
	if (!read_attr("/sys/module/tessera", "version", buf, size))
		buf[0] = '\0';
}

static void vstr(struct smi_val *v, const char *s)
{
	v->kind = K_STR;
	v->has = s && *s;
	if (v->has)
		snprintf(v->s, sizeof(v->s), "%s", s);
}

static void vint(struct smi_val *v, bool has, int64_t i)
{
	v->kind = K_INT;
	v->has = has;
	v->i = i;
}

static void vnum(struct smi_val *v, bool has, double d)
{
	v->kind = K_NUM;
	v->has = has;
	v->d = d;
}

static void field_value(size_t f, const struct smi_card *card, const struct smi_info *in,
			const char *stamp, const char *drv, struct smi_val *v)
{
	const char *n = smi_fields[f].name;
	char buf[64];

	memset(v, 0, sizeof(*v));
	if (!strcmp(n, "timestamp")) {
		vstr(v, stamp);
	} else if (!strcmp(n, "index")) {
		vint(v, true, card->index);
	} else if (!strcmp(n, "name")) {
		vstr(v, in->device_name);
	} else if (!strcmp(n, "pci.bus_id")) {
		vstr(v, card->addr);
	} else if (!strcmp(n, "pci.device_id")) {
		snprintf(buf, sizeof(buf), "%04x:%04x", in->vendor, in->device);
		vstr(v, in->has_ids ? buf : NULL);
	} else if (!strcmp(n, "serial")) {
		vstr(v, in->serial);
	} else if (!strcmp(n, "hw_version")) {
		vstr(v, in->hw_version);
	} else if (!strcmp(n, "driver_version")) {
		vstr(v, drv);
	} else if (!strcmp(n, "power_state")) {
		vstr(v, in->pm_state);
	} else if (!strcmp(n, "numa_node")) {
		vint(v, in->has_numa, in->numa_node);
	} else if (!strcmp(n, "engines.compute")) {
		vint(v, in->has_compute_engines, (int64_t)in->compute_engines);
	} else if (!strcmp(n, "engines.dma")) {
		vint(v, in->has_dma_engines, (int64_t)in->dma_engines);
	} else if (!strcmp(n, "memory.total")) {
		vnum(v, in->has_mem_total, (double)in->mem_total / (1 << 20));
	} else if (!strcmp(n, "memory.used")) {
		vnum(v, true, (double)in->hbm_used / (1 << 20));
	} else if (!strcmp(n, "memory.host_used")) {
		vnum(v, true, (double)in->sys_used / (1 << 20));
	} else if (!strcmp(n, "utilization.compute")) {
		vnum(v, in->has_util_compute, in->util_compute);
	} else if (!strcmp(n, "utilization.dma")) {
		vnum(v, in->has_util_dma, in->util_dma);
	} else if (!strcmp(n, "temperature.current")) {
		vnum(v, in->has_temp, (double)in->temp_mc / 1000.0);
	} else if (!strcmp(n, "temperature.max")) {
		vnum(v, in->has_temp_max, (double)in->temp_max_mc / 1000.0);
	} else if (!strcmp(n, "temperature.crit")) {
		vnum(v, in->has_temp_crit, (double)in->temp_crit_mc / 1000.0);
	} else if (!strcmp(n, "temperature.emergency")) {
		vnum(v, in->has_temp_emerg, (double)in->temp_emerg_mc / 1000.0);
	} else if (!strcmp(n, "power.draw")) {
		vnum(v, in->has_power, (double)in->power_uw / 1e6);
	} else if (!strcmp(n, "power.average")) {
		vnum(v, in->has_power_avg, (double)in->power_avg_uw / 1e6);
	} else if (!strcmp(n, "power.cap")) {
		vnum(v, in->has_power_cap, (double)in->power_cap_uw / 1e6);
	} else if (!strcmp(n, "energy.total")) {
		vnum(v, in->has_energy, (double)in->energy_uj / 1e6);
	} else if (!strcmp(n, "clocks.current")) {
		vint(v, in->has_clock, (int64_t)in->clock_mhz);
	} else if (!strcmp(n, "ecc.corrected")) {
		vint(v, in->has_ecc_c, (int64_t)in->ecc_c);
	} else if (!strcmp(n, "ecc.uncorrected")) {
		vint(v, in->has_ecc_u, (int64_t)in->ecc_u);
	} else if (!strcmp(n, "context_faults")) {
		vint(v, in->has_cf, (int64_t)in->context_faults);
	} else if (!strcmp(n, "resets.engine")) {
		vint(v, in->has_er, (int64_t)in->engine_resets);
	} else if (!strcmp(n, "resets.driver_engine")) {
		vint(v, in->has_der, (int64_t)in->drv_engine_resets);
	} else if (!strcmp(n, "resets.driver_device")) {
		vint(v, in->has_dder, (int64_t)in->drv_device_resets);
	} else if (!strcmp(n, "pcie.link.speed")) {
		vnum(v, in->has_link, in->link_gts);
	} else if (!strcmp(n, "pcie.link.width")) {
		vint(v, in->has_link, in->link_width);
	} else if (!strcmp(n, "pcie.link.speed.max")) {
		vnum(v, in->has_link_max, in->link_max_gts);
	} else if (!strcmp(n, "pcie.link.width.max")) {
		vint(v, in->has_link_max, in->link_max_width);
	} else if (!strcmp(n, "processes")) {
		vint(v, true, (int64_t)in->nclients);
	}
}

/* "a,b,c" -> field indices; dies on an unknown name. */
static size_t parse_query(const char *list, size_t *out)
{
	char buf[2048], *tok, *save;
	size_t n = 0;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf))
		die("--query list too long");
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t f;

		while (*tok == ' ')
			tok++;
		for (f = 0; f < SMI_NFIELDS; f++)
			if (!strcmp(tok, smi_fields[f].name))
				break;
		if (f == SMI_NFIELDS)
			die("unknown field '%s' (see --help-query)", tok);
		if (n == SMI_MAX_QUERY)
			die("more than %d fields", SMI_MAX_QUERY);
		out[n++] = f;
	}
	if (!n)
		die("--query needs at least one field (see --help-query)");
	return n;
}

static void help_query(void)
{
	printf("Fields for --query (units in brackets; CSV prints them in the header):\n");
	for (size_t f = 0; f < SMI_NFIELDS; f++) {
		char name[48];

		snprintf(name, sizeof(name), "%s%s%s%s", smi_fields[f].name,
			 smi_fields[f].unit ? " [" : "", smi_fields[f].unit ? smi_fields[f].unit : "",
			 smi_fields[f].unit ? "]" : "");
		printf("  %-28s %s\n", name, smi_fields[f].help);
	}
}

/* RFC 4180: quote a string with a comma, quote or line break. */
static void csv_str(const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void print_val(const struct smi_val *v, bool json)
{
	if (!v->has) {
		fputs(json ? "null" : "", stdout);
		return;
	}
	switch (v->kind) {
	case K_STR:
		if (json)
			json_str(v->s);
		else
			csv_str(v->s);
		break;
	case K_INT:
		printf("%" PRId64, v->i);
		break;
	case K_NUM:
		printf("%.3f", v->d);
		break;
	}
}

static void print_query_header(const struct smi_opts *o)
{
	for (size_t i = 0; i < o->nquery; i++) {
		const struct smi_field *f = &smi_fields[o->query[i]];

		if (i)
			putchar(',');
		fputs(f->name, stdout);
		if (f->unit && !o->nounits)
			printf(" [%s]", f->unit);
	}
	putchar('\n');
}

/* One CSV row, or one JSON object, for a card. */
static void print_query_card(const struct smi_opts *o, const struct smi_card *card,
			     const struct smi_info *in, const char *stamp, const char *drv)
{
	struct smi_val v;

	if (o->fmt == FMT_JSON)
		putchar('{');
	for (size_t i = 0; i < o->nquery; i++) {
		field_value(o->query[i], card, in, stamp, drv, &v);
		if (i)
			putchar(',');
		if (o->fmt == FMT_JSON) {
			json_str(smi_fields[o->query[i]].name);
			putchar(':');
		}
		print_val(&v, o->fmt == FMT_JSON);
	}
	putchar(o->fmt == FMT_JSON ? '}' : '\n');
}

/* ---- dmon: one line per card per interval --------------------------------- */

static const char *const dmon_fields =
	"timestamp,index,power.draw,temperature.current,clocks.current,utilization.compute,"
	"utilization.dma,memory.used,ecc.corrected,ecc.uncorrected,resets.driver_engine,"
	"resets.driver_device";

static void dmon_header(void)
{
	printf("# %-8s %4s %6s %5s %5s %5s %5s %8s %5s %5s %5s %5s\n", "time", "card", "pwr",
	       "temp", "clk", "comp", "dma", "mem", "sbe", "dbe", "rst", "drst");
	printf("# %-8s %4s %6s %5s %5s %5s %5s %8s %5s %5s %5s %5s\n", "UTC", "", "W", "C", "MHz",
	       "%", "%", "MiB", "", "", "", "");
}

static void dmon_num(int width, int prec, bool has, double v)
{
	if (has)
		printf(" %*.*f", width, prec, v);
	else
		printf(" %*s", width, "-");
}

static void dmon_line(const struct smi_card *card, const struct smi_info *in, const char *stamp)
{
	printf("  %-8.8s %4d", stamp + 11, card->index);
	dmon_num(6, 1, in->has_power, (double)in->power_uw / 1e6);
	dmon_num(5, 1, in->has_temp, (double)in->temp_mc / 1000.0);
	dmon_num(5, 0, in->has_clock, (double)in->clock_mhz);
	dmon_num(5, 1, in->has_util_compute, in->util_compute);
	dmon_num(5, 1, in->has_util_dma, in->util_dma);
	dmon_num(8, 1, true, (double)in->hbm_used / (1 << 20));
	dmon_num(5, 0, in->has_ecc_c, (double)in->ecc_c);
	dmon_num(5, 0, in->has_ecc_u, (double)in->ecc_u);
	dmon_num(5, 0, in->has_der, (double)in->drv_engine_resets);
	dmon_num(5, 0, in->has_dder, (double)in->drv_device_resets);
	putchar('\n');
}

/* ---- events: what changed since the last sample --------------------------- */

struct smi_evstate {
	bool seen;
	char addr[32];
	struct smi_info in;
	bool hot, crit, capped;
};

static void event(const struct smi_opts *o, const char *stamp, const struct smi_card *card,
		  const char *addr, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void event(const struct smi_opts *o, const char *stamp, const struct smi_card *card,
		  const char *addr, const char *type, const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (o->fmt == FMT_JSON) {
		printf("{\"timestamp\":");
		json_str(stamp);
		printf(",\"index\":%d,\"pci.bus_id\":", card->index);
		json_str(addr);
		printf(",\"event\":");
		json_str(type);
		printf(",\"detail\":");
		json_str(detail);
		printf("}\n");
	} else if (o->fmt == FMT_CSV) {
		printf("%s,%d,%s,%s,", stamp, card->index, addr, type);
		csv_str(detail);
		putchar('\n');
	} else {
		printf("%s  card %d  %s  %-16s %s\n", stamp, card->index, addr, type, detail);
	}
}

/* A counter that went up: one event saying by how much. */
static void ev_count(const struct smi_opts *o, const char *stamp, const struct smi_card *card,
		     const char *type, bool has, bool had, uint64_t now, uint64_t before)
{
	if (has && had && now > before)
		event(o, stamp, card, card->addr, type, "%" PRIu64 " (+%" PRIu64 ")", now, now - before);
	else if (has && had && now < before)
		event(o, stamp, card, card->addr, type, "%" PRIu64 " (counter went back from %" PRIu64
		      ": the card or the driver started again)", now, before);
}

/* A level crossed: an event when it starts and one when it ends. */
static void ev_level(const struct smi_opts *o, const char *stamp, const struct smi_card *card,
		     const char *type, bool *state, bool now, const char *what)
{
	if (now == *state)
		return;
	*state = now;
	event(o, stamp, card, card->addr, type, "%s %s", now ? "begin:" : "end:", what);
}

static void events_card(const struct smi_opts *o, const char *stamp, const struct smi_card *card,
			const struct smi_info *in, struct smi_evstate *st)
{
	const struct smi_info *p = &st->in;
	char what[128];

	if (!st->seen || strcmp(st->addr, card->addr)) {
		event(o, stamp, card, card->addr, "card_present",
		      "hw %s, serial %s", in->hw_version[0] ? in->hw_version : NA,
		      in->serial[0] ? in->serial : NA);
		st->hot = st->crit = st->capped = false;
	} else {
		ev_count(o, stamp, card, "engine_reset", in->has_der, p->has_der,
			 in->drv_engine_resets, p->drv_engine_resets);
		ev_count(o, stamp, card, "device_reset", in->has_dder, p->has_dder,
			 in->drv_device_resets, p->drv_device_resets);
		ev_count(o, stamp, card, "context_fault", in->has_cf, p->has_cf,
			 in->context_faults, p->context_faults);
		ev_count(o, stamp, card, "ecc_corrected", in->has_ecc_c, p->has_ecc_c,
			 in->ecc_c, p->ecc_c);
		ev_count(o, stamp, card, "ecc_uncorrected", in->has_ecc_u, p->has_ecc_u,
			 in->ecc_u, p->ecc_u);
	}
	if (in->has_temp && in->has_temp_max) {
		snprintf(what, sizeof(what), "temperature %.1f C, throttling above %.1f C",
			 (double)in->temp_mc / 1000.0, (double)in->temp_max_mc / 1000.0);
		ev_level(o, stamp, card, "thermal_throttle", &st->hot,
			 in->temp_mc > in->temp_max_mc, what);
	}
	if (in->has_temp && in->has_temp_crit) {
		snprintf(what, sizeof(what), "temperature %.1f C, critical %.1f C",
			 (double)in->temp_mc / 1000.0, (double)in->temp_crit_mc / 1000.0);
		ev_level(o, stamp, card, "thermal_critical", &st->crit,
			 in->temp_mc >= in->temp_crit_mc, what);
	}
	if (in->has_power && in->has_power_cap) {
		snprintf(what, sizeof(what), "power %.1f W, cap %.1f W",
			 (double)in->power_uw / 1e6, (double)in->power_cap_uw / 1e6);
		ev_level(o, stamp, card, "power_limit", &st->capped,
			 in->power_uw >= in->power_cap_uw, what);
	}
	st->seen = true;
	snprintf(st->addr, sizeof(st->addr), "%s", card->addr);
	st->in = *in;
}

/* ---- topo: how the cards hang together ------------------------------------ */

struct smi_topo {
	char path[PATH_MAX];		/* /sys/devices/pci0000:00/.../0000:01:00.0 */
	char *comp[32];			/* its components below /sys/devices */
	size_t ncomp;
	int64_t numa;
	char cpus[256];
};

static void topo_gather(const struct smi_card *card, struct smi_topo *t)
{
	char *save, *tok;

	memset(t, 0, sizeof(*t));
	if (!realpath(card->sysdir, t->path))
		snprintf(t->path, sizeof(t->path), "%s", card->sysdir);
	if (!read_s64(card->sysdir, "numa_node", &t->numa))
		t->numa = -1;
	if (!read_attr(card->sysdir, "local_cpulist", t->cpus, sizeof(t->cpus)))
		t->cpus[0] = '\0';
	tok = strstr(t->path, "/sys/devices/");
	tok = tok ? tok + strlen("/sys/devices/") : t->path;
	for (tok = strtok_r(tok, "/", &save); tok && t->ncomp < 32; tok = strtok_r(NULL, "/", &save))
		t->comp[t->ncomp++] = tok;
}

/* nvidia-smi topo's connection types, from the two cards' sysfs paths. */
static const char *topo_link(const struct smi_topo *a, const struct smi_topo *b)
{
	size_t c = 0, bridges;

	if (a == b)
		return "X";
	if (!a->ncomp || !b->ncomp || strcmp(a->comp[0], b->comp[0]))
		return a->numa >= 0 && a->numa == b->numa ? "NODE" :
		       a->numa < 0 && b->numa < 0 ? "NODE" : "SYS";
	while (c < a->ncomp && c < b->ncomp && !strcmp(a->comp[c], b->comp[c]))
		c++;
	/* Only the host bridge (pciDDDD:BB) in common: through the root complex. */
	if (c <= 1)
		return "PHB";
	/* Bridges on the way: the shared one and those below it on each side. */
	bridges = 1 + (a->ncomp - c - 1) + (b->ncomp - c - 1);
	return bridges <= 1 ? "PIX" : "PXB";
}

static void show_topo(const struct smi_opts *o)
{
	static struct smi_topo t[SMI_MAX_CARDS];
	struct smi_card cards[SMI_MAX_CARDS];
	size_t n = find_cards(cards, SMI_MAX_CARDS);

	for (size_t i = 0; i < n; i++)
		topo_gather(&cards[i], &t[i]);
	if (o->json) {
		printf("{\"version\":%d,\"cards\":[", SMI_JSON_VERSION);
		for (size_t i = 0; i < n; i++) {
			printf("%s{\"index\":%d,\"pci.bus_id\":", i ? "," : "", cards[i].index);
			json_str(cards[i].addr);
			printf(",\"numa_node\":");
			if (t[i].numa >= 0)
				printf("%" PRId64, t[i].numa);
			else
				printf("null");
			printf(",\"local_cpus\":");
			json_str(t[i].cpus);
			printf(",\"pcie_path\":[");
			for (size_t k = 0; k < t[i].ncomp; k++) {
				printf("%s", k ? "," : "");
				json_str(t[i].comp[k]);
			}
			printf("],\"links\":{");
			for (size_t k = 0; k < n; k++) {
				char key[16];

				snprintf(key, sizeof(key), "%d", cards[k].index);
				printf("%s", k ? "," : "");
				json_str(key);
				putchar(':');
				json_str(topo_link(&t[i], &t[k]));
			}
			printf("}}");
		}
		printf("]}\n");
		return;
	}
	if (!n) {
		printf("No Tessera cards found.\n");
		return;
	}
	printf("%-7s", "");
	for (size_t k = 0; k < n; k++)
		printf(" card%-3d", cards[k].index);
	printf(" %-5s %-12s %s\n", "NUMA", "CPUs", "PCIe path");
	for (size_t i = 0; i < n; i++) {
		printf("card%-3d", cards[i].index);
		for (size_t k = 0; k < n; k++)
			printf(" %-7s", topo_link(&t[i], &t[k]));
		if (t[i].numa >= 0)
			printf(" %-5" PRId64, t[i].numa);
		else
			printf(" %-5s", NA);
		printf(" %-12s ", t[i].cpus[0] ? t[i].cpus : NA);
		for (size_t k = 0; k < t[i].ncomp; k++)
			printf("%s%s", k ? " > " : "", t[i].comp[k]);
		putchar('\n');
	}
	printf("\nLegend:\n"
	       "  X    = self\n"
	       "  SYS  = through the interconnect between NUMA nodes\n"
	       "  NODE = through host bridges of one NUMA node\n"
	       "  PHB  = through one PCIe host bridge (the root complex)\n"
	       "  PXB  = through several PCIe bridges, not the host bridge\n"
	       "  PIX  = through at most one PCIe bridge\n"
	       "Device memory: no card reaches another's (tessera does not export device\n"
	       "memory as a dma-buf); buffers in host memory are shared between any cards.\n");
}

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
	struct smi_opts *o = &ctx->o;
	char stamp[40], drv[64];
	struct smi_scan now;
	size_t n = find_cards(cards, SMI_MAX_CARDS), shown = 0;
	bool table = !o->json && !o->nquery && o->mode == MODE_SHOW;
	bool jsonl = o->fmt == FMT_JSON && o->mode != MODE_EVENTS;

	if (o->index >= 0) {
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (cards[i].index == o->index)
				cards[k++] = cards[i];
		if (!k && o->mode != MODE_EVENTS)
			die("no Tessera card with index %d", o->index);
		n = k;
	}
	if (!ctx->have_prev && n) {
		scan_clients(&ctx->prev);
		ctx->have_prev = true;
		sleep_s(SMI_SAMPLE_MS / 1000.0);
	}
	scan_clients(&now);
	now_iso(stamp, sizeof(stamp));
	driver_version(drv, sizeof(drv));

	if (jsonl) {
		printf("{\"version\":%d,\"timestamp\":", SMI_JSON_VERSION);
		json_str(stamp);
		printf(",\"cards\":[");
	} else if (o->json) {
		printf("{\"version\":%d,\"cards\":[", SMI_JSON_VERSION);
	} else if (table && o->loop > 0) {
		printf("\033[H\033[2J");
	} else if (o->fmt == FMT_CSV && !o->noheader && !ctx->samples &&
		   o->mode != MODE_EVENTS) {
		print_query_header(o);
	} else if (o->mode == MODE_DMON && o->fmt == FMT_DEFAULT && ctx->samples % 20 == 0) {
		dmon_header();
	} else if (o->mode == MODE_EVENTS && o->fmt == FMT_CSV && !o->noheader &&
		   !ctx->samples) {
		printf("timestamp,index,pci.bus_id,event,detail\n");
	}
	if (table && !n)
		printf("No Tessera cards found.\n");
	if (o->mode == MODE_EVENTS && ctx->samples) {
		/* Cards gone since the last sample. */
		for (size_t k = 0; k < SMI_MAX_CARDS; k++) {
			struct smi_evstate *st = &ctx->ev[k];
			struct smi_card gone = { .index = (int)k };
			bool present = false;

			for (size_t i = 0; i < n; i++)
				present |= cards[i].index == (int)k && !strcmp(cards[i].addr, st->addr);
			if (st->seen && !present) {
				event(o, stamp, &gone, st->addr, "card_absent", "no longer bound to tessera");
				st->seen = false;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct smi_info in;

		gather(ctx, &cards[i], &now, &in);
		if (o->mode == MODE_EVENTS) {
			if (cards[i].index < SMI_MAX_CARDS)
				events_card(o, stamp, &cards[i], &in, &ctx->ev[cards[i].index]);
		} else if (o->nquery) {
			if (jsonl && shown)
				putchar(',');
			print_query_card(o, &cards[i], &in, stamp, drv);
		} else if (o->mode == MODE_DMON) {
			dmon_line(&cards[i], &in, stamp);
		} else if (o->json) {
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
	if (jsonl || o->json)
		printf("]}\n");
	fflush(stdout);
	ctx->samples++;
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
"       accel-smi [-i N] --query=FIELD,... [--format=csv[,noheader][,nounits]|json]\n"
"                 [-l SECONDS [-c COUNT]]\n"
"       accel-smi dmon [-i N] [-d SECONDS] [-c COUNT] [--format=csv|json]\n"
"       accel-smi events [-i N] [-d SECONDS] [-c COUNT] [--format=csv|json]\n"
"       accel-smi topo [--json]\n"
"       accel-smi reset -i N [--force]\n"
"       accel-smi --help-query | --version\n"
"\n"
"Lists Tessera cards: identity, PCI link, memory, engine utilization,\n"
"temperature, power, clock, ECC and reset counters, and processes.\n"
"\n"
"  -i, --index N       only card N (/dev/accel/accelN)\n"
"  -j, --json          one JSON object per sample\n"
"  -l, --loop SECONDS  refresh every SECONDS (JSON: one line per sample)\n"
"  -q, --query FIELDS  print these fields (see --help-query), one CSV row\n"
"                      per card (default) or, with --format=json, one JSON\n"
"                      object per sample\n"
"      --format FMT    csv, csv,noheader, csv,nounits, json\n"
"  -d, --delay SECONDS dmon and events: sample interval (default 1)\n"
"  -c, --count N       stop after N samples (default: until interrupted;\n"
"                      --query without -l: 1)\n"
"  -f, --force         reset even if processes have the card open (their\n"
"                      jobs on the card fail with ECANCELED)\n"
"  -V, --version       accel-smi's and the loaded driver's versions\n"
"  -h, --help          this text\n"
"\n"
"dmon prints one line per card per interval: power, temperature, clock,\n"
"utilization, device memory used, ECC and driver reset counters.\n"
"events prints a timestamped line when a card appears or goes, the driver\n"
"resets an engine or the card, a job faults its context, an ECC error is\n"
"counted, or the card starts\n"
"or stops throttling, reaches its critical temperature or its power cap.\n"
"topo prints how the cards connect (PCIe path, NUMA node, CPUs).\n"
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
		{ "query", required_argument, NULL, 'q' },
		{ "query-gpu", required_argument, NULL, 'q' },
		{ "format", required_argument, NULL, 'F' },
		{ "delay", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "help-query", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	static struct smi_evstate evs[SMI_MAX_CARDS];
	struct smi_ctx ctx = { .o = { .index = -1 }, .ev = evs };
	double delay = 1.0;
	bool reset = false, have_fmt = false;
	char *end;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:jl:fhVq:d:c:", longopts, NULL)) != -1) {
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
		case 'H':
			help_query();
			return 0;
		case 'q':
			ctx.o.nquery = parse_query(optarg, ctx.o.query);
			break;
		case 'F': {
			char buf[64], *tok, *save;

			snprintf(buf, sizeof(buf), "%s", optarg);
			have_fmt = true;
			for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				while (*tok == ' ')
					tok++;
				if (!strcmp(tok, "csv"))
					ctx.o.fmt = FMT_CSV;
				else if (!strcmp(tok, "json"))
					ctx.o.fmt = FMT_JSON;
				else if (!strcmp(tok, "noheader"))
					ctx.o.noheader = true;
				else if (!strcmp(tok, "nounits"))
					ctx.o.nounits = true;
				else
					die("invalid --format '%s' (csv[,noheader][,nounits] or json)", optarg);
			}
			break;
		}
		case 'd':
			errno = 0;
			delay = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(delay > 0) || delay > 86400)
				die("invalid delay '%s' (seconds, > 0)", optarg);
			break;
		case 'c':
			errno = 0;
			ctx.o.count = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || ctx.o.count < 1)
				die("invalid count '%s' (>= 1)", optarg);
			break;
		case ':':
			die("option '%s' needs a value (see --help)", argv[optind - 1]);
		default:
			if (optopt)
				die("unknown option '-%c' (see --help)", optopt);
			die("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		static const char *const cmds[] = { "reset", "dmon", "topo", "events" };
		static const enum smi_mode modes[] = { MODE_RESET, MODE_DMON, MODE_TOPO, MODE_EVENTS };
		size_t k;

		for (k = 0; k < 4; k++)
			if (!strcmp(argv[optind], cmds[k]))
				break;
		if (k == 4 || optind + 1 != argc)
			die("unexpected argument '%s' (see --help)", argv[optind + (k < 4)]);
		ctx.o.mode = modes[k];
	}
	reset = ctx.o.mode == MODE_RESET;
	if (reset && (ctx.o.loop > 0 || ctx.o.json || ctx.o.nquery || have_fmt))
		die("reset takes only -i N and --force");
	if (!reset && ctx.o.force)
		die("--force applies only to reset");
	if (reset)
		return do_reset(&ctx);
	if (ctx.o.mode == MODE_TOPO) {
		if (ctx.o.nquery || have_fmt || ctx.o.loop > 0)
			die("topo takes only --json");
		show_topo(&ctx.o);
		return 0;
	}
	if (ctx.o.mode == MODE_DMON || ctx.o.mode == MODE_EVENTS) {
		if (ctx.o.nquery || ctx.o.loop > 0 || ctx.o.json)
			die("%s takes -i, -d, -c and --format (see --help)", argv[optind]);
		if (ctx.o.mode == MODE_DMON && ctx.o.fmt != FMT_DEFAULT)
			ctx.o.nquery = parse_query(dmon_fields, ctx.o.query);
		ctx.o.loop = delay;
	} else if (ctx.o.nquery) {
		if (ctx.o.json)
			ctx.o.fmt = FMT_JSON;
		if (ctx.o.fmt == FMT_DEFAULT)
			ctx.o.fmt = FMT_CSV;
		ctx.o.json = false;
		if (!(ctx.o.loop > 0) && !ctx.o.count)
			ctx.o.count = 1;
		if (!(ctx.o.loop > 0))
			ctx.o.loop = delay;
	} else if (have_fmt) {
		if (ctx.o.fmt != FMT_JSON || ctx.o.noheader || ctx.o.nounits)
			die("--format=csv needs --query (see --help-query)");
		ctx.o.json = true;
		ctx.o.fmt = FMT_DEFAULT;
	}
	if (ctx.o.count && !(ctx.o.loop > 0))
		die("-c needs -l, dmon, events or --query");

	ctx.pacc = pci_alloc();
	if (!ctx.pacc)
		die("libpci: cannot allocate");
	ctx.pacc->error = pci_err;
	ctx.pacc->warning = pci_quiet;
	ctx.pacc->debug = pci_quiet;
	pci_init(ctx.pacc);

	for (;;) {
		show_once(&ctx);
		if (!(ctx.o.loop > 0) || (ctx.o.count && ctx.samples >= ctx.o.count))
			break;
		sleep_s(ctx.o.loop);
	}
	if (ctx.have_prev)
		scan_free(&ctx.prev);
	pci_cleanup(ctx.pacc);
	return 0;
}
