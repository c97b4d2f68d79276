// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 engines: one host thread per ring fetches descriptors, runs their
 * command buffers (t1_cmd.c) in the descriptor's context (t1_mmu.c),
 * writes fences and retires descriptors.  Engine threads hold t1->lock
 * only to read and update ring state, never while a command runs.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>

#include "t1_priv.h"
#include "t1_dnnl.h"

/* A descriptor, decoded. */
struct t1_desc {
	uint64_t cmd_addr;
	uint32_t cmd_size;
	uint32_t flags;
	uint32_t context;
	uint32_t rsvd0;
	uint64_t tag;
};

/* How a descriptor ended. */
enum desc_result {
	DESC_DONE,		/* completed */
	DESC_ABORTED,		/* context error or halted context: skipped */
	DESC_RING_ERROR,	/* descriptor-level error: the ring stops */
	DESC_CANCELED,		/* reset, watchdog or shutdown */
};

struct exec_state {
	struct t1_desc d;
	struct t1_fault fault;
	uint32_t ring_code;	/* DESC_RING_ERROR: code ... */
	uint64_t ring_addr;	/* ... and address */
};

static bool ring_can_run(const struct t1_ring *r)
{
	return (r->ctrl & TESSERA_RING_CTRL_ENABLE) && !r->error &&
	       r->head != r->tail && !atomic_load(&r->abort);
}

bool t1_ring_idle(const struct t1_ring *r)
{
	return !r->busy && !(r->kicked && ring_can_run(r));
}

static void desc_decode(const uint8_t *raw, struct t1_desc *d)
{
	d->cmd_addr = get_le64(raw + TESSERA_DESC_CMD_ADDR);
	d->cmd_size = get_le32(raw + TESSERA_DESC_CMD_SIZE);
	d->flags = get_le32(raw + TESSERA_DESC_FLAGS);
	d->context = get_le32(raw + TESSERA_DESC_CONTEXT);
	d->rsvd0 = get_le32(raw + TESSERA_DESC_RSVD0);
	d->tag = get_le64(raw + TESSERA_DESC_TAG);
}

static bool desc_valid(const struct t1_desc *d)
{
	return d->cmd_size && !(d->cmd_size % 4) &&
	       d->cmd_size <= TESSERA_DESC_CMD_SIZE_MAX &&
	       !(d->cmd_addr % 4) && !(d->flags & ~TESSERA_DESC_FLAGS_VALID) &&
	       d->context < TESSERA_MAX_ASIDS && !d->rsvd0;
}

/*
 * Host pointer to the 8 bytes at context-0 address @addr (host memory or,
 * at TESSERA_BYPASS_HBM_BASE and above, device memory), or NULL if the
 * host does not allow writing them.  No translation, no injected faults.
 */
static uint8_t *fence_wb_ptr(struct t1 *t1, uint64_t addr)
{
	uint64_t n = 8, off;
	uint8_t *p;

	if (addr >= TESSERA_BYPASS_HBM_BASE) {
		off = addr - TESSERA_BYPASS_HBM_BASE;
		return off < t1->hbm_size && t1->hbm_size - off >= 8 ? t1->hbm + off : NULL;
	}
	p = t1->ops.dma_ptr(t1->ops.opaque, addr, &n, true);
	return n < 8 ? NULL : p;
}

/* Write @value to the ring's fence address (context 0 view). */
int t1_ring_fence(struct t1_ring *r, uint64_t value, bool irq,
		  struct t1_fault *f)
{
	struct t1 *t1 = r->t1;
	uint64_t addr, le = htole64(value);
	uint8_t *p;
	int ret = 0;

