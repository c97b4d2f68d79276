// SPDX-License-Identifier: GPL-2.0-only
/*
 * tessera-fuzz --verify: run in a fresh process after every phase.  On each
 * card, a new VM (whatever the fuzzed ones did, guilty or not) with its
 * buffers bound at chosen VAs must compute correctly: FILL through a
 * queue on every engine, COPY on a DMA queue, a small fp32 GEMM on a
 * compute queue for any engine, a round trip through device memory, all
 * checked on the CPU; the VM stays clean; and all device memory is free
 * again once the fuzzing processes are gone (GEM_CLOSE and exit never
 * wait, but the memory comes back once the card is done with it).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "fuzz.h"

#define BUF	(64 * 1024)
#define GN	8		/* GEMM size */

struct vctx {
	int fd, card;
	uint32_t vm, sync;
	uint32_t cmd_h;
	uint32_t *cmd;
	bool ok;
};

/* Where the checker binds its buffers in its VM. */
#define CMD_VA		DATA_BASE
#define SRC_VA		(DATA_BASE + 1 * SZ_2M)
#define DST_VA		(DATA_BASE + 2 * SZ_2M)
#define GM_VA		(DATA_BASE + 3 * SZ_2M)
#define DEV_VA		(DATA_BASE + 4 * SZ_2M)

static void fail(struct vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct vctx *v, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out_line("# verify card %d: %s\n", v->card, buf);
	v->ok = false;
}

/* A buffer, mapped for the CPU if @cpu, bound at @va (if not 0) with @perms. */
static int bo(struct vctx *v, uint64_t size, uint32_t flags, uint32_t *h, uint64_t va,
	      uint32_t perms, void **cpu)
{
	struct drm_tessera_bo_create bc = { .size = size, .flags = flags };
	struct drm_tessera_vm_bind_op op = { .op = DRM_TESSERA_BIND_OP_MAP, .flags = perms,
					     .va = va, .size = size };
	struct drm_tessera_vm_bind vb = { .vm_id = v->vm,
					  .ops = { .stride = sizeof(op), .count = 1,
						   .ptr = (uintptr_t)&op } };
	void *m;

	if (ioctl(v->fd, DRM_IOCTL_TESSERA_BO_CREATE, &bc))
		return -errno;
	*h = bc.handle;
	if (va) {
		op.handle = bc.handle;
		if (ioctl(v->fd, DRM_IOCTL_TESSERA_VM_BIND, &vb))
			return -errno;
		if (vb.ops_done != 1)
			return -EPROTO;
	}
	if (!cpu)
		return 0;
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, bc.mmap_offset);
	if (m == MAP_FAILED)
		return -errno;
	*cpu = m;
	return 0;
}

static uint32_t queue(struct vctx *v, uint32_t class, uint32_t engine)
{
	struct drm_tessera_queue_create qc = { .vm_id = v->vm, .engine_class = class,
					       .engine = engine,
					       .priority = DRM_TESSERA_QUEUE_PRIORITY_NORMAL };

	if (ioctl(v->fd, DRM_IOCTL_TESSERA_QUEUE_CREATE, &qc)) {
		fail(v, "QUEUE_CREATE(class %u, engine %#x): %s", class, engine, strerror(errno));
		return 0;
	}
	return qc.queue_id;
}

/* Run @ndw dwords of commands (at CMD_VA) on @q; the job's status. */
static int run(struct vctx *v, uint32_t ndw, uint32_t q, uint32_t bo_h)
{
	struct drm_tessera_bo_ref ref = { .handle = bo_h, .flags = DRM_TESSERA_BO_REF_WRITE };
	struct drm_tessera_sync sy = { .handle = v->sync, .flags = DRM_TESSERA_SYNC_SIGNAL };
	struct drm_tessera_submit s = {
		.queue_id = q, .cmd_va = CMD_VA, .cmd_size = ndw * 4,
		.syncs = { .stride = sizeof(sy), .count = 1, .ptr = (uintptr_t)&sy },
		.bos = { .stride = sizeof(ref), .count = bo_h ? 1 : 0, .ptr = (uintptr_t)&ref },
	};
	struct drm_tessera_fence_wait fw = { .handle = v->sync };

	if (!q)
		return -3000;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (ioctl(v->fd, DRM_IOCTL_TESSERA_SUBMIT, &s))
		return -1000 - errno;
	fw.timeout_ns = (int64_t)(now_ns() + 30e9 * cfg.time_scale);
	if (ioctl(v->fd, DRM_IOCTL_TESSERA_FENCE_WAIT, &fw))
		return -2000 - errno;
	return fw.status;
}

static uint32_t *put_fill(uint32_t *p, uint64_t va, uint32_t size, uint32_t pattern)
{
	*p++ = TESSERA_CMD_HEADER(TESSERA_CMD_OP_FILL, 0, TESSERA_CMD_FILL_LEN);
	*p++ = (uint32_t)va;
	*p++ = (uint32_t)(va >> 32);
	*p++ = size;
	*p++ = pattern;
	return p;
}

