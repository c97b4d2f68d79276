// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 guest-error log: one line per guest-caused error (a write to a
 * read-only or undefined register, a bad ring, descriptor or command, a
 * context error), naming the register or command, the way QEMU's device
 * models log LOG_GUEST_ERROR.  A guest can cause errors in a loop, so
 * the log is rate-limited: at most T1_LOG_BURST lines per second per
 * device, then one line saying how many were dropped.  Lines go to the
 * host's log callback, or to stderr.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <stdarg.h>
#include <stdio.h>

#include "t1_priv.h"

#define SEC_NS		1000000000ull

static const char *const global_regs[] = {
	[TESSERA_REG_ID / 4] = "ID",
	[TESSERA_REG_VERSION / 4] = "VERSION",
	[TESSERA_REG_CAPS / 4] = "CAPS",
	[TESSERA_REG_ENGINES / 4] = "ENGINES",
	[TESSERA_REG_HBM_SIZE_LO / 4] = "HBM_SIZE_LO",
	[TESSERA_REG_HBM_SIZE_HI / 4] = "HBM_SIZE_HI",
	[TESSERA_REG_SCRATCH / 4] = "SCRATCH",
	[TESSERA_REG_SERIAL / 4] = "SERIAL",
	[TESSERA_REG_RESET / 4] = "RESET",
	[TESSERA_REG_STATUS / 4] = "STATUS",
	[TESSERA_REG_INT_STATUS / 4] = "INT_STATUS",
	[TESSERA_REG_INT_MASK / 4] = "INT_MASK",
	[TESSERA_REG_ERR_CODE / 4] = "ERR_CODE",
	[TESSERA_REG_ERR_RING / 4] = "ERR_RING",
	[TESSERA_REG_ERR_ADDR_LO / 4] = "ERR_ADDR_LO",
	[TESSERA_REG_ERR_ADDR_HI / 4] = "ERR_ADDR_HI",
	[TESSERA_REG_ERR_ACK / 4] = "ERR_ACK",
	[TESSERA_REG_TIMESTAMP_LO / 4] = "TIMESTAMP_LO",
	[TESSERA_REG_TIMESTAMP_HI / 4] = "TIMESTAMP_HI",
	[TESSERA_REG_WATCHDOG_MS / 4] = "WATCHDOG_MS",
	[TESSERA_REG_TEMP_MC / 4] = "TEMP_MC",
	[TESSERA_REG_POWER_MW / 4] = "POWER_MW",
	[TESSERA_REG_CLOCK_MHZ / 4] = "CLOCK_MHZ",
	[TESSERA_REG_TEMP_CRIT_MC / 4] = "TEMP_CRIT_MC",
	[TESSERA_REG_POWER_CAP_MW / 4] = "POWER_CAP_MW",
	[TESSERA_REG_TEMP_MAX_MC / 4] = "TEMP_MAX_MC",
	[TESSERA_REG_TEMP_EMERG_MC / 4] = "TEMP_EMERG_MC",
	[TESSERA_REG_POWER_AVG_MW / 4] = "POWER_AVG_MW",
	[TESSERA_REG_ENERGY_UJ_LO / 4] = "ENERGY_UJ_LO",
	[TESSERA_REG_ENERGY_UJ_HI / 4] = "ENERGY_UJ_HI",
	[TESSERA_REG_ECC_CORRECTED / 4] = "ECC_CORRECTED",
	[TESSERA_REG_ECC_UNCORRECTED / 4] = "ECC_UNCORRECTED",
	[TESSERA_REG_ENGINE_RESETS / 4] = "ENGINE_RESETS",
	[TESSERA_REG_MMU_CTX_BASE_LO / 4] = "MMU_CTX_BASE_LO",
	[TESSERA_REG_MMU_CTX_BASE_HI / 4] = "MMU_CTX_BASE_HI",
	[TESSERA_REG_MMU_CTX_COUNT / 4] = "MMU_CTX_COUNT",
	[TESSERA_REG_MMU_TLB_INV_ASID / 4] = "MMU_TLB_INV_ASID",
	[TESSERA_REG_MMU_TLB_INV / 4] = "MMU_TLB_INV",
	[TESSERA_REG_MMU_TLB_INV_STATUS / 4] = "MMU_TLB_INV_STATUS",
	[TESSERA_REG_FI_HANG / 4] = "FI_HANG",
	[TESSERA_REG_FI_FAULT / 4] = "FI_FAULT",
	[TESSERA_REG_FI_ECC / 4] = "FI_ECC",
	[TESSERA_REG_FI_RESET_FAIL / 4] = "FI_RESET_FAIL",
	[TESSERA_REG_FI_ARMED / 4] = "FI_ARMED",
};

