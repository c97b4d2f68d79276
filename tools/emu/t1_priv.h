/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * T1 device model internals shared by its files (t1.c lists them, one
 * concern each).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_T1_PRIV_H
#define TESSERA_T1_PRIV_H

#include <endian.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "t1.h"
#include "tessera_regs.h"
#include "accel/tessera_cmd.h"

#define T1_TLB_SIZE		4096	/* entries per engine, direct mapped */
#define T1_MAX_OPERAND		(256ull << 20)	/* bytes a compute operand may span */
#define T1_MAX_DIM		65536u
/*
 * Host memory one engine may hold at once in copies of operands that are
 * not contiguous in host memory ("bounced": host buffers are scattered
 * pages).  GEMM, SOFTMAX and LAYERNORM work through such operands in
 * blocks within it (t1_block.c); an operand that would go over it
 * anyway is ERR_INVALID_CMD (Documentation/emulator.rst, "Operands").
 */
#define T1_BOUNCE_BYTES		(64ull << 20)
/*
 * Bounce buffers an engine keeps for its next commands once a command is
 * done with them (t1_buf_put()): at most T1_BOUNCE_SLOTS of them, at most
 * T1_BOUNCE_KEEP bytes in all.  A new buffer of that size is a new
 * mapping of the host's, and faulting its pages in cost more than the
 * copy itself: with a fresh buffer per operand, bouncing took 70% of a
 * small transformer's GEMM time.
 */
#define T1_BOUNCE_SLOTS		8
#define T1_BOUNCE_KEEP		(16ull << 20)

/* Access kinds for translation. */
#define T1_ACC_R		1u
#define T1_ACC_W		2u
#define T1_ACC_X		4u	/* command fetch: needs EXEC (TESSERA_CTX_EXEC_PERM) or READ */

#define T1_ASID_NONE		UINT32_MAX	/* descriptor not decoded yet */

/* Telemetry figures the registers report (t1_monitor.c models them). */
#define T1_CLOCK_MHZ		1000
#define T1_TEMP_IDLE_MC		40000.0
#define T1_TEMP_CRIT_MC		95000
#define T1_POWER_IDLE_MW	25000.0
#define T1_POWER_CAP_MW		300000
#define T1_TEMP_MAX_MC		90000	/* the clock throttles above it */
#define T1_TEMP_EMERG_MC	105000	/* board thermal trip (never reached here) */

struct t1;

/*
 * One cached translation: of a 4 KiB virtual page, or with @huge of a
 * 2 MiB one (then the tag holds the 2 MiB page number).
 */
struct t1_tlb_entry {
	uint64_t tag;		/* (asid << 36 | page number) + 1; 0 = empty */
	uint64_t pa;		/* page's bus address or HBM offset */
	uint32_t perm;		/* T1_ACC_R | T1_ACC_W | T1_ACC_X */
	uint32_t epoch;		/* t1->tlb_epoch when filled */
	bool devmem;
	bool huge;
};

/* The error a command stopped with (a context error). */
struct t1_fault {
	uint32_t code;		/* TESSERA_ERR_* */
	uint32_t access;	/* TESSERA_ACCESS_* */
	uint64_t va;
};

/*
 * A run of pages t1_xlate() found contiguous in host memory, kept by the
 * engine like a TLB entry that covers a range: a command checks every
 * page of its operands, then gets them, and a decoding step uses the
 * same weight matrices every time; with these the second and later
 * translations of a span are one lookup.  Valid while the TLB epoch is
 * @epoch (every invalidation moves it), for @asid.  A span of host
 * memory holds a host pointer, which must not outlive the descriptor
 * (the DMA maps are held only that long): it is valid only for
 * descriptor @seq; one of device memory (@devmem: in t1->hbm, there for
 * the card's lifetime) for any.
 */
struct t1_span {
	uint64_t va, len;
	uint8_t *p;
	uint64_t seq;
	uint32_t epoch, asid;
	unsigned int acc;	/* the accesses it was checked for */
	bool devmem;
};
#define T1_SPANS		256	/* per engine, direct mapped by start VA */

struct t1_ring {
	struct t1 *t1;
	unsigned int idx;
	unsigned int cls;	/* TESSERA_ENGINE_CLASS_* */
	pthread_t thread;
	pthread_cond_t kick;	/* waits on t1->lock: doorbell, reset, stop */

