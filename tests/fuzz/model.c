// SPDX-License-Identifier: GPL-2.0-only
/*
 * tessera-fuzz: the oracle's model of a VM's mappings (see struct vm).
 *
 * It follows uapi/drm/tessera_accel.h: a MAP replaces whatever was mapped
 * in its range, splitting older mappings at its edges; an UNMAP removes
 * every mapping in its range; a failed call changes nothing.  Binds that
 * overlap in time may take effect in either order, so the ranges they
 * touch become unknown; a job whose operands a bind touched between their
 * choice and the submit is not held to the model.  Callers hold the
 * process's lock.  model_test.c checks it on the host.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		4096ull

/* Remove [va, va + size) from the model, splitting at the edges; false: no room. */
bool model_unmap(struct vm *v, uint64_t va, uint64_t size)
{
	uint64_t end = va + size;

	for (int i = 0; i < v->nmaps; i++) {
		struct vmap *m = &v->maps[i];
		uint64_t mend = m->va + m->size;

		if (mend <= va || m->va >= end)
			continue;
		if (m->va < va && mend > end) {
			struct vmap tail = *m;

			if (v->nmaps == MAX_VMAPS)
				return false;
			tail.bo_offset += end - m->va;
			tail.va = end;
			tail.size = mend - end;
			m->size = va - m->va;
			v->maps[v->nmaps++] = tail;
		} else if (m->va < va) {
			m->size = va - m->va;
		} else if (mend > end) {
			m->bo_offset += end - m->va;
			m->size = mend - end;
			m->va = end;
		} else {
			v->maps[i--] = v->maps[--v->nmaps];
		}
	}
	return true;
}

void model_op(struct vm *v, const struct drm_tessera_vm_bind_op *op, int owner)
{
	bool ok = model_unmap(v, op->va, op->size);

	if (ok && op->op == DRM_TESSERA_BIND_OP_MAP) {
		if (v->nmaps < MAX_VMAPS)
			v->maps[v->nmaps++] = (struct vmap){
				.va = op->va, .size = op->size, .bo_offset = op->bo_offset,
				.flags = op->flags, .handle = op->handle, .owner = owner,
			};
		else
			ok = false;
	}
	if (!ok)
		v->uncertain = true;	/* the model lost track */
}

/* The range of @op may hold anything: no job uses it, no probe counts on a hole there. */
void model_unknown(struct vm *v, const struct drm_tessera_vm_bind_op *op)
{
	if (!model_unmap(v, op->va, op->size) || v->nmaps == MAX_VMAPS) {
		v->uncertain = true;
		return;
	}
	v->maps[v->nmaps++] = (struct vmap){ .va = op->va, .size = op->size, .owner = -2 };
}


/* Record a data bind's op ranges as changing from now (@ops NULL: a hostile bind, not recorded). */
void bind_begin(struct vm *v, bool data, struct ticket *tk,
		       const struct drm_tessera_vm_bind_op *ops, uint32_t n)
{
	*tk = (struct ticket){ .serial = v->serial, .data = data };
	v->binding++;
	v->map_seq++;
	if (!data)
		return;
	tk->conflict = v->data_binds > 0;
	v->data_binds++;
	tk->epoch = ++v->data_epoch;
	for (uint32_t i = 0; ops && i < n && i < ARRAY_SIZE(tk->pos); i++) {
		unsigned int k = v->nhist % VM_HIST;

		if (v->nhist >= VM_HIST && !v->hist[k].end)
			v->uncertain = true;	/* forgot a bind still in flight */
		v->hist[k].va = ops[i].va;
		v->hist[k].size = ops[i].size;
		v->hist[k].begin = ++v->map_seq;
		v->hist[k].end = 0;
		tk->pos[tk->n++] = v->nhist++;
	}
}

static void hist_end(struct vm *v, const struct ticket *tk)
{
	for (uint32_t i = 0; i < tk->n; i++)
		if (v->nhist - tk->pos[i] <= VM_HIST)
			v->hist[tk->pos[i] % VM_HIST].end = ++v->map_seq;
}

/*
 * Did a bind touch @op's range since map_seq was @seq (or is one in
 * flight there)?  Then a job using it may see either mapping.
 */
bool hist_raced(const struct vm *v, const struct operand *op, uint32_t seq)
{
	unsigned int n = v->nhist < VM_HIST ? v->nhist : VM_HIST;

	if (v->nhist > VM_HIST && v->hist[v->nhist % VM_HIST].begin > seq)
		return true;	/* forgotten */
	for (unsigned int i = 0; i < n; i++)
		if (op->va < v->hist[i].va + v->hist[i].size && v->hist[i].va < op->va + op->size &&
		    (!v->hist[i].end || v->hist[i].end > seq))
			return true;
	return false;
}

/*
 * The bind's ioctl returned @err: the model takes in its ops (on
 * success), or learns that they may be half done.  @pending: an
 * asynchronous bind, in flight until bind_done().
 */
void bind_end(struct vm *v, struct ticket *tk, int err,
		     const struct drm_tessera_vm_bind_op *ops, uint32_t n, int owner, bool pending)
{
	if (!pending || err) {
		v->binding--;
		if (tk->data)
			v->data_binds--;
		hist_end(v, tk);
	}
	v->map_seq++;
	if (tk->data)
		tk->conflict |= v->data_epoch != tk->epoch;
	if (!err) {
		for (uint32_t i = 0; i < n; i++) {
			if (tk->conflict)
				model_unknown(v, &ops[i]);
			else
				model_op(v, &ops[i], owner);
		}
	} else if (err != EINVAL && err != ENOENT && err != EFAULT) {
		v->uncertain = true;	/* -ENOMEM part way: ops_done applied */
	}
}

/* An asynchronous bind was seen done with @status (1: not seen done). */
void bind_done(struct vm *v, struct ticket *tk, int status,
		      const struct drm_tessera_vm_bind_op *ops, uint32_t n)
{
	if (status) {
		v->uncertain = true;	/* in flight for good, as far as we know */
		return;
	}
	v->binding--;
	v->data_binds--;
	hist_end(v, tk);
	v->map_seq++;
	if (v->data_epoch != tk->epoch)
		for (uint32_t i = 0; i < n; i++)
			model_unknown(v, &ops[i]);
}

const struct vmap *model_find(const struct vm *v, uint64_t va)
{
	for (int i = 0; i < v->nmaps; i++)
		if (va >= v->maps[i].va && va - v->maps[i].va < v->maps[i].size)
			return &v->maps[i];
	return NULL;
}

/* A VA in the data region with nothing mapped in the page; 0 if none found. */
uint64_t model_hole(struct rng *r, const struct vm *v)
{
	for (int k = 0; k < 16; k++) {
		uint64_t va = DATA_BASE + PAGE * below(r, DATA_SLOTS * (SZ_2M / PAGE));

		if (!model_find(v, va))
			return va;
	}
	return 0;
}