	pthread_mutex_lock(&t1->lock);
	addr = r->fence_addr;
	pthread_mutex_unlock(&t1->lock);
	if (atomic_load(&r->abort))
		return -ECANCELED;
	p = fence_wb_ptr(t1, addr);
	if (!p) {
		if (f) {
			f->code = TESSERA_ERR_DMA_FAULT;
			f->va = addr;
			f->access = TESSERA_ACCESS_WRITE;
		}
		return TESSERA_ERR_DMA_FAULT;
	}
	/*
	 * Under the lock, with abort checked: once a reset has abandoned
	 * the descriptor, no fence of it reaches memory.
	 */
	pthread_mutex_lock(&t1->lock);
	if (atomic_load(&r->abort)) {
		ret = -ECANCELED;
	} else {
		__atomic_store_n((uint64_t *)p, le, __ATOMIC_RELEASE);
		r->fence_seqno = value;
		if (irq)
			t1_raise_irq(t1, TESSERA_INT_RING(r->idx),
				  TESSERA_MSIX_RING_VECTOR(r->idx));
	}
	pthread_mutex_unlock(&t1->lock);
	return ret;
}

/*
 * 1.2: write the ring's context-error count to FENCE_ADDR + 8, before the
 * aborted descriptor's TAG, so a driver learns from memory, not from
 * FAULT_STATUS, that a syndrome is waiting.  A write the host does not
 * allow is skipped: the TAG write that follows reports it.
 */
static void fault_count_writeback(struct t1_ring *r)
{
	struct t1 *t1 = r->t1;
	uint64_t addr, count;
	uint8_t *p;

	pthread_mutex_lock(&t1->lock);
	addr = r->fence_addr;
	pthread_mutex_unlock(&t1->lock);
	if (addr + 8 < addr)
		return;
	p = fence_wb_ptr(t1, addr + 8);
	/* As for the fence: nothing of an abandoned descriptor. */
	pthread_mutex_lock(&t1->lock);
	count = r->fault_count;
	if (p && !atomic_load(&r->abort))
		__atomic_store_n((uint64_t *)p, htole64(count), __ATOMIC_RELEASE);
	pthread_mutex_unlock(&t1->lock);
}

/* Run a descriptor of a live context; 0, -ECANCELED or an error code. */
static int run_context(struct t1_ring *r, struct exec_state *s)
{
	struct t1_as as = { .fault = &s->fault };
	int ret;

	ret = t1_as_init(&as, r, s->d.context);
	if (ret)
		return ret;
	ret = t1_as_read(&as, s->d.cmd_addr, r->cmdbuf, s->d.cmd_size,
			 T1_ACC_X);
	if (ret)
		return ret;
	return t1_exec_cmds(&as, r->cmdbuf, s->d.cmd_size / 4, s->d.cmd_addr);
}

