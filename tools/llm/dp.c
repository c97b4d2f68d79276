// SPDX-License-Identifier: MIT
/*
 * Data parallelism over Open MPI (dp.h).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include <mpi.h>

#include "dp.h"

/* mpirun (Open MPI, or any PMIx launcher) leaves these in each rank's environment. */
static bool launched_by_mpirun(void)
{
	return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE");
}

int llm_dp_init(int *argc, char ***argv, struct llm_dp *dp)
{
	MPI_Comm node;

	*dp = (struct llm_dp){ .rank = 0, .size = 1, .local_rank = 0 };
	if (!launched_by_mpirun())
		return 0;
	if (MPI_Init(argc, argv) != MPI_SUCCESS)
		return -EIO;
	dp->mpi = true;
	MPI_Comm_rank(MPI_COMM_WORLD, &dp->rank);
	MPI_Comm_size(MPI_COMM_WORLD, &dp->size);
	/* The ranks sharing this host's memory: one card each. */
	if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, dp->rank, MPI_INFO_NULL,
				&node) != MPI_SUCCESS)
		return -EIO;
	MPI_Comm_rank(node, &dp->local_rank);
	MPI_Comm_free(&node);
	return 0;
}

void llm_dp_fini(struct llm_dp *dp)
{
	if (dp->mpi)
		MPI_Finalize();
	dp->mpi = false;
}

double llm_dp_sum(const struct llm_dp *dp, double x)
{
	double s = x;

	if (dp->mpi)
		MPI_Allreduce(&x, &s, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
	return s;
}

int llm_dp_grad_mean(const struct llm_dp *dp, float *g, size_t n, double valid)
{
	double total = llm_dp_sum(dp, valid);
	float up, down;

	if (!dp->mpi)
		return 0;
	if (!(total > 0))
		return -EIO;
	/* sum of (mean x count) over the ranks, then over the total count */
	up = (float)valid;
	down = (float)(1.0 / total);
	for (size_t i = 0; i < n; i++)
		g[i] *= up;
	for (size_t off = 0; off < n;) {
		int chunk = n - off > INT_MAX ? INT_MAX : (int)(n - off);

		if (MPI_Allreduce(MPI_IN_PLACE, g + off, chunk, MPI_FLOAT, MPI_SUM,
				  MPI_COMM_WORLD) != MPI_SUCCESS)
			return -EIO;
		off += (size_t)chunk;
	}
	for (size_t i = 0; i < n; i++)
		g[i] *= down;
	return 0;
}

double llm_dp_bcast(const struct llm_dp *dp, double x)
{
	if (dp->mpi)
		MPI_Bcast(&x, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	return x;
}

double llm_dp_max(const struct llm_dp *dp, double x)
{
	double m = x;

	if (dp->mpi)
		MPI_Allreduce(&x, &m, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
	return m;
}

int llm_dp_bcast_floats(const struct llm_dp *dp, float *buf, size_t n)
{
	for (size_t off = 0; dp->mpi && off < n;) {
		int chunk = n - off > INT_MAX ? INT_MAX : (int)(n - off);

		if (MPI_Bcast(buf + off, chunk, MPI_FLOAT, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
			return -EIO;
		off += (size_t)chunk;
	}
	return 0;
}

void llm_dp_barrier(const struct llm_dp *dp)
{
	if (dp->mpi)
		MPI_Barrier(MPI_COMM_WORLD);
}
