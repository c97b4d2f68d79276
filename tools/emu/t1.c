// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 device model: creation, threads and time.  The model is split by
 * concern:
 *   t1_regs.c     BAR0 register decode, BAR2 device memory
 *   t1_irq.c      interrupts, the error latch, context errors
 *   t1_engine.c   engine threads: descriptors, fences, retirement
 *   t1_cmd.c      the command processor (one command buffer)
 *   t1_mmu.c      address translation and operand buffers
 *   t1_math.c, t1_dnnl.c   the numeric kernels (oneDNN)
 *   t1_monitor.c  watchdog and telemetry
 *   t1_reset.c    ring, device and function resets, D0/D3hot
 *   t1_fault.c    fault injection registers
 *   t1_cfg.c      PCI config space contents
 *   t1_log.c      the rate-limited log of guest errors
 *
 * Locking: one mutex, t1->lock, protects all register and engine state.
 * Engine threads drop it while they execute a descriptor (holding the
 * host's DMA space instead) and take it again to update registers; the
 * socket thread takes it for every register and config access; the
 * monitor thread takes it every tick.  Interrupts are sent with t1->lock
 * held (lock order: t1->lock, then whatever the host's irq callback
 * takes).  An engine may take t1->lock while it holds the DMA space; the
 * socket thread never holds the DMA space exclusively while it waits for
 * t1->lock, so the order t1->lock -> DMA space is never needed.
 *
 * No register or config access waits for an engine (t1_reset.c).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "t1_priv.h"

uint64_t t1_mono_ns(const struct t1 *t1)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - t1->ts_origin.tv_sec) * 1000000000ull +
	       now.tv_nsec - t1->ts_origin.tv_nsec;
}

uint64_t t1_now_ns(const struct t1 *t1)
{
	struct t1 *m = (struct t1 *)t1;
	uint64_t v;

	pthread_mutex_lock(&m->lock);
	v = t1_mono_ns(t1) - t1->ts_base;
	pthread_mutex_unlock(&m->lock);
	return v;
}

unsigned int t1_msix_count(const struct t1 *t1)
{
	return t1->nrings + 1;
}

int t1_hbm_fd(const struct t1 *t1)
{
	return t1->hbm_fd;
}

void *t1_hbm(const struct t1 *t1)
{
	return t1->hbm;
}

uint64_t t1_hbm_size(const struct t1 *t1)
{
	return t1->hbm_size;
}

static void t1_stop_threads(struct t1 *t1, unsigned int nthreads,
			    bool monitor)
{
	pthread_mutex_lock(&t1->lock);
	t1->stop = true;
	for (unsigned int n = 0; n < t1->nrings; n++) {
		atomic_store(&t1->ring[n].abort, true);
		pthread_cond_signal(&t1->ring[n].kick);
	}
	pthread_cond_signal(&t1->mon_cond);
	pthread_mutex_unlock(&t1->lock);
	for (unsigned int n = 0; n < nthreads; n++)
		pthread_join(t1->ring[n].thread, NULL);
	if (monitor)
		pthread_join(t1->monitor, NULL);
}

static void t1_free(struct t1 *t1)
{
	for (unsigned int n = 0; n < t1->nrings; n++) {
		pthread_cond_destroy(&t1->ring[n].kick);
		free(t1->ring[n].cmdbuf);
		t1_bounce_release(&t1->ring[n]);
	}
	if (t1->hbm)
		munmap(t1->hbm, t1->hbm_size);
	if (t1->hbm_fd >= 0)
		close(t1->hbm_fd);
	pthread_cond_destroy(&t1->mon_cond);
	pthread_cond_destroy(&t1->sem_cond);
	pthread_mutex_destroy(&t1->sem_lock);
	pthread_mutex_destroy(&t1->lock);
	pthread_mutex_destroy(&t1->log_lock);
	free(t1);
}

