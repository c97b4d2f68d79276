// SPDX-License-Identifier: GPL-2.0-only
/*
 * A job that runs far past the device watchdog, as an outside review
 * reported it: one int8 2048 x 2048 x 65536 GEMM used to freeze the card
 * and the guest.  The watchdog fired, the engine reset's register write
 * then stalled in the emulator until the GEMM ended (8-25 s), QEMU's
 * vfio-user client timed out, the guest reported a soft lockup and the
 * card was given up: -ENODEV for everyone until the VM restarted.
 *
 * Here the job must fail with -ETIMEDOUT through a plain engine reset
 * (no device reset), a bystander process on another engine must finish
 * its job meanwhile, and the card must compute correctly afterwards.  The
 * VM harness fails the run on a soft lockup or RCU stall in dmesg.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "tessera_test.h"

/*
 * C = A * A^T, A 2048 x 65536 int8 (128 MiB, B is the same buffer read
 * transposed), C 2048 x 2048 int32 (16 MiB).  One such GEMM took about
 * 10 s on the emulator's OpenBLAS path and well under 1 s on its oneDNN
 * VNNI path with A in one contiguous range of device memory: 8 of them
 * ended within the debug tier's 5x-scaled watchdog.  The job runs it
 * GEMM_REPEAT times, so it stays far past the watchdog (and the job
 * timeout), scaled or not, even on math several times faster again.
 */
#define GEMM_M		2048
#define GEMM_K		65536
#define GEMM_REPEAT	64
#define MAT_SIZE	((uint64_t)GEMM_M * GEMM_K)
#define OUT_SIZE	((uint64_t)GEMM_M * GEMM_M * 4)

/* Append an int8 GEMM C (m x n) = A (m x k) * B^T (n x k) to @c. */
static void emit_gemm_i8(struct client *c, uint64_t a, uint32_t lda, uint64_t b,
			 uint32_t ldb, uint64_t out, uint32_t ldc, uint32_t m, uint32_t n,
			 uint32_t k)
{
	const float one = 1.0f, zero = 0.0f;
	uint32_t dw[TESSERA_CMD_GEMM_LEN] = {
		TESSERA_CMD_HEADER(TESSERA_CMD_OP_GEMM, TESSERA_GEMM_TRANS_B,
				   TESSERA_CMD_GEMM_LEN),
		TESSERA_DTYPE_INT8, m, n, k,
		(uint32_t)a, (uint32_t)(a >> 32), lda,
		(uint32_t)b, (uint32_t)(b >> 32), ldb,
		(uint32_t)out, (uint32_t)(out >> 32), ldc,
	};

	memcpy(&dw[14], &one, 4);
	memcpy(&dw[15], &zero, 4);
	emit(c, dw, TESSERA_CMD_GEMM_LEN);
}

/*
 * A small int8 GEMM on @engine in @c's context, checked on the CPU;
 * 0 if right.  Uses the first 3 pages of the mapped BO @p at @va.
 */
static int small_gemm_ok(struct client *c, uint32_t engine, uint8_t *p, uint64_t va)
{
	const uint32_t m = 5, n = 3, k = 40;
	int8_t *a = (int8_t *)p, *b = (int8_t *)p + 4096;
	int32_t *out = (int32_t *)(p + 8192);
	uint32_t i, j, q;
	int bad = 0;

	for (i = 0; i < m * k; i++)
		a[i] = (int8_t)(i * 37 % 255 - 127);
	for (i = 0; i < n * k; i++)
		b[i] = (int8_t)(i * 11 % 251 - 125);
	memset(out, 0xa5, m * n * 4);
	emit_gemm_i8(c, va, k, va + 4096, k, va + 8192, n, m, n, k);
	if (run(c, engine) != 1)
		return -1;
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			int32_t want = 0;

			for (q = 0; q < k; q++)
				want += a[i * k + q] * b[j * k + q];
			bad += out[i * n + j] != want;
		}
	return bad;
}

/* A process of its own: open the card, run a FILL + COPY on @engine. */
static int bystander(uint32_t engine)
{
	struct client b;
	uint32_t bo, *p;
	uint64_t va, size;
	int ok;

	if (client_open(&b) || tessera_bo_create_va(b.fd, 2 * 4096, &bo, &va))
		return 2;
	p = tessera_bo_map(b.fd, bo, &size);
	if (!p)
		return 3;
	emit_fill(&b, va, 4096, 0xb7575a00 + engine);
	emit_copy(&b, va, va + 4096, 4096);
	ok = run(&b, engine) == 1 && p[0] == 0xb7575a00 + engine &&
	     p[2047] == 0xb7575a00 + engine;
	client_close(&b);
	return ok ? 0 : 1;
}

