// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 monitor: a thread that ticks every 10 ms (t1->lock held) to run
 * the watchdog and the telemetry model (temperature, power, clock).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <math.h>

#include "t1_priv.h"

#define MON_TICK_NS	10000000ull	/* monitor: 10 ms */
#define TEMP_FULL_MC	88000.0
#define POWER_D3_MW	3000.0		/* D3hot standby */
#define TEMP_D3_MC	32000.0
#define POWER_FULL_MW	280000.0
#define CLOCK_THROTTLE_MHZ 800

uint64_t t1_ring_busy_ns(const struct t1_ring *r, uint64_t now)
{
	return r->busy_ns + (r->busy ? now - r->busy_since : 0);
}

uint32_t t1_clock_mhz(const struct t1 *t1)
{
	return t1->temp_mc > T1_TEMP_MAX_MC ? CLOCK_THROTTLE_MHZ : T1_CLOCK_MHZ;
}

static void watchdog(struct t1 *t1, uint64_t now)
{
	uint64_t limit = (uint64_t)t1->watchdog_ms * 1000000ull;

	if (!limit)
		return;
	for (unsigned int n = 0; n < t1->nrings; n++) {
		struct t1_ring *r = &t1->ring[n];

		/* An abandoned descriptor is on its way out already. */
		if (!r->busy || r->hung || t1_aborted(r) ||
		    now - r->busy_since < limit)
			continue;
		r->hung = true;
		atomic_store(&r->abort, true);
		t1_ring_fail(r, TESSERA_ERR_WATCHDOG, r->idx);
	}
}

static void telemetry(struct t1 *t1, uint64_t now)
{
	uint64_t total = 0, dt = now - t1->last_tick;
	double util, a;

	for (unsigned int n = 0; n < t1->nrings; n++)
		total += t1_ring_busy_ns(&t1->ring[n], now);
	if (!dt)
		return;
	util = (double)(total - t1->last_busy_total) / ((double)dt * t1->nrings);
	util = util < 0 ? 0 : util > 1 ? 1 : util;
	t1->last_busy_total = total;
	t1->last_tick = now;
	/* First-order lags: temperature tau 2 s, power tau 50 ms. */
	a = 1.0 - exp(-(double)dt / 2e9);
	t1->temp_mc += ((t1->d3hot ? TEMP_D3_MC : T1_TEMP_IDLE_MC) +
			(TEMP_FULL_MC - T1_TEMP_IDLE_MC) * util - t1->temp_mc) * a;
	a = 1.0 - exp(-(double)dt / 5e7);
	t1->power_mw += ((t1->d3hot ? POWER_D3_MW : T1_POWER_IDLE_MW) +
			 (POWER_FULL_MW - T1_POWER_IDLE_MW) * util - t1->power_mw) * a;
	if (t1->power_mw > T1_POWER_CAP_MW)
		t1->power_mw = T1_POWER_CAP_MW;
	a = 1.0 - exp(-(double)dt / 1e9);
	t1->power_avg_mw += (t1->power_mw - t1->power_avg_mw) * a;
	t1->energy_uj += t1->power_mw * (double)dt / 1e6;	/* mW x ns = 1e-6 uJ */
}

void *t1_monitor_thread(void *arg)
{
	struct t1 *t1 = arg;

	pthread_mutex_lock(&t1->lock);
	while (!t1->stop) {
		struct timespec ts;
		uint64_t now = t1_mono_ns(t1);

		watchdog(t1, now);
		telemetry(t1, now);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += MON_TICK_NS;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&t1->mon_cond, &t1->lock, &ts);
	}
	pthread_mutex_unlock(&t1->lock);
	return NULL;
}