static int t1_start_threads(struct t1 *t1)
{
	for (unsigned int n = 0; n < t1->nrings; n++) {
		if (pthread_create(&t1->ring[n].thread, NULL, t1_ring_thread,
				   &t1->ring[n])) {
			t1_stop_threads(t1, n, false);
			return -EAGAIN;
		}
	}
	if (pthread_create(&t1->monitor, NULL, t1_monitor_thread, t1)) {
		t1_stop_threads(t1, t1->nrings, false);
		return -EAGAIN;
	}
	return 0;
}

static int hbm_create(struct t1 *t1)
{
	void *p;

	t1->hbm_fd = memfd_create("tessera-hbm", MFD_CLOEXEC);
	if (t1->hbm_fd < 0 || ftruncate(t1->hbm_fd, t1->hbm_size))
		return -ENOMEM;
	p = mmap(NULL, t1->hbm_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 t1->hbm_fd, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	t1->hbm = p;
	return 0;
}

struct t1 *t1_create(const struct t1_config *cfg,
		     const struct t1_host_ops *ops)
{
	unsigned int nrings = cfg->ncompute + cfg->ndma;
	struct t1 *t1;

	if (!nrings || nrings > T1_MAX_RINGS || cfg->ncompute > 255 ||
	    !t1_is_pow2(cfg->hbm_size) || cfg->hbm_size < T1_MIN_HBM ||
	    cfg->hbm_size > T1_MAX_HBM)
		return NULL;
	t1 = calloc(1, sizeof(*t1));
	if (!t1)
		return NULL;
	t1->ops = *ops;
	t1->ncompute = cfg->ncompute;
	t1->ndma = cfg->ndma;
	t1->nrings = nrings;
	t1->serial = cfg->serial;
	t1->fault_injection = cfg->fault_injection;
	t1->hbm_size = cfg->hbm_size;
	t1->hbm_fd = -1;
	atomic_init(&t1->bounce_limit, T1_BOUNCE_BYTES);
	t1->temp_mc = T1_TEMP_IDLE_MC;
	t1->power_mw = T1_POWER_IDLE_MW;
	t1->power_avg_mw = T1_POWER_IDLE_MW;
	clock_gettime(CLOCK_MONOTONIC, &t1->ts_origin);
	pthread_mutex_init(&t1->lock, NULL);
	pthread_mutex_init(&t1->log_lock, NULL);
	pthread_cond_init(&t1->mon_cond, NULL);
	pthread_mutex_init(&t1->sem_lock, NULL);
	pthread_cond_init(&t1->sem_cond, NULL);
	atomic_init(&t1->tlb_epoch, 1);
	atomic_init(&t1->fi_ecc, false);
	for (unsigned int n = 0; n < nrings; n++) {
		struct t1_ring *r = &t1->ring[n];

		r->t1 = t1;
		r->idx = n;
		r->cls = n < cfg->ncompute ? TESSERA_ENGINE_CLASS_COMPUTE :
					     TESSERA_ENGINE_CLASS_DMA;
		pthread_cond_init(&r->kick, NULL);
		atomic_init(&r->abort, false);
		atomic_init(&r->fi_hang, false);
		atomic_init(&r->fi_fault, false);
		atomic_init(&r->fi_reset_fail, false);
		r->cmdbuf = malloc(TESSERA_DESC_CMD_SIZE_MAX);
		if (!r->cmdbuf) {
			t1->nrings = n + 1;
			t1_free(t1);
			return NULL;
		}
	}
	if (hbm_create(t1)) {
		t1_free(t1);
		return NULL;
	}
	t1_regs_reset(t1);
	t1->last_tick = t1_mono_ns(t1);
	t1_cfg_init(&t1->cfg, t1->nrings + 1, t1->hbm_size);
	if (t1_start_threads(t1)) {
		t1_free(t1);
		return NULL;
	}
	return t1;
}

void t1_destroy(struct t1 *t1)
{
	if (!t1)
		return;
	t1_stop_threads(t1, t1->nrings, true);
	t1_free(t1);
}