/* Run bystander(@engine) in a child process; its exit status. */
static int bystander_process(uint32_t engine)
{
	int wstatus;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(bystander(engine));
	if (waitpid(pid, &wstatus, 0) != pid)
		return -errno;
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128;
}


FIXTURE(long_job) {
	struct client a;
	uint32_t mat, out;
	uint64_t mat_va, out_va, out_size;
	uint8_t *outp;
	bool mat_in_hbm;
};

FIXTURE_SETUP(long_job)
{
	uint64_t compute;

	ASSERT_EQ(0, client_open(&self->a));
	ASSERT_EQ(0, tessera_get_param(self->a.fd, DRM_TESSERA_PARAM_NUM_COMPUTE_ENGINES,
				       &compute));
	if (compute < 2)
		SKIP(return, "needs two compute engines, the card has %llu",
		     (unsigned long long)compute);
	/* A in device memory (zeroed by the driver), else in host memory. */
	self->mat_in_hbm = !tessera_bo_create_flags_va(self->a.fd, MAT_SIZE, DRM_TESSERA_BO_DEVICE_MEM,
					    &self->mat, &self->mat_va);
	if (!self->mat_in_hbm)
		ASSERT_EQ(0, tessera_bo_create_flags_va(self->a.fd, MAT_SIZE, 0, &self->mat,
					     &self->mat_va));
	ASSERT_EQ(0, tessera_bo_create_flags_va(self->a.fd, OUT_SIZE, 0, &self->out, &self->out_va));
	self->outp = tessera_bo_map(self->a.fd, self->out, &self->out_size);
	ASSERT_NE(NULL, self->outp);
}

FIXTURE_TEARDOWN(long_job)
{
	if (self->outp)
		munmap(self->outp, self->out_size);
	client_close(&self->a);
}

TEST_F_TIMEOUT(long_job, a_gemm_past_the_watchdog_fails_alone, 240)
{
	long long engine_resets = tessera_sysfs_counter("driver_engine_resets");
	long long device_resets = tessera_sysfs_counter("driver_device_resets");
	long long card_resets = tessera_sysfs_counter("engine_resets");
	double t0, took;
	int i, status;

	TH_LOG("A in %s memory", self->mat_in_hbm ? "device" : "host");
	for (i = 0; i < GEMM_REPEAT; i++)
		emit_gemm_i8(&self->a, self->mat_va, GEMM_K, self->mat_va, GEMM_K,
			     self->out_va, GEMM_M, GEMM_M, GEMM_M, GEMM_K);
	t0 = tessera_now_s();
	ASSERT_EQ(0, client_submit(&self->a, 0, self->a.syncobj));

	/* Another process's job on another engine, while the GEMM runs. */
	usleep(200 * 1000);
	EXPECT_EQ(0, tessera_fence_status(self->a.fd, self->a.syncobj))
		TH_LOG("the GEMM job ended within 200 ms");
	EXPECT_EQ(0, bystander_process(1));

	status = tessera_wait_status(self->a.fd, self->a.syncobj);
	took = tessera_now_s() - t0;
	TH_LOG("the GEMM job ended after %.1f s with status %d", took, status);
	EXPECT_EQ(-ETIMEDOUT, status);
	/* One engine reset recovered it: no device reset, the card kept. */
	EXPECT_EQ(engine_resets + 1, tessera_sysfs_counter("driver_engine_resets"));
	EXPECT_EQ(device_resets, tessera_sysfs_counter("driver_device_resets"));
	EXPECT_EQ(card_resets + 1, tessera_sysfs_counter("engine_resets"));

	/* Everyone can still use the card, the reset engine included. */
	EXPECT_EQ(0, bystander_process(0));
	EXPECT_EQ(0, bystander_process(1));
	self->a.ndw = 0;
	EXPECT_EQ(0, small_gemm_ok(&self->a, 0, self->outp, self->out_va));
	EXPECT_EQ(0, ctx_status(self->a.fd).flags);
}

TEST_HARNESS_MAIN
