// SPDX-License-Identifier: MIT
/*
 * libaccel: command buffers.
 *
 * A command buffer is a write-combined host buffer the CPU records
 * commands into and the card fetches them from: bound READ | EXEC (never
 * WRITE) in the default VM when created, and in any other VM the first
 * time it is submitted there.  Every submission signals the next point of
 * the buffer's own timeline syncobj, so the library knows when the card
 * is done with it (accel_cmdbuf_reset() waits for that, and
 * accel_cmdbuf_patch_adamw() refuses until then).  A bitmap of the dwords
 * commands start at lets a patch check that its offset is a command's.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <stdlib.h>

#include "accel_priv.h"

ACCEL_EXPORT int accel_cmdbuf_create(struct accel_device *dev, size_t capacity,
				     struct accel_cmdbuf **out)
{
	struct accel_cmdbuf *cb;
	void *map;
	int ret;

	if (!dev || !out || capacity < sizeof(uint32_t) || capacity > dev->cmd_size_max)
		return -EINVAL;
	cb = calloc(1, sizeof(*cb));
	if (!cb)
		return -ENOMEM;
	cb->capacity_dw = capacity / sizeof(uint32_t);
	cb->starts = calloc((cb->capacity_dw + 63) / 64, sizeof(*cb->starts));
	if (!cb->starts) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = accel_bo_create(dev, capacity, ACCEL_BO_WC, ACCEL_BIND_READ | ACCEL_BIND_EXEC,
			      &cb->bo);
	if (ret)
		goto err_free;
	/* The CPU writes the commands: this buffer is mapped on purpose. */
	ret = accel_bo_map(cb->bo, &map);
	if (ret)
		goto err_bo;
	if (drmSyncobjCreate(dev->fd, 0, &cb->busy)) {
		ret = -errno;
		goto err_bo;
	}
	cb->dev = dev;
	cb->cmds = map;
	*out = cb;
	return 0;

err_bo:
	accel_bo_free(cb->bo);
err_free:
	free(cb->starts);
	free(cb);
	return ret;
}

