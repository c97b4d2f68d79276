// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: a self-test of the VM core (tessera_vm.c),
 * reading debugfs "vm_selftest" runs it and prints KTAP-style lines.
 *
 * Below the ioctls (which vm_bind_test and vm_job_test drive), this
 * exercises binding, splitting and unbinding through drm_gpuvm on the
 * real page tables of the card, the bind queue, jobs in VMs and ASID
 * sharing, and checks the page counts and buffer references that
 * result.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/iosys-map.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <drm/drm_gem.h>

#include "tessera_drv.h"
#include "tessera_job.h"
#include "tessera_vm.h"

struct tessera_selftest {
	struct seq_file *m;
	u32 n;
	u32 failed;
};

static void tessera_st_check(struct tessera_selftest *st, bool ok, const char *what,
			     struct tessera_gpuvm *vm)
{
	st->n++;
	if (!ok)
		st->failed++;
	seq_printf(st->m, "%sok %u %s (4k %llu 2m %llu tables %llu)\n", ok ? "" : "not ",
		   st->n, what, vm->pgt.pages_4k, vm->pgt.pages_2m, vm->pgt.tables);
}

/* One op with @prot, synchronously; consumes a reference to @obj if given. */
static int tessera_st_bind_prot(struct tessera_gpuvm *vm, bool map, struct drm_gem_object *obj,
				u64 off, u64 va, u64 size, u64 prot)
{
	struct tessera_bind *bind = tessera_bind_alloc(vm, 1);
	u32 done;
	int ret;

	if (!bind) {
		if (obj)
			drm_gem_object_put(obj);
		return -ENOMEM;
	}
	ret = tessera_bind_add(bind, map, obj, off, va, size, prot);
	if (ret) {
		tessera_bind_finish(bind);
		return ret;
	}
	return tessera_bind_sync(bind, &done);
}

static int tessera_st_bind(struct tessera_gpuvm *vm, bool map, struct drm_gem_object *obj,
			   u64 off, u64 va, u64 size)
{
	return tessera_st_bind_prot(vm, map, obj, off, va, size,
				    TESSERA_PTE_READ | TESSERA_PTE_WRITE);
}

/* One op on the VM's bind queue; waits for its fence. */
static int tessera_st_bind_async(struct tessera_gpuvm *vm, bool map, struct drm_gem_object *obj,
				 u64 off, u64 va, u64 size)
{
	struct tessera_bind *bind = tessera_bind_alloc(vm, 1);
	struct tessera_bind_job *job;
	struct dma_fence *fence;
	long ret;

	if (!bind) {
		if (obj)
			drm_gem_object_put(obj);
		return -ENOMEM;
	}
	ret = tessera_bind_add(bind, map, obj, off, va, size,
			       TESSERA_PTE_READ | TESSERA_PTE_WRITE);
	if (ret) {
		tessera_bind_finish(bind);
		return ret;
	}
	job = tessera_bind_job_create(bind, 0);
	if (IS_ERR(job))
		return PTR_ERR(job);
	fence = tessera_bind_job_push(job);
	ret = dma_fence_wait_timeout(fence, false, 10 * HZ);
	ret = ret <= 0 ? -ETIMEDOUT : fence->error;
	dma_fence_put(fence);
	return ret;
}

static u32 tessera_st_vmas(struct tessera_gpuvm *vm)
{
	struct drm_gpuva *va;
	u32 n = 0;

	mutex_lock(&vm->lock);
	drm_gpuvm_for_each_va(va, &vm->base)
		n++;
	mutex_unlock(&vm->lock);
	return n;
}

/* Does @asid's context-table entry point at @vm's page tables? */
static bool tessera_st_entry_is(struct tessera_gpuvm *vm, u32 asid)
{
	__le64 *e = vm->tdev->ctx_table + asid * (TESSERA_CTX_ENTRY_SIZE / sizeof(__le64));

	return le64_to_cpu(READ_ONCE(e[0])) ==
	       (tessera_pgtable_root_dma(&vm->pgt) | TESSERA_PTE_VALID);
}

