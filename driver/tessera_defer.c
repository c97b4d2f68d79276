// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: deferred teardown.
 *
 * The fence-signalling paths (run_job, free_job, the timeout handler, the
 * interrupt handlers, reset) must not allocate, must not take a lock that
 * is held across an allocation, and must not wait for the card.  What they
 * would have to release goes on a lockless list instead, and work on the
 * module's workqueue releases it in process context:
 *
 *  - freed jobs: their buffers, VM and runtime-PM reference
 *    (tessera_job_free());
 *  - hardware fences whose last reference is gone: each holds a reference
 *    to its device and to the module, so that the names and ops of every
 *    fence the driver created stay valid as long as the fence exists, even
 *    after the card is unbound (rmmod fails with -EBUSY meanwhile);
 *  - work items of their own (tessera_defer_work()): queue and VM
 *    teardown, which waits for the card.
 *
 * The workqueue belongs to the module, not to a
 * device: the last reference to a device may be dropped by this work, and
 * module exit drains the workqueue after the last device is gone.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/llist.h>
#include <linux/workqueue.h>

#include "tessera_job.h"

static struct workqueue_struct *tessera_wq;
static LLIST_HEAD(tessera_free_jobs);
static LLIST_HEAD(tessera_free_fences);

static void tessera_defer_free_work(struct work_struct *work)
{
	struct tessera_fence *fence, *fence_tmp;
	struct tessera_job *job, *job_tmp;
	struct llist_node *list;

	list = llist_del_all(&tessera_free_jobs);
	llist_for_each_entry_safe(job, job_tmp, list, defer)
		tessera_job_free(job);
	/* After the jobs: a job's last put may be what released its fence. */
	list = llist_del_all(&tessera_free_fences);
	llist_for_each_entry_safe(fence, fence_tmp, list, defer)
		tessera_fence_free(fence);
}

static DECLARE_WORK(tessera_free_work, tessera_defer_free_work);

/**
 * tessera_defer_job - free a job in process context
 * @job: the job, after drm_sched_job_cleanup()
 *
 * Any context; allocates nothing and takes no lock.
 */
void tessera_defer_job(struct tessera_job *job)
{
	if (llist_add(&job->defer, &tessera_free_jobs))
		queue_work(tessera_wq, &tessera_free_work);
}

/**
 * tessera_defer_fence - release a hardware fence in process context
 * @fence: the fence, its reference count zero
 *
 * Any context (a fence's last reference may go in an interrupt handler of
 * another driver); allocates nothing and takes no lock.
 */
void tessera_defer_fence(struct tessera_fence *fence)
{
	if (llist_add(&fence->defer, &tessera_free_fences))
		queue_work(tessera_wq, &tessera_free_work);
}

/**
 * tessera_defer_work - run a work item on the module's workqueue
 * @work: the work; its function may drop the last device reference
 *
 * Return: false if @work was already queued.
 */
bool tessera_defer_work(struct work_struct *work)
{
	return queue_work(tessera_wq, work);
}

/**
 * tessera_defer_init - create the module's workqueue (module init)
 *
 * Return: 0 or -ENOMEM.
 */
int tessera_defer_init(void)
{
	/* Not WQ_MEM_RECLAIM: what runs here allocates and waits for the card. */
	tessera_wq = alloc_workqueue("tessera-defer", WQ_UNBOUND, 0);
	return tessera_wq ? 0 : -ENOMEM;
}

/**
 * tessera_defer_fini - finish everything deferred (module exit)
 *
 * Every device is gone and the module's reference count is zero, so
 * nothing can be queued any more; draining waits for work still running.
 */
void tessera_defer_fini(void)
{
	destroy_workqueue(tessera_wq);
}