static uint32_t *put_copy(uint32_t *p, uint64_t src, uint64_t dst, uint32_t size)
{
	*p++ = TESSERA_CMD_HEADER(TESSERA_CMD_OP_COPY, 0, TESSERA_CMD_COPY_LEN);
	*p++ = (uint32_t)src;
	*p++ = (uint32_t)(src >> 32);
	*p++ = (uint32_t)dst;
	*p++ = (uint32_t)(dst >> 32);
	*p++ = size;
	return p;
}

static void verify_card(struct vctx *v, const struct card *c)
{
	const uint32_t rx = DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_EXEC;
	const uint32_t rw = DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_WRITE;
	uint32_t src_h, dst_h, gm_h, dev_h = 0, *src, *dst, *p, q;
	uint64_t src_va = SRC_VA, dst_va = DST_VA, gm_va = GM_VA, dev_va = DEV_VA, e;
	struct drm_tessera_vm_create vc = { 0 };
	struct drm_tessera_vm_status vs = { 0 };
	float *gm;
	int st, ret;

	if (ioctl(v->fd, DRM_IOCTL_TESSERA_VM_CREATE, &vc)) {
		fail(v, "VM_CREATE: %s", strerror(errno));
		return;
	}
	v->vm = vc.vm_id;
	if ((ret = bo(v, BUF, 0, &v->cmd_h, CMD_VA, rx, (void **)&v->cmd)) ||
	    (ret = bo(v, BUF, 0, &src_h, SRC_VA, rw, (void **)&src)) ||
	    (ret = bo(v, BUF, DRM_TESSERA_BO_WC, &dst_h, DST_VA, rw, (void **)&dst)) ||
	    (ret = bo(v, BUF, 0, &gm_h, GM_VA, rw, (void **)&gm))) {
		fail(v, "buffers: %s", strerror(-ret));
		return;
	}
	if (drmSyncobjCreate(v->fd, 0, &v->sync)) {
		fail(v, "SYNCOBJ_CREATE: %s", strerror(errno));
		return;
	}

	/* FILL on every engine (a queue on each), each its own 4 KiB. */
	for (e = 0; e < c->num_engines && e < BUF / 4096; e++) {
		q = queue(v, e < c->num_compute ? DRM_TESSERA_ENGINE_CLASS_COMPUTE :
			  DRM_TESSERA_ENGINE_CLASS_DMA, (uint32_t)e);
		p = put_fill(v->cmd, src_va + e * 4096, 4096, 0x5eed0000u + (uint32_t)e);
		st = run(v, p - v->cmd, q, src_h);
		if (st)
			fail(v, "FILL on engine %llu: status %d", (unsigned long long)e, st);
	}
	for (e = 0; e < c->num_engines && e < BUF / 4096; e++)
		for (int i = 0; i < 1024; i++)
			if (src[e * 1024 + i] != 0x5eed0000u + e) {
				fail(v, "FILL on engine %llu: word %d is %#x", (unsigned long long)e, i,
				     src[e * 1024 + i]);
				break;
			}

	/* COPY on the first DMA engine (or engine 0). */
	for (int i = 0; i < BUF / 4; i++)
		src[i] = (uint32_t)(i * 2654435761u);
	p = put_copy(v->cmd, src_va, dst_va, BUF);
	q = queue(v, c->num_dma ? DRM_TESSERA_ENGINE_CLASS_DMA : DRM_TESSERA_ENGINE_CLASS_COMPUTE,
		  DRM_TESSERA_ENGINE_ANY);
	st = run(v, p - v->cmd, q, dst_h);
	if (st)
		fail(v, "COPY: status %d", st);
	else if (memcmp(src, dst, BUF))
		fail(v, "COPY: the destination differs from the source");

	/* GEMM fp32 through a compute queue on any engine: small integers, exact. */
	q = c->num_compute ? queue(v, DRM_TESSERA_ENGINE_CLASS_COMPUTE, DRM_TESSERA_ENGINE_ANY) : 0;
	if (q) {
		float *a = gm, *b = gm + GN * GN, *cc = gm + 2 * GN * GN;
		uint64_t av = gm_va, bv = gm_va + 4 * GN * GN, cv = gm_va + 8 * GN * GN;
		float one = 1.0f, zero = 0.0f;
		uint32_t one_u, zero_u;

		memcpy(&one_u, &one, 4);
		memcpy(&zero_u, &zero, 4);
		for (int i = 0; i < GN; i++)
			for (int k = 0; k < GN; k++) {
				a[i * GN + k] = (float)((i + 2 * k) % 5 - 2);
				b[i * GN + k] = (float)((3 * i + k) % 7 - 3);
			}
		memset(cc, 0xff, 4 * GN * GN);	/* NaNs: beta = 0 must not read them */
		p = v->cmd;
		*p++ = TESSERA_CMD_HEADER(TESSERA_CMD_OP_GEMM, 0, TESSERA_CMD_GEMM_LEN);
		*p++ = TESSERA_DTYPE_FP32 | TESSERA_ACT_NONE << 8;
		*p++ = GN;
		*p++ = GN;
		*p++ = GN;
		*p++ = (uint32_t)av;
		*p++ = (uint32_t)(av >> 32);
		*p++ = GN;
		*p++ = (uint32_t)bv;
		*p++ = (uint32_t)(bv >> 32);
		*p++ = GN;
		*p++ = (uint32_t)cv;
		*p++ = (uint32_t)(cv >> 32);
		*p++ = GN;
		*p++ = one_u;
		*p++ = zero_u;
		*p++ = 0;
		*p++ = 0;
		st = run(v, p - v->cmd, q, gm_h);
		if (st) {
			fail(v, "GEMM: status %d", st);
		} else {
			for (int i = 0; i < GN; i++)
				for (int j = 0; j < GN; j++) {
					float want = 0;

					for (int k = 0; k < GN; k++)
						want += a[i * GN + k] * b[k * GN + j];
					if (cc[i * GN + j] != want) {
						fail(v, "GEMM: C[%d][%d] = %g, expected %g", i, j,
						     cc[i * GN + j], want);
						i = j = GN;
					}
				}
		}
	}

	/* Device memory: all of it free again, and a round trip through it. */
	if (c->devmem) {
		double until = now_s() + 20 * cfg.time_scale;

		do {
			ret = bo(v, c->devmem, DRM_TESSERA_BO_DEVICE_MEM, &dev_h, 0, 0, NULL);
			if (ret != -ENOMEM)
				break;
			usleep(200000);
		} while (now_s() < until);
		if (ret) {
			fail(v, "a buffer of all %llu MiB of device memory: %s (still in use?)",
			     (unsigned long long)(c->devmem >> 20), strerror(-ret));
		} else {
			struct drm_gem_close gc = { .handle = dev_h };

			ioctl(v->fd, DRM_IOCTL_GEM_CLOSE, &gc);
		}
		ret = bo(v, BUF, DRM_TESSERA_BO_DEVICE_MEM, &dev_h, dev_va, rw, NULL);
		if (ret) {
			fail(v, "device-memory buffer: %s", strerror(-ret));
		} else {
			memset(dst, 0, BUF);
			p = put_copy(v->cmd, src_va, dev_va, BUF);
			p = put_copy(p, dev_va, dst_va, BUF);
			st = run(v, p - v->cmd, queue(v, DRM_TESSERA_ENGINE_CLASS_DMA - !c->num_dma,
						     DRM_TESSERA_ENGINE_ANY), dev_h);
			if (st)
				fail(v, "COPY through device memory: status %d", st);
			else if (memcmp(src, dst, BUF))
				fail(v, "COPY through device memory: the data differs");
		}
	}

	vs.vm_id = v->vm;
	if (ioctl(v->fd, DRM_IOCTL_TESSERA_VM_STATUS, &vs))
		fail(v, "VM_STATUS: %s", strerror(errno));
	else if (vs.flags || vs.fault_count)
		fail(v, "the fresh VM is guilty: %u faults, code %u, %s at %#llx", vs.fault_count,
		     vs.fault_code, vs.fault_access == DRM_TESSERA_ACCESS_FETCH ? "fetch" :
		     vs.fault_access == DRM_TESSERA_ACCESS_WRITE ? "write" : "read",
		     (unsigned long long)vs.fault_va);
}