static const char *const ring_regs[] = {
	[TESSERA_RING_DESC_BASE_LO / 4] = "DESC_BASE_LO",
	[TESSERA_RING_DESC_BASE_HI / 4] = "DESC_BASE_HI",
	[TESSERA_RING_SIZE / 4] = "SIZE",
	[TESSERA_RING_HEAD / 4] = "HEAD",
	[TESSERA_RING_TAIL / 4] = "TAIL",
	[TESSERA_RING_DOORBELL / 4] = "DOORBELL",
	[TESSERA_RING_CTRL / 4] = "CTRL",
	[TESSERA_RING_STATUS / 4] = "STATUS",
	[TESSERA_RING_FENCE_ADDR_LO / 4] = "FENCE_ADDR_LO",
	[TESSERA_RING_FENCE_ADDR_HI / 4] = "FENCE_ADDR_HI",
	[TESSERA_RING_FENCE_SEQNO_LO / 4] = "FENCE_SEQNO_LO",
	[TESSERA_RING_FENCE_SEQNO_HI / 4] = "FENCE_SEQNO_HI",
	[TESSERA_RING_MSIX_VECTOR / 4] = "MSIX_VECTOR",
	[TESSERA_RING_COMPLETED / 4] = "COMPLETED",
	[TESSERA_RING_BUSY_CYCLES_LO / 4] = "BUSY_CYCLES_LO",
	[TESSERA_RING_BUSY_CYCLES_HI / 4] = "BUSY_CYCLES_HI",
	[TESSERA_RING_ENGINE_CLASS / 4] = "ENGINE_CLASS",
	[TESSERA_RING_FAULT_STATUS / 4] = "FAULT_STATUS",
	[TESSERA_RING_FAULT_CODE / 4] = "FAULT_CODE",
	[TESSERA_RING_FAULT_ASID / 4] = "FAULT_ASID",
	[TESSERA_RING_FAULT_VA_LO / 4] = "FAULT_VA_LO",
	[TESSERA_RING_FAULT_VA_HI / 4] = "FAULT_VA_HI",
	[TESSERA_RING_FAULT_ACCESS / 4] = "FAULT_ACCESS",
	[TESSERA_RING_FAULT_TAG_LO / 4] = "FAULT_TAG_LO",
	[TESSERA_RING_FAULT_TAG_HI / 4] = "FAULT_TAG_HI",
	[TESSERA_RING_FAULT_ACK / 4] = "FAULT_ACK",
	[TESSERA_RING_CTX_RESUME / 4] = "CTX_RESUME",
	[TESSERA_RING_ABORTED / 4] = "ABORTED",
	[TESSERA_RING_HALT_QUERY / 4] = "HALT_QUERY",
	[TESSERA_RING_HALT_RESULT / 4] = "HALT_RESULT",
	[TESSERA_RING_FAULT_COUNT / 4] = "FAULT_COUNT",
	[TESSERA_RING_PT_WALKS / 4] = "PT_WALKS",
};

const char *t1_reg_name(const struct t1 *t1, uint32_t off, char *buf,
			size_t size)
{
	const char *name = NULL;
	uint32_t r;

	if (off >= TESSERA_RING_BASE(0) && off < TESSERA_RING_BASE(t1->nrings)) {
		r = (off - TESSERA_RING_BASE(0)) / TESSERA_RING_STRIDE;
		off %= TESSERA_RING_STRIDE;
		if (!(off % 4) && off / 4 < ARRAY_SIZE(ring_regs))
			name = ring_regs[off / 4];
		snprintf(buf, size, "RING%u_%s", r, name ? name : "(undefined)");
		return buf;
	}
	if (!(off % 4) && off / 4 < ARRAY_SIZE(global_regs))
		name = global_regs[off / 4];
	snprintf(buf, size, "%s", name ? name : "(undefined)");
	return buf;
}

