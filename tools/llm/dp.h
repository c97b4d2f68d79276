/* SPDX-License-Identifier: MIT */
/*
 * Data parallelism over Open MPI (Documentation/llm.rst, "Data parallel
 * training"): one rank per card, each rank a slice of the global batch,
 * the gradients averaged over every rank's tokens with MPI_Allreduce on
 * host memory.  Without mpirun there is one rank and MPI is not started.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_LLM_DP_H
#define TESSERA_LLM_DP_H

#include <stdbool.h>
#include <stddef.h>

struct llm_dp {
	int rank, size;		/* in MPI_COMM_WORLD; 0 and 1 without mpirun */
	int local_rank;		/* among the ranks of this host: its card */
	bool mpi;		/* MPI_Init ran */
};

/* Start MPI if launched by mpirun (its environment says so).  0 or -EIO. */
int llm_dp_init(int *argc, char ***argv, struct llm_dp *dp);
void llm_dp_fini(struct llm_dp *dp);
/* The sum of @x over the ranks (every rank gets it). */
double llm_dp_sum(const struct llm_dp *dp, double x);
/*
 * @g (@n floats): this rank's mean gradient over its @valid tokens.
 * Becomes the mean over every rank's tokens, on every rank.  0 or -EIO.
 */
int llm_dp_grad_mean(const struct llm_dp *dp, float *g, size_t n, double valid);
/* @x from rank 0, on every rank. */
double llm_dp_bcast(const struct llm_dp *dp, double x);
/* The largest @x of the ranks (every rank gets it). */
double llm_dp_max(const struct llm_dp *dp, double x);
/* @n floats of rank 0's @buf into every rank's.  0 or -EIO. */
int llm_dp_bcast_floats(const struct llm_dp *dp, float *buf, size_t n);
/* Every rank waits for the others. */
void llm_dp_barrier(const struct llm_dp *dp);

#endif /* TESSERA_LLM_DP_H */