int verify_main(void)
{
	bool ok = true;

	cfg.ncards = 0;
	for (int i = 0; i < 16 && cfg.ncards < MAX_CARDS; i++) {
		char path[64], name[16] = "";
		struct drm_version ver = { .name_len = sizeof(name) - 1, .name = name };
		struct card *c = &cfg.cards[cfg.ncards];
		struct vctx v = { .card = cfg.ncards, .ok = true };

		snprintf(path, sizeof(path), "/dev/accel/accel%d", i);
		v.fd = open(path, O_RDWR | O_CLOEXEC);
		if (v.fd < 0)
			continue;
		if (ioctl(v.fd, DRM_IOCTL_VERSION, &ver) || strcmp(name, "tessera")) {
			close(v.fd);
			continue;
		}
		memset(c, 0, sizeof(*c));
		for (uint32_t p = 0; p < NPARAMS; p++) {
			struct drm_tessera_get_param gp = { .param = p };

			if (ioctl(v.fd, DRM_IOCTL_TESSERA_GET_PARAM, &gp))
				fail(&v, "GET_PARAM %u: %s", p, strerror(errno));
		}
		card_params(v.fd, c);
		if (v.ok)
			verify_card(&v, c);
		close(v.fd);
		if (v.ok)
			out_line("# verify card %d (accel%d): FILL on %llu engines, COPY, GEMM, "
				 "device memory: correct\n", cfg.ncards, i,
				 (unsigned long long)c->num_engines);
		ok &= v.ok;
		cfg.ncards++;
	}
	if (!cfg.ncards) {
		out_line("# verify: no Tessera card\n");
		return 1;
	}
	return ok ? 0 : 1;
}
