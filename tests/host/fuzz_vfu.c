// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer target: the vfio-user message parser.
 *
 * The input is the byte stream a client sends: one connection per input,
 * over a socketpair, to a vfu context in front of a real T1 model (small
 * HBM, fault injection off).  A server thread serves the connection with
 * vfu_serve_fd(); this thread writes the input, reads and drops the
 * replies so that the server never blocks on a full socket, then closes
 * its end and waits for the server to clean up (device reset, DMA maps
 * and eventfds dropped).  No fds travel with the input, so DMA_MAP can
 * only record inaccessible ranges.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "emu.h"

/* The emulator's own glue (tools/emu/emu.c) in front of the model. */
static struct emu emu;

static void *server(void *arg)
{
	vfu_serve_fd(emu.vfu, (int)(intptr_t)arg);
	return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct t1_config cfg = {
		.ncompute = 1, .ndma = 1, .hbm_size = T1_MIN_HBM,
	};

	(void)argc;
	(void)argv;
	if (emu_init(&emu, &cfg, false))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char sink[65536];
	pthread_t thread;
	size_t off = 0;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK))
		abort();
	if (pthread_create(&thread, NULL, server, (void *)(intptr_t)sv[1]))
		abort();

	/* Write the input while draining replies; then read to EOF. */
	if (!size)
		shutdown(sv[0], SHUT_WR);
	for (;;) {
		struct pollfd p = {
			.fd = sv[0],
			.events = POLLIN | (off < size ? POLLOUT : 0),
		};
		ssize_t n;

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			abort();
		}
		if (p.revents & POLLIN) {
			n = recv(sv[0], sink, sizeof(sink), 0);
			if (n == 0)
				break;		/* the server hung up */
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				break;
		}
		if (off < size && (p.revents & POLLOUT)) {
			n = send(sv[0], data + off, size - off, MSG_NOSIGNAL);
			if (n > 0)
				off += n;
			else if (n < 0 && errno != EAGAIN && errno != EINTR)
				off = size;	/* peer gone: stop writing */
			if (off == size)
				shutdown(sv[0], SHUT_WR);
		} else if (off == size && !(p.revents & POLLIN) &&
			   (p.revents & (POLLHUP | POLLERR))) {
			break;
		}
	}
	close(sv[0]);
	pthread_join(thread, NULL);
	return 0;
}
