/* SPDX-License-Identifier: MIT */
/*
 * What accel-smi and accel-exporter read about Tessera cards: sysfs,
 * hwmon, libpci and DRM fdinfo (smi-sysfs.c).  Neither opens a card.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_SMI_H
#define TESSERA_SMI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

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

enum smi_fmt { FMT_DEFAULT, FMT_CSV, FMT_JSON };
enum smi_mode { MODE_SHOW, MODE_RESET, MODE_DMON, MODE_TOPO, MODE_EVENTS };

struct smi_opts {
	bool json;
	double loop;			/* seconds, 0 = once */
	int index;			/* -1 = all */
	bool force;
	enum smi_mode mode;
	size_t query[64], nquery;	/* --query fields (indices in smi_fields) */
	enum smi_fmt fmt;
	bool noheader, nounits;
	long count;			/* samples, 0 = until interrupted */
};

struct smi_evstate;

struct smi_ctx {
	struct pci_access *pacc;
	struct smi_opts o;
	struct smi_scan prev;
	bool have_prev;
	long samples;			/* printed so far */
	struct smi_evstate *ev;		/* events: per card index */
};

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
	bool has_temp_max, has_temp_emerg, has_power_avg, has_energy;
	int64_t temp_max_mc, temp_emerg_mc, power_avg_uw;
	uint64_t energy_uj;
	bool has_numa;
	int64_t numa_node;
	bool has_cf;
	uint64_t context_faults;
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

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void pci_err(char *msg, ...) __attribute__((noreturn));
void pci_quiet(char *msg, ...);
bool read_attr(const char *dir, const char *name, char *buf, size_t size);
bool read_u64(const char *dir, const char *name, uint64_t *v);
bool read_s64(const char *dir, const char *name, int64_t *v);
/* Tessera cards under /sys/class/accel, by index; at most @max. */
size_t find_cards(struct smi_card *cards, size_t max);
/* Every client of every card (/proc/PID/fdinfo), and when. */
void scan_clients(struct smi_scan *s);
void scan_free(struct smi_scan *s);
/* One card's state; utilisation over the interval since ctx->prev. */
void gather(struct smi_ctx *ctx, const struct smi_card *card,
	    const struct smi_scan *now, struct smi_info *in);

#endif /* TESSERA_SMI_H */