/*
 * More VMs than ASIDs take turns: each gets one while it has "work",
 * idle ones give theirs up, a busy one keeps its ASID throughout.
 */
static void tessera_st_asids(struct tessera_device *tdev, struct tessera_selftest *st)
{
	const u32 n = TESSERA_NUM_CONTEXTS + 45;
	struct tessera_gpuvm **vms, *busy;
	u32 i, bad_entry = 0, stolen = 0, busy_asid;
	int asid, bad = 0;
	bool ok;

	vms = kcalloc(n, sizeof(*vms), GFP_KERNEL);
	busy = tessera_gpuvm_create(tdev);
	if (!vms || IS_ERR(busy)) {
		seq_puts(st->m, "# no memory for the ASID test\n");
		st->n++;
		st->failed++;
		goto out;
	}
	busy_asid = tessera_asid_get(busy);
	for (i = 0; i < n; i++) {
		vms[i] = tessera_gpuvm_create(tdev);
		if (IS_ERR(vms[i])) {
			vms[i] = NULL;
			bad++;
			continue;
		}
		asid = tessera_asid_get(vms[i]);
		if (asid <= 0 || asid >= TESSERA_NUM_CONTEXTS || asid == busy_asid)
			bad++;
		else if (!tessera_st_entry_is(vms[i], asid))
			bad_entry++;
		tessera_asid_put(vms[i]);
	}
	for (i = 0; i < n; i++)
		stolen += vms[i] && !READ_ONCE(vms[i]->asid);
	ok = !bad && !bad_entry && stolen >= n - (TESSERA_NUM_CONTEXTS - 1) &&
	     READ_ONCE(busy->asid) == busy_asid && tessera_st_entry_is(busy, busy_asid);
	st->n++;
	st->failed += !ok;
	seq_printf(st->m, "%sok %u %u VMs share the ASIDs: %d bad, %u bad entries, %u taken back, the busy one kept %u\n",
		   ok ? "" : "not ", st->n, n + 1, bad, bad_entry, stolen,
		   READ_ONCE(busy->asid));
	tessera_asid_put(busy);
out:
	for (i = 0; vms && i < n; i++)
		tessera_gpuvm_put(vms[i]);
	kfree(vms);
	if (!IS_ERR_OR_NULL(busy))
		tessera_gpuvm_put(busy);
}

/* Run one NOP at @va of @vm on ring 0: the job's fence error, or -errno. */
static int tessera_st_run(struct tessera_gpuvm *vm, struct drm_sched_entity *entity,
			  struct mutex *lock, struct tessera_client_stats *stats, u64 va)
{
	struct dma_fence *fence;
	struct tessera_job *job;
	long ret;

	job = tessera_gpuvm_job_create(vm, entity, stats, 0, va, 4);
	if (IS_ERR(job))
		return PTR_ERR(job);
	fence = tessera_gpuvm_job_push(job, lock, NULL);
	if (IS_ERR(fence))
		return PTR_ERR(fence);
	ret = dma_fence_wait_timeout(fence, false, 10 * HZ);
	ret = ret <= 0 ? -ETIMEDOUT : fence->error;
	dma_fence_put(fence);
	return ret;
}

/*
 * Jobs in a VM on the card: a command fetch through a READ | EXEC binding
 * runs, one through a READ-only binding faults with a permission error
 * of access FETCH (hardware 1.4), and the VM's ASID is free to go again
 * once its jobs are freed.
 */