	/* Engine thread only. */
	uint32_t *cmdbuf;	/* the fetched commands */
	struct t1_tlb_entry tlb[T1_TLB_SIZE];
	struct t1_span span[T1_SPANS];
	uint64_t xlate_pages;	/* page translations done; tests bound it */
	uint64_t bounced;	/* bytes of operand copies held now */
	uint64_t bounce_peak;	/* most ever held at once (tests) */
	struct t1_bounce_slot {	/* kept for reuse: T1_BOUNCE_SLOTS */
		uint8_t *p;
		uint64_t cap;	/* bytes, a multiple of 4 KiB */
	} bounce_keep[T1_BOUNCE_SLOTS];
	uint64_t bounce_kept;	/* bytes in bounce_keep[] */
	uint64_t bounce_reused;	/* copies that reused a kept buffer (tests) */
	_Atomic uint64_t pt_walks; /* TLB misses: RING_PT_WALKS */

	/* Registers and engine state, protected by t1->lock. */
	uint64_t desc_base;
	uint32_t size;
	uint32_t head;
	uint32_t tail;
	uint32_t ctrl;		/* TESSERA_RING_CTRL_ENABLE only */
	uint32_t completed;
	uint32_t aborted;
	uint64_t fence_addr;
	uint64_t fence_seqno;
	bool error;		/* ring stopped: descriptor-level error */
	bool hung;		/* ... because the watchdog fired */
	bool reset_failed;	/* ... because a reset failed */
	bool kicked;		/* doorbell rung since the engine last idled */
	bool busy;		/* engine is executing a descriptor */
	/*
	 * A reset abandoned the descriptor the engine is executing: set with
	 * abort while busy; the engine clears both when it lets go.
	 */
	bool resetting;
	bool fresh;		/* not enabled since its last reset */
	uint32_t cur_asid;	/* context of the descriptor, or T1_ASID_NONE */
	uint64_t desc_seq;	/* descriptors started */
	uint64_t busy_since;	/* device ns when the current one started */
	uint64_t busy_ns;	/* total time spent executing */
	uint32_t busy_hi_latch;
	bool inv_wait;		/* TLB invalidation waits for desc_seq */
	uint64_t inv_seq;
	/* Context-error syndrome latch and halted contexts. */
	bool fault_valid;
	bool fault_overflow;
	struct t1_fault fault;
	uint32_t fault_asid;
	uint64_t fault_tag;
	uint64_t fault_count;	/* context errors since device reset */
	uint32_t halt_query;
	uint64_t halted[TESSERA_MAX_ASIDS / 64];

	/*
	 * Written with t1->lock held; the engine also polls it without the
	 * lock between commands and between the tiles and chunks of a
	 * command (t1_aborted()), to give up a descriptor quickly on reset.
	 */
	atomic_bool abort;
	/* Fault injection, armed by registers, consumed by the engine. */
	atomic_bool fi_hang;
	atomic_bool fi_fault;
	atomic_bool fi_reset_fail;
};

struct t1 {
	/* Immutable after t1_create(). */
	struct t1_host_ops ops;
	unsigned int ncompute, ndma, nrings;
	uint32_t serial;
	bool fault_injection;
	uint8_t *hbm;
	uint64_t hbm_size;
	int hbm_fd;
	struct timespec ts_origin;	/* power-on */
	_Atomic uint64_t bounce_limit;	/* T1_BOUNCE_BYTES (tests lower it) */

	/*
	 * lock protects everything below and the register state in each
	 * ring.  Nothing that holds it for a register or config access
	 * waits for an engine.  mon_cond wakes the monitor thread for
	 * t1_destroy().
	 */
	pthread_mutex_t lock;
	pthread_cond_t mon_cond;
	pthread_t monitor;
	bool stop;

	/*
	 * SEMAPHORE waits (t1_cmd.c): an engine that has polled a while
	 * sleeps on sem_cond until another engine's SIGNAL or ADD (sem_seq
	 * moves, under sem_lock) or a timeout, for writes by anyone else
	 * (the CPU, a peer) and for aborts.  sem_lock is a leaf, taken
	 * without any other lock held.  sem_waiters: engines asleep there,
	 * so that a SIGNAL with none skips the lock.
	 */
	pthread_mutex_t sem_lock;
	pthread_cond_t sem_cond;
	uint64_t sem_seq;
	atomic_uint sem_waiters;

	/*
	 * The guest-error log's rate limit (t1_log.c).  log_lock protects
	 * it; it nests inside t1->lock and takes nothing else.
	 */
	pthread_mutex_t log_lock;
	uint64_t log_window;	/* second of device time of the lines counted */
	unsigned int log_lines;	/* lines logged in it */
	unsigned int log_dropped;	/* lines not logged in it */
		/* t1_destroy(): threads exit */