static enum desc_result ring_exec(struct t1_ring *r, uint64_t base,
				  uint32_t head, struct exec_state *s)
{
	struct t1 *t1 = r->t1;
	const struct t1_host_ops *ops = &t1->ops;
	uint64_t addr = base + (uint64_t)head * TESSERA_DESC_SIZE;
	uint64_t n = TESSERA_DESC_SIZE;
	enum desc_result res;
	bool halted;
	uint8_t *raw;
	int ret;

	if (atomic_exchange(&r->fi_hang, false)) {
		t1_fi_hang(r);
		return DESC_CANCELED;
	}

	ops->dma_hold(ops->opaque);
	raw = ops->dma_ptr(ops->opaque, addr, &n, false);
	if (!raw || n < TESSERA_DESC_SIZE) {
		t1_guest_error(t1, "ring %u: descriptor %u at %#llx is not in "
			       "host memory", r->idx, head,
			       (unsigned long long)addr);
		s->ring_code = TESSERA_ERR_DMA_FAULT;
		s->ring_addr = addr;
		res = DESC_RING_ERROR;
		goto out;
	}
	desc_decode(raw, &s->d);
	if (!desc_valid(&s->d)) {
		t1_guest_error(t1, "ring %u: descriptor %u at %#llx invalid "
			       "(CMD_ADDR %#llx CMD_SIZE %u FLAGS %#x CONTEXT %u "
			       "RSVD0 %#x)", r->idx, head,
			       (unsigned long long)addr,
			       (unsigned long long)s->d.cmd_addr, s->d.cmd_size,
			       s->d.flags, s->d.context, s->d.rsvd0);
		s->ring_code = TESSERA_ERR_INVALID_DESC;
		s->ring_addr = addr;
		res = DESC_RING_ERROR;
		goto out;
	}

	pthread_mutex_lock(&t1->lock);
	halted = t1_asid_halted(r, s->d.context);
	/* From here on TLB invalidations of this context wait for it. */
	r->cur_asid = s->d.context;
	pthread_mutex_unlock(&t1->lock);
	ret = halted ? 0 : run_context(r, s);
	if (ret == -ECANCELED) {
		res = DESC_CANCELED;
		goto out;
	}
	if (halted || ret) {
		if (ret) {
			pthread_mutex_lock(&t1->lock);
			if (atomic_load(&r->abort))
				ret = -ECANCELED;
			else
				t1_context_fault(r, s->d.context, s->d.tag,
					      &s->fault);
			pthread_mutex_unlock(&t1->lock);
			if (ret == -ECANCELED) {
				res = DESC_CANCELED;
				goto out;
			}
			fault_count_writeback(r);
		}
		res = DESC_ABORTED;
		if (s->d.flags & TESSERA_DESC_FLAG_FENCE_ON_ABORT)
			ret = t1_ring_fence(r, s->d.tag, true, NULL);
		else
			ret = 0;
	} else {
		res = DESC_DONE;
		if (s->d.flags & TESSERA_DESC_FLAG_FENCE)
			ret = t1_ring_fence(r, s->d.tag,
					    s->d.flags & TESSERA_DESC_FLAG_IRQ,
					    NULL);
	}
	if (ret == -ECANCELED) {
		res = DESC_CANCELED;
	} else if (ret) {
		/* The descriptor's own fence write failed. */
		s->ring_code = TESSERA_ERR_DMA_FAULT;
		pthread_mutex_lock(&t1->lock);
		s->ring_addr = r->fence_addr;
		pthread_mutex_unlock(&t1->lock);
		t1_guest_error(t1, "ring %u: RING%u_FENCE_ADDR %#llx is not "
			       "writable host memory", r->idx, r->idx,
			       (unsigned long long)s->ring_addr);
		res = DESC_RING_ERROR;
	}
out:
	ops->dma_release(ops->opaque);
	return res;
}

/* Account for a descriptor the engine has finished.  t1->lock held. */
static void ring_retire(struct t1_ring *r, uint32_t head, uint32_t size,
			enum desc_result res, const struct exec_state *s)
{
	if (atomic_load(&r->abort) || res == DESC_CANCELED)
		return;
	if (res == DESC_RING_ERROR) {
		t1_ring_fail(r, s->ring_code, s->ring_addr);
		return;
	}
	r->head = (head + 1) & (size - 1);
	if (res == DESC_DONE)
		r->completed++;
	else
		r->aborted++;
}

void *t1_ring_thread(void *arg)
{
	struct t1_ring *r = arg;
	struct t1 *t1 = r->t1;

	if (r->cls == TESSERA_ENGINE_CLASS_COMPUTE)
		t1_mm_warm();
	pthread_mutex_lock(&t1->lock);
	while (!t1->stop) {
		struct exec_state s = { 0 };
		enum desc_result res;
		uint32_t head, size;
		uint64_t base, now;

		if (!ring_can_run(r))
			r->kicked = false;
		/* In D3hot a kicked ring waits for D0 (power_state_change). */
		if (!r->kicked || t1->d3hot) {
			pthread_cond_wait(&r->kick, &t1->lock);
			continue;
		}
		base = r->desc_base;
		head = r->head;
		size = r->size;
		r->busy = true;
		r->cur_asid = T1_ASID_NONE;
		r->desc_seq++;
		r->busy_since = t1_mono_ns(t1);
		pthread_mutex_unlock(&t1->lock);

		res = ring_exec(r, base, head, &s);

		pthread_mutex_lock(&t1->lock);
		now = t1_mono_ns(t1);
		r->busy_ns += now - r->busy_since;
		r->busy = false;
		ring_retire(r, head, size, res, &s);
		t1_ring_let_go(r);
	}
	pthread_mutex_unlock(&t1->lock);
	return NULL;
}