static void tessera_st_jobs(struct tessera_device *tdev, struct tessera_selftest *st)
{
	const u64 va = SZ_1G, exec_prot = TESSERA_PTE_READ | TESSERA_PTE_EXEC;
	struct drm_gpu_scheduler *sched = &tdev->rings[0].sched;
	struct tessera_client_stats *stats = NULL;
	struct drm_sched_entity entity;
	struct drm_gem_object *cmds;
	struct tessera_gpuvm *vm;
	struct iosys_map map;
	struct mutex lock;	/* arm to push on @entity */
	struct tessera_ctx_fault f;
	unsigned long flags;
	int ret, i;
	u32 asid;

	vm = tessera_gpuvm_create(tdev);
	if (IS_ERR(vm))
		return;
	mutex_init(&lock);
	cmds = tessera_bo_create_kernel(tdev, SZ_8K, false);
	stats = tessera_client_stats_alloc();
	if (IS_ERR(cmds) || !stats ||
	    drm_sched_entity_init(&entity, DRM_SCHED_PRIORITY_NORMAL, &sched, 1, NULL)) {
		seq_puts(st->m, "# no memory for the job test\n");
		st->n++;
		st->failed++;
		goto out;
	}
	if (!tessera_gem_vmap(cmds, &map)) {
		u32 nop = TESSERA_HW_CMD_NOP1;

		iosys_map_memcpy_to(&map, 0, &nop, 4);
		iosys_map_memcpy_to(&map, SZ_4K, &nop, 4);
		tessera_gem_vunmap(cmds, &map);
	}
	drm_gem_object_get(cmds);
	tessera_st_bind_prot(vm, true, cmds, 0, va, SZ_4K, exec_prot);
	drm_gem_object_get(cmds);
	tessera_st_bind_prot(vm, true, cmds, SZ_4K, va + SZ_4K, SZ_4K, TESSERA_PTE_READ);

	ret = tessera_st_run(vm, &entity, &lock, stats, va);
	asid = READ_ONCE(vm->asid);
	tessera_st_check(st, !ret && asid, "a fetch through a READ | EXEC binding runs", vm);
	ret = tessera_st_run(vm, &entity, &lock, stats, va + SZ_4K);
	spin_lock_irqsave(&tdev->fault_lock, flags);
	f = tdev->faults[asid];
	spin_unlock_irqrestore(&tdev->fault_lock, flags);
	if (vm->exec_perm)
		tessera_st_check(st, ret == -EFAULT && f.code == TESSERA_ERR_MMU_PERM &&
				 f.access == TESSERA_ACCESS_FETCH && f.va == va + SZ_4K,
				 "a fetch through a READ-only binding faults: permission, FETCH",
				 vm);
	/* Freed jobs let the VM go idle: its ASID may be taken back. */
	for (i = 0; i < 50 && atomic_read(&vm->active_jobs); i++)
		msleep(20);
	tessera_st_check(st, !atomic_read(&vm->active_jobs),
			 "the VM is idle once its jobs are freed", vm);
	tessera_st_bind(vm, false, NULL, 0, va, SZ_8K);
	drm_sched_entity_destroy(&entity);
out:
	if (!IS_ERR(cmds))
		drm_gem_object_put(cmds);
	if (stats)
		tessera_client_stats_put(stats);
	mutex_destroy(&lock);
	tessera_gpuvm_put(vm);
}

/**
 * tessera_vm_selftest - run the VM core's self-test
 * @tdev: the device, with at least 8 MiB of device memory free
 * @m: output
 *
 * Return: 0 when every check passed, -EIO otherwise (or another errno
 * when the test could not run).
 */