	uint32_t scratch;
	uint32_t int_status;
	uint32_t int_mask;
	uint32_t err_code;
	uint32_t err_ring;
	uint64_t err_addr;
	uint64_t ts_base;	/* device ns at the last reset */
	uint32_t ts_hi_latch;
	uint32_t watchdog_ms;
	bool reset_failed;
	bool dev_resetting;	/* device reset waits for engines to let go */
	struct t1_cfg cfg;
	/* MMU registers. */
	uint64_t ctx_base;
	uint32_t ctx_count;
	uint32_t inv_asid;
	/* Telemetry (the monitor thread updates it). */
	double temp_mc;
	double power_mw;
	double power_avg_mw;	/* 1 s running average of power_mw */
	double energy_uj;	/* integral of power_mw since power-on */
	uint32_t energy_hi_latch;
	uint64_t last_busy_total;
	uint64_t last_tick;
	uint32_t ecc_corrected;
	uint32_t ecc_uncorrected;
	uint32_t engine_resets;
	unsigned int function_resets;	/* FLRs and DEVICE_RESETs */
	bool d3hot;		/* PCI PM: the function is in D3hot */

	/* Bumped (under lock) by every TLB invalidation; engines read it. */
	atomic_uint tlb_epoch;
	/* Armed uncorrectable ECC error: the next HBM access fails. */
	atomic_bool fi_ecc;
	bool fi_dev_reset_fail;		/* lock */

	struct t1_ring ring[T1_MAX_RINGS];
};

/* The address space one descriptor runs in (engine thread only). */

struct t1_as {
	struct t1 *t1;
	struct t1_ring *r;
	uint32_t asid;
	uint64_t root;		/* root pointer (PTE format), asid >= 1 */
	bool exec_perm;		/* TESSERA_CTX_EXEC_PERM: fetch needs EXEC */
	struct t1_fault *fault;
};

/* Must the engine of @r give up its descriptor?  (No lock needed.) */
static inline bool t1_aborted(struct t1_ring *r)
{
	return atomic_load_explicit(&r->abort, memory_order_relaxed);
}

static inline uint32_t get_le32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline uint64_t get_le64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static inline bool t1_is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static inline bool t1_asid_halted(const struct t1_ring *r, uint32_t asid)
{
	return r->halted[asid / 64] & (1ull << (asid % 64));
}

/* t1.c: device time in ns since power-on (t1_mono_ns: lock held). */
uint64_t t1_now_ns(const struct t1 *t1);
uint64_t t1_mono_ns(const struct t1 *t1);

/* t1_irq.c (t1->lock held) */
void t1_raise_irq(struct t1 *t1, uint32_t bit, unsigned int vector);
/* Send the vector of every pending source that has just been unmasked. */
void t1_irq_unmasked(struct t1 *t1, uint32_t unmasked);
/* Stop ring @r with error @code (a ring-level error). */
void t1_ring_fail(struct t1_ring *r, uint32_t code, uint64_t addr);
/* A context error on @r: latch the syndrome, halt the context. */
void t1_context_fault(struct t1_ring *r, uint32_t asid, uint64_t tag,
		      const struct t1_fault *f);

/* t1_engine.c */
void *t1_ring_thread(void *arg);
/* RING_STATUS.IDLE (t1->lock held). */
bool t1_ring_idle(const struct t1_ring *r);

/* t1_reset.c (t1->lock held) */
void t1_ring_reset(struct t1_ring *r);
void t1_device_reset(struct t1 *t1);
void t1_regs_reset(struct t1 *t1);
/* The engine of @r has stopped executing: a reset waiting for it ends. */
void t1_ring_let_go(struct t1_ring *r);

/* t1_monitor.c */
void *t1_monitor_thread(void *arg);
uint64_t t1_ring_busy_ns(const struct t1_ring *r, uint64_t now);
uint32_t t1_clock_mhz(const struct t1 *t1);

/* t1_fault.c */
uint32_t t1_fi_armed(struct t1 *t1);		/* t1->lock held */
void t1_fi_write(struct t1 *t1, uint32_t off, uint32_t val);
/* Hang (an injected fault): spin until reset, watchdog or shutdown. */
void t1_fi_hang(struct t1_ring *r);

/*
 * t1_log.c: a guest-caused error (a bad register access, descriptor or
 * command): one line on the host's log, at most T1_LOG_BURST lines per
 * second per device, then a count of the lines dropped.  Any lock.
 */
#define T1_LOG_BURST		10
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif
/* "RING1_TAIL", "SCRATCH", "(undefined)": the register at BAR0 @off. */
const char *t1_reg_name(const struct t1 *t1, uint32_t off, char *buf,
			size_t size);