int accel_cmdbuf_va(struct accel_cmdbuf *cb, struct accel_vm *vm, uint64_t *va)
{
	struct accel_cmdbuf_binding *b;
	int ret;

	if (vm == cb->dev->default_vm) {
		*va = cb->bo->range->va;
		return 0;
	}
	for (b = cb->bindings; b; b = b->next) {
		if (b->vm == vm) {
			*va = b->range->va;
			return 0;
		}
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	ret = accel_vm_map_lib(vm, cb->bo, ACCEL_BIND_READ | ACCEL_BIND_EXEC, &b->range);
	if (ret) {
		free(b);
		return ret;
	}
	accel_vm_get(vm);
	b->vm = vm;
	b->next = cb->bindings;
	cb->bindings = b;
	*va = b->range->va;
	return 0;
}

struct drm_tessera_sync accel_cmdbuf_busy_sync(const struct accel_cmdbuf *cb)
{
	return (struct drm_tessera_sync){
		.handle = cb->busy, .flags = DRM_TESSERA_SYNC_SIGNAL, .point = cb->busy_point + 1,
	};
}

void accel_cmdbuf_submitted(struct accel_cmdbuf *cb)
{
	cb->busy_point++;
}

ACCEL_EXPORT void accel_cmdbuf_destroy(struct accel_cmdbuf *cb)
{
	struct accel_cmdbuf_binding *b;

	if (!cb)
		return;
	/* Jobs hold their VM and so the buffer: nothing here waits for them. */
	while ((b = cb->bindings)) {
		cb->bindings = b->next;
		accel_vm_release_lib(b->vm, b->range);
		accel_vm_put(b->vm);
		free(b);
	}
	drmSyncobjDestroy(cb->dev->fd, cb->busy);
	accel_bo_free(cb->bo);
	free(cb->starts);
	free(cb);
}

ACCEL_EXPORT int accel_cmdbuf_wait_idle(struct accel_cmdbuf *cb, uint64_t timeout_ns)
{
	uint64_t point;

	if (!cb)
		return -EINVAL;
	/* Points signal in order: once seen signalled, a point stays so. */
	if (cb->busy_point == cb->idle_point)
		return 0;
	point = cb->busy_point;
	/* A failed job's fence signals too, and a lost device fails them all. */
	if (drmSyncobjTimelineWait(cb->dev->fd, &cb->busy, &point, 1,
				   timeout_ns ? accel_abs_timeout(timeout_ns) : 0, 0, NULL))
		return -errno;
	cb->idle_point = point;
	return 0;
}

ACCEL_EXPORT int accel_cmdbuf_reset(struct accel_cmdbuf *cb)
{
	int ret = accel_cmdbuf_wait_idle(cb, ACCEL_TIMEOUT_INFINITE);

	if (ret)
		return ret;
	/* only the words of the recorded dwords have bits set */
	memset(cb->starts, 0, (cb->used_dw + 63) / 64 * sizeof(*cb->starts));
	cb->used_dw = 0;
	return 0;
}

ACCEL_EXPORT size_t accel_cmdbuf_size(const struct accel_cmdbuf *cb)
{
	return cb->used_dw * sizeof(uint32_t);
}

/*
 * Each accel_cmdbuf_<command>() is its accel_encode_<command>() aimed at the
 * free space at the end of the command buffer, ACCEL_CMDBUF_FREE_SPACE(cb)
 * (the buf and capacity arguments, in dwords), followed by
 * accel_cmdbuf_commit() with what the encoder returned.
 */
#define ACCEL_CMDBUF_FREE_SPACE(cb) (cb)->cmds + (cb)->used_dw, (cb)->capacity_dw - (cb)->used_dw

/*
 * accel_cmdbuf_commit() - keep a command just encoded into @cb's free space
 * @encoded: the encoder's return: the command's length in dwords, or -errno
 *           (-EINVAL, or -ENOSPC when it does not fit), which leaves @cb as it was
 *
 * Returns 0 or that -errno.
 */
static int accel_cmdbuf_commit(struct accel_cmdbuf *cb, int encoded)
{
	if (encoded < 0)
		return encoded;
	cb->starts[cb->used_dw / 64] |= 1ull << (cb->used_dw % 64);
	cb->used_dw += (size_t)encoded;
	return 0;
}

/* Does a command recorded since the last reset start at dword @dw? */
static bool accel_cmdbuf_starts_at(const struct accel_cmdbuf *cb, size_t dw)
{
	return dw < cb->used_dw && (cb->starts[dw / 64] >> (dw % 64) & 1);
}

ACCEL_EXPORT int accel_cmdbuf_patch_adamw(struct accel_cmdbuf *cb, size_t offset, uint32_t step,
					  float lr)
{
	size_t dw = offset / sizeof(uint32_t);
	uint32_t hdr;
	int ret;

	/* what accel_encode_adamw() checks of the two */
	if (!cb || offset % sizeof(uint32_t) || !accel_cmdbuf_starts_at(cb, dw) || !step ||
	    !accel_finite_ge0(lr))
		return -EINVAL;
	/* The whole command was recorded: its header says what and how long. */
	hdr = cb->cmds[dw];
	if (TESSERA_CMD_OPCODE(hdr) != TESSERA_CMD_OP_ADAMW ||
	    TESSERA_CMD_LEN(hdr) != TESSERA_CMD_ADAMW_LEN)
		return -EINVAL;
	/* The rule of recording: only once no job may read the commands. */
	ret = accel_cmdbuf_wait_idle(cb, 0);
	if (ret)
		return ret == -ETIME ? -EBUSY : ret;
	/* the dwords of <accel/tessera_cmd.h>'s ADAMW, as accel_encode_adamw() writes them */
	cb->cmds[dw + 10] = accel_f32_bits(lr);
	cb->cmds[dw + 15] = step;
	return 0;
}

ACCEL_EXPORT int accel_cmdbuf_nop(struct accel_cmdbuf *cb, uint32_t dwords)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_nop(ACCEL_CMDBUF_FREE_SPACE(cb), dwords));
}

ACCEL_EXPORT int accel_cmdbuf_fill(struct accel_cmdbuf *cb, uint64_t dst_va, uint32_t size,
				   uint32_t pattern)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_fill(ACCEL_CMDBUF_FREE_SPACE(cb),
							 dst_va, size, pattern));
}

