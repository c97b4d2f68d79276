/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tessera T1 accelerator: tracepoints (events/tessera/ in tracefs).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM tessera

#if !defined(__TESSERA_TRACE_H__) || defined(TRACE_HEADER_MULTI_READ)
#define __TESSERA_TRACE_H__

#include <linux/tracepoint.h>

TRACE_EVENT(tessera_job_submit,
	    TP_PROTO(u32 ring, u64 client_id, u64 fence_context, u64 fence_seqno),
	    TP_ARGS(ring, client_id, fence_context, fence_seqno),
	    TP_STRUCT__entry(__field(u32, ring)
			     __field(u64, client_id)
			     __field(u64, fence_context)
			     __field(u64, fence_seqno)),
	    TP_fast_assign(__entry->ring = ring;
			   __entry->client_id = client_id;
			   __entry->fence_context = fence_context;
			   __entry->fence_seqno = fence_seqno;),
	    TP_printk("ring=%u client=%llu fence=%llu:%llu", __entry->ring,
		      __entry->client_id, __entry->fence_context, __entry->fence_seqno)
);

DECLARE_EVENT_CLASS(tessera_hw_job,
		    TP_PROTO(u32 ring, u64 seqno, int error),
		    TP_ARGS(ring, seqno, error),
		    TP_STRUCT__entry(__field(u32, ring)
				     __field(u64, seqno)
				     __field(int, error)),
		    TP_fast_assign(__entry->ring = ring;
				   __entry->seqno = seqno;
				   __entry->error = error;),
		    TP_printk("ring=%u seqno=%llu error=%d", __entry->ring,
			      __entry->seqno, __entry->error)
);

DEFINE_EVENT(tessera_hw_job, tessera_job_run,
	     TP_PROTO(u32 ring, u64 seqno, int error),
	     TP_ARGS(ring, seqno, error));

DEFINE_EVENT(tessera_hw_job, tessera_job_complete,
	     TP_PROTO(u32 ring, u64 seqno, int error),
	     TP_ARGS(ring, seqno, error));

DEFINE_EVENT(tessera_hw_job, tessera_job_timeout,
	     TP_PROTO(u32 ring, u64 seqno, int error),
	     TP_ARGS(ring, seqno, error));

TRACE_EVENT(tessera_ring_reset,
	    TP_PROTO(u32 ring, u64 last_seqno),
	    TP_ARGS(ring, last_seqno),
	    TP_STRUCT__entry(__field(u32, ring)
			     __field(u64, last_seqno)),
	    TP_fast_assign(__entry->ring = ring;
			   __entry->last_seqno = last_seqno;),
	    TP_printk("ring=%u last_seqno=%llu", __entry->ring, __entry->last_seqno)
);

#endif /* __TESSERA_TRACE_H__ */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE tessera_trace
#include <trace/define_trace.h>