int tessera_vm_selftest(struct tessera_device *tdev, struct seq_file *m)
{
	const u64 va = SZ_1G;
	struct tessera_selftest st = { .m = m };
	struct drm_gem_object *dev, *host;
	struct tessera_gpuvm *vm;
	bool reused;
	u32 cached;
	int ret;

	vm = tessera_gpuvm_create(tdev);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	dev = tessera_bo_create_kernel(tdev, SZ_4M, true);
	if (IS_ERR(dev)) {
		ret = PTR_ERR(dev);
		goto out_vm;
	}
	host = tessera_bo_create_kernel(tdev, SZ_64K, false);
	if (IS_ERR(host)) {
		ret = PTR_ERR(host);
		goto out_dev;
	}

	drm_gem_object_get(dev);
	ret = tessera_st_bind(vm, true, dev, 0, va, SZ_4M);
	tessera_st_check(&st, !ret && vm->pgt.pages_2m == 2 && !vm->pgt.pages_4k &&
			 tessera_st_vmas(vm) == 1,
			 "4 MiB of device memory at a 2 MiB VA: two 2 MiB pages", vm);
	tessera_st_check(&st, kref_read(&dev->refcount) == 2,
			 "the binding holds the buffer", vm);

	ret = tessera_st_bind(vm, false, NULL, 0, va + SZ_1M, SZ_4K);
	tessera_st_check(&st, !ret && vm->pgt.pages_2m == 1 && vm->pgt.pages_4k == 511 &&
			 tessera_st_vmas(vm) == 2,
			 "unbinding 4 KiB splits one 2 MiB page, the binding in two", vm);

	drm_gem_object_get(host);
	ret = tessera_st_bind(vm, true, host, SZ_16K, va + SZ_1M - SZ_8K, SZ_16K);
	tessera_st_check(&st, !ret && vm->pgt.pages_2m == 1 && vm->pgt.pages_4k == 512 &&
			 tessera_st_vmas(vm) == 3,
			 "16 KiB of host memory over the hole replaces what was there", vm);

	drm_gem_object_get(dev);
	ret = tessera_st_bind(vm, true, dev, SZ_2M, va + SZ_4M, SZ_2M);
	tessera_st_check(&st, !ret && vm->pgt.pages_2m == 2 && tessera_st_vmas(vm) == 4,
			 "a buffer's second half bound again elsewhere, as a 2 MiB page", vm);

	drm_gem_object_get(dev);
	ret = tessera_st_bind_async(vm, true, dev, 0, va + SZ_8M, SZ_2M);
	tessera_st_check(&st, !ret && vm->pgt.pages_2m == 3 && tessera_st_vmas(vm) == 5,
			 "a bind on the bind queue is applied when its fence signals", vm);
	ret = tessera_st_bind_async(vm, false, NULL, 0, va + SZ_8M, SZ_2M);
	tessera_st_check(&st, !ret && vm->pgt.pages_2m == 2 && tessera_st_vmas(vm) == 4,
			 "so is an unbind", vm);

	ret = tessera_st_bind(vm, false, NULL, 0, va, SZ_8M);
	tessera_st_check(&st, !ret && !vm->pgt.pages_2m && !vm->pgt.pages_4k &&
			 vm->pgt.tables == 1 && !tessera_st_vmas(vm),
			 "unbinding everything frees every table but the root", vm);
	/* The bind queue's jobs drop what they unbound after their fences, in a worker. */
	tessera_st_check(&st, tessera_gpuvm_wait_binds_finished(vm, 10 * HZ),
			 "the bind queue's releases finish", vm);
	/* Their tables are kept for the next binds, not allocated again. */
	mutex_lock(&tdev->pt_cache.lock);
	cached = tdev->pt_cache.count[1];
	mutex_unlock(&tdev->pt_cache.lock);
	drm_gem_object_get(host);
	ret = tessera_st_bind(vm, true, host, 0, va, SZ_64K);
	mutex_lock(&tdev->pt_cache.lock);
	reused = cached > tdev->pt_cache.count[1];
	mutex_unlock(&tdev->pt_cache.lock);
	tessera_st_check(&st, cached && reused, "freed tables are reused by the next bind", vm);
	ret = ret ?: tessera_st_bind(vm, false, NULL, 0, va, SZ_64K);
	tessera_st_check(&st, !ret && !tessera_st_vmas(vm), "and that bind unbinds", vm);
	tessera_st_check(&st, kref_read(&dev->refcount) == 1 &&
			 kref_read(&host->refcount) == 1,
			 "and drops the buffers", vm);
	tessera_st_jobs(tdev, &st);
	tessera_st_asids(tdev, &st);
	seq_printf(m, "# %u passed, %u failed\n", st.n - st.failed, st.failed);
	ret = st.failed ? -EIO : 0;

	drm_gem_object_put(host);
out_dev:
	drm_gem_object_put(dev);
out_vm:
	tessera_gpuvm_put(vm);
	return ret;
}