ACCEL_EXPORT int accel_cmdbuf_copy(struct accel_cmdbuf *cb, uint64_t src_va, uint64_t dst_va,
				   uint32_t size)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_copy(ACCEL_CMDBUF_FREE_SPACE(cb),
							 src_va, dst_va, size));
}

ACCEL_EXPORT int accel_cmdbuf_timestamp(struct accel_cmdbuf *cb, uint64_t addr)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_timestamp(ACCEL_CMDBUF_FREE_SPACE(cb), addr));
}

ACCEL_EXPORT int accel_cmdbuf_semaphore(struct accel_cmdbuf *cb, enum accel_sem_op op,
					uint64_t addr, uint32_t value)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_semaphore(ACCEL_CMDBUF_FREE_SPACE(cb),
							      op, addr, value));
}

ACCEL_EXPORT int accel_cmdbuf_gemm(struct accel_cmdbuf *cb, const struct accel_gemm *g)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_gemm(ACCEL_CMDBUF_FREE_SPACE(cb), g));
}

ACCEL_EXPORT int accel_cmdbuf_elementwise(struct accel_cmdbuf *cb,
					  const struct accel_elementwise *e)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_elementwise(ACCEL_CMDBUF_FREE_SPACE(cb), e));
}

ACCEL_EXPORT int accel_cmdbuf_softmax(struct accel_cmdbuf *cb, const struct accel_rowwise *r)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_softmax(ACCEL_CMDBUF_FREE_SPACE(cb), r));
}

ACCEL_EXPORT int accel_cmdbuf_layernorm(struct accel_cmdbuf *cb, const struct accel_rowwise *r)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_layernorm(ACCEL_CMDBUF_FREE_SPACE(cb), r));
}

ACCEL_EXPORT int accel_cmdbuf_bgemm(struct accel_cmdbuf *cb, const struct accel_bgemm *arg)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_bgemm(ACCEL_CMDBUF_FREE_SPACE(cb), arg));
}

ACCEL_EXPORT int accel_cmdbuf_softmax_bwd(struct accel_cmdbuf *cb, const struct accel_softmax_bwd *arg)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_softmax_bwd(ACCEL_CMDBUF_FREE_SPACE(cb), arg));
}

ACCEL_EXPORT int accel_cmdbuf_embedding(struct accel_cmdbuf *cb, const struct accel_embedding *arg)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_embedding(ACCEL_CMDBUF_FREE_SPACE(cb), arg));
}

ACCEL_EXPORT int accel_cmdbuf_rmsnorm(struct accel_cmdbuf *cb, const struct accel_rmsnorm *arg)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_rmsnorm(ACCEL_CMDBUF_FREE_SPACE(cb), arg));
}

ACCEL_EXPORT int accel_cmdbuf_rmsnorm_bwd(struct accel_cmdbuf *cb, const struct accel_rmsnorm *arg)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_rmsnorm_bwd(ACCEL_CMDBUF_FREE_SPACE(cb), arg));
}

ACCEL_EXPORT int accel_cmdbuf_rope(struct accel_cmdbuf *cb, const struct accel_rope *arg)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_rope(ACCEL_CMDBUF_FREE_SPACE(cb), arg));
}

ACCEL_EXPORT int accel_cmdbuf_elementwise2(struct accel_cmdbuf *cb, const struct accel_elementwise2 *arg)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_elementwise2(ACCEL_CMDBUF_FREE_SPACE(cb), arg));
}

ACCEL_EXPORT int accel_cmdbuf_cross_entropy(struct accel_cmdbuf *cb, const struct accel_cross_entropy *arg)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_cross_entropy(ACCEL_CMDBUF_FREE_SPACE(cb), arg));
}

ACCEL_EXPORT int accel_cmdbuf_reduce(struct accel_cmdbuf *cb, const struct accel_reduce *arg)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_reduce(ACCEL_CMDBUF_FREE_SPACE(cb), arg));
}

ACCEL_EXPORT int accel_cmdbuf_adamw(struct accel_cmdbuf *cb, const struct accel_adamw *arg)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_adamw(ACCEL_CMDBUF_FREE_SPACE(cb), arg));
}