const char *t1_cmd_name(uint32_t opcode);
const char *t1_err_name(uint32_t code);
void t1_guest_error(struct t1 *t1, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* t1_mmu.c */
/*
 * Host address of @va for @acc; *len is trimmed to the bytes mapped
 * contiguously in host memory from there.  NULL with as->fault set on a
 * fault.
 */
uint8_t *t1_xlate(struct t1_as *as, uint64_t va, uint64_t *len,
		  unsigned int acc);
int t1_as_read(struct t1_as *as, uint64_t va, void *buf, uint64_t len,
	       unsigned int acc);
int t1_as_write(struct t1_as *as, uint64_t va, const void *buf,
		uint64_t len);
/* Start a descriptor in context @asid: 0 or a TESSERA_ERR_* code. */
int t1_as_init(struct t1_as *as, struct t1_ring *r, uint32_t asid);

/*
 * An operand as host memory: @rows rows of @row bytes, @ld bytes apart
 * in the context from @va.  In place (p, pitch = ld) when the span is
 * contiguous in host memory; otherwise copied (bounced: @bytes counted
 * against the engine's bounce limit), dense (pitch = row) or in the
 * same layout (pitch = ld); only the rows are read and written back.  A
 * whole span (t1_buf_get(), one row) is written back whole unless
 * t1_buf_rows() says which of its bytes the command writes: then only
 * those, so that the gaps between the rows (and matrices) of a strided
 * destination keep what memory holds.
 */
struct t1_buf {
	uint8_t *p;
	uint64_t va, row, ld, pitch, bytes;
	uint64_t cap;		/* bounced: bytes allocated at p */
	uint32_t rows;
	unsigned int acc;
	bool bounced;
	/* written, if wrows: n[0] x n[1] blocks (strides s[]) of wrows rows */
	uint64_t wrow, wrows, wld, n[2], s[2];	/* of wrow bytes, wld apart */
};
/*
 * Check that the span of the rows x row-byte operand at @va (stride @ld
 * bytes) is mapped for @acc, every page, before any work; *contig:
 * whether it is contiguous in host memory.  0 or an error code.
 */
int t1_mat_check(struct t1_as *as, uint64_t va, uint32_t rows, uint64_t row,
		 uint64_t ld, unsigned int acc, bool *contig);
/*
 * The rows x row-byte operand at @va (stride @ld bytes), a copy of it
 * dense or, with @keep, in its layout; 0 or a code.
 */
int t1_mat_get(struct t1_as *as, struct t1_buf *b, uint64_t va,
	       uint32_t rows, uint64_t row, uint64_t ld, unsigned int acc,
	       bool keep);
/* The whole span [va, va + len) as one row, all of it checked first. */
int t1_buf_get(struct t1_as *as, struct t1_buf *b, uint64_t va,
	       uint64_t len, unsigned int acc);
/*
 * The command writes @rows rows of @row bytes, @ld bytes apart, in each of
 * n0 x n1 blocks (s0 and s1 bytes apart) of @b, a whole span from
 * t1_buf_get().  Before t1_buf_put().
 */
void t1_buf_rows(struct t1_buf *b, uint64_t rows, uint64_t ld, uint64_t row,
		 uint64_t n0, uint64_t s0, uint64_t n1, uint64_t s1);
/* Write back (if bounced and writable) and free; 0 or an error code. */
int t1_buf_put(struct t1_as *as, struct t1_buf *b, bool writeback);
/* The bounce buffers @r kept (engine thread, or after it stopped). */
void t1_bounce_release(struct t1_ring *r);
/* Tests: the bounce limit per engine (T1_BOUNCE_BYTES by default). */
void t1_set_bounce_limit(struct t1 *t1, uint64_t bytes);

/*
 * t1_block.c: GEMM (@g without its operand pointers; @a, @b, @c, @bias
 * the VAs, bias 0 if none) and SOFTMAX/LAYERNORM (@p likewise) on the
 * context's memory, in blocks whose bounced operands fit the bounce
 * limit.  0, -ECANCELED, a TESSERA_ERR_* code, or the math's -ENOMEM /
 * -EINVAL (the caller's invalid command).
 */
struct t1_gemm;
struct t1_rows;
int t1_gemm_cmd(struct t1_as *as, const struct t1_gemm *g, uint64_t a,
		uint64_t b, uint64_t c, uint64_t bias);
int t1_rows_cmd(struct t1_as *as, const struct t1_rows *p, uint64_t src,
		uint64_t dst, uint64_t gamma, uint64_t beta);

/* t1_cmd.c: run @ndw dwords; 0, -ECANCELED or a TESSERA_ERR_* code. */
int t1_exec_cmds(struct t1_as *as, const uint32_t *buf, uint32_t ndw,
		 uint64_t cmd_va);

/* t1.c: FENCE, for t1_cmd.c.  0, -ECANCELED or an error code. */
int t1_ring_fence(struct t1_ring *r, uint64_t value, bool irq,
		  struct t1_fault *f);

#endif /* TESSERA_T1_PRIV_H */