static const char *const cmd_names[] = {
	[TESSERA_CMD_OP_NOP] = "NOP",
	[TESSERA_CMD_OP_FENCE] = "FENCE",
	[TESSERA_CMD_OP_COPY] = "COPY",
	[TESSERA_CMD_OP_FILL] = "FILL",
	[TESSERA_CMD_OP_TIMESTAMP] = "TIMESTAMP",
	[TESSERA_CMD_OP_SEMAPHORE] = "SEMAPHORE",
	[TESSERA_CMD_OP_GEMM] = "GEMM",
	[TESSERA_CMD_OP_ELEMENTWISE] = "ELEMENTWISE",
	[TESSERA_CMD_OP_SOFTMAX] = "SOFTMAX",
	[TESSERA_CMD_OP_LAYERNORM] = "LAYERNORM",
	[TESSERA_CMD_OP_BGEMM] = "BGEMM",
	[TESSERA_CMD_OP_SOFTMAX_BWD] = "SOFTMAX_BWD",
	[TESSERA_CMD_OP_EMBEDDING] = "EMBEDDING",
	[TESSERA_CMD_OP_RMSNORM] = "RMSNORM",
	[TESSERA_CMD_OP_RMSNORM_BWD] = "RMSNORM_BWD",
	[TESSERA_CMD_OP_ROPE] = "ROPE",
	[TESSERA_CMD_OP_CROSS_ENTROPY] = "CROSS_ENTROPY",
	[TESSERA_CMD_OP_REDUCE] = "REDUCE",
	[TESSERA_CMD_OP_ADAMW] = "ADAMW",
};

const char *t1_cmd_name(uint32_t opcode)
{
	if (opcode < ARRAY_SIZE(cmd_names) && cmd_names[opcode])
		return cmd_names[opcode];
	return "unknown opcode";
}

static const char *const err_names[] = {
	[TESSERA_ERR_NONE] = "no error",
	[TESSERA_ERR_INVALID_CMD] = "invalid command",
	[TESSERA_ERR_DMA_FAULT] = "DMA fault",
	[TESSERA_ERR_INVALID_DESC] = "invalid descriptor",
	[TESSERA_ERR_RING_CONFIG] = "bad ring configuration",
	[TESSERA_ERR_MMU_FAULT] = "MMU fault",
	[TESSERA_ERR_MMU_PERM] = "MMU permission fault",
	[TESSERA_ERR_CTX_INVALID] = "invalid context",
	[TESSERA_ERR_WATCHDOG] = "watchdog",
	[TESSERA_ERR_ECC] = "uncorrectable ECC error",
	[TESSERA_ERR_RESET_FAILED] = "reset failed",
};

const char *t1_err_name(uint32_t code)
{
	return code < ARRAY_SIZE(err_names) ? err_names[code] : "error";
}

static void emit(struct t1 *t1, const char *line)
{
	if (t1->ops.log)
		t1->ops.log(t1->ops.opaque, line);
	else
		fprintf(stderr, "tessera-emu: guest error: %s\n", line);
}

void t1_guest_error(struct t1 *t1, const char *fmt, ...)
{
	uint64_t window = t1_mono_ns(t1) / SEC_NS;
	char line[256];
	va_list ap;

	pthread_mutex_lock(&t1->log_lock);
	if (window != t1->log_window) {
		if (t1->log_dropped) {
			snprintf(line, sizeof(line),
				 "%u more guest errors not logged",
				 t1->log_dropped);
			emit(t1, line);
		}
		t1->log_window = window;
		t1->log_lines = 0;
		t1->log_dropped = 0;
	}
	if (t1->log_lines >= T1_LOG_BURST) {
		t1->log_dropped++;
		pthread_mutex_unlock(&t1->log_lock);
		return;
	}
	t1->log_lines++;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(t1, line);
	pthread_mutex_unlock(&t1->log_lock);
}
