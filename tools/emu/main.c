// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tessera-emu: the emulated Tessera T1 card, served over vfio-user.
 *
 * Documentation/emulator.rst describes how to run it.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "emu.h"
#include "t1_dnnl.h"

struct options {
	const char *socket;
	struct t1_config t1;
	bool once;
	bool verbose;
};

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: tessera-emu --socket PATH [options]\n"
		"Emulated Tessera T1 accelerator, a vfio-user server.\n"
		"\n"
		"  --socket PATH   listen on UNIX socket PATH (required;\n"
		"                  --socket-path is an alias)\n"
		"  --compute-engines N  compute engines (default %d)\n"
		"  --dma-engines N      DMA engines (default %d); 1..%d in all\n"
		"  --rings N       alias of --compute-engines N --dma-engines 0\n"
		"  --hbm-size N    device memory in MiB, power of 2 (default %llu)\n"
		"  --allow-fault-injection  expose the fault-injection registers\n"
		"  --serial N      board serial number (default 0)\n"
		"  --threads N     host threads for the engines' math, shared by\n"
		"                  the engines computing at a time (default: nproc)\n"
		"  --once          exit when the first client disconnects\n"
		"  -v, --verbose   log protocol events to stderr\n"
		"  -V, --version   print the version and exit\n"
		"  -h, --help      show this help\n"
		"Signals: SIGTERM/SIGINT stop; SIGUSR1 makes the card fall off the bus\n"
		"(reads return all ones, no DMA, no interrupts) until it exits.\n",
		T1_DEFAULT_COMPUTE, T1_DEFAULT_DMA, T1_MAX_RINGS,
		(unsigned long long)(T1_DEFAULT_HBM >> 20));
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	if (errno || !*s || *end || *s == '-' || *out > max)
		return -EINVAL;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "socket-path", required_argument, NULL, 's' },
		{ "rings", required_argument, NULL, 'r' },
		{ "compute-engines", required_argument, NULL, 'c' },
		{ "dma-engines", required_argument, NULL, 'd' },
		{ "hbm-size", required_argument, NULL, 'm' },
		{ "allow-fault-injection", no_argument, NULL, 'f' },
		{ "serial", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "once", no_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c;

	while ((c = getopt_long(argc, argv, "vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->socket = optarg;
			break;
		case 'r':
			if (parse_uint(optarg, T1_MAX_RINGS, &v) || !v)
				goto bad;
			o->t1.ncompute = v;
			o->t1.ndma = 0;
			break;
		case 'c':
		case 'd':
			if (parse_uint(optarg, T1_MAX_RINGS, &v))
				goto bad;
			if (c == 'c')
				o->t1.ncompute = v;
			else
				o->t1.ndma = v;
			break;
		case 'm':
			if (parse_uint(optarg, T1_MAX_HBM >> 20, &v) ||
			    v < (T1_MIN_HBM >> 20) || (v & (v - 1)))
				goto bad;
			o->t1.hbm_size = (uint64_t)v << 20;
			break;
		case 'f':
			o->t1.fault_injection = true;
			break;
		case 'n':
			if (parse_uint(optarg, UINT32_MAX, &v))
				goto bad;
			o->t1.serial = v;
			break;
		case 't':
			if (parse_uint(optarg, 1024, &v) || !v)
				goto bad;
			t1_mm_set_threads(v);
			break;
		case 'o':
			o->once = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			print_usage(stdout);
			exit(0);
		case 'V':
			printf("tessera-emu %s\n", TESSERA_VERSION);
			exit(0);
		default:
			print_usage(stderr);
			return -EINVAL;
		}
	}
	if (o->t1.ncompute + o->t1.ndma == 0 ||
	    o->t1.ncompute + o->t1.ndma > T1_MAX_RINGS) {
		fprintf(stderr, "tessera-emu: 1..%d engines in all\n",
			T1_MAX_RINGS);
		return -EINVAL;
	}
	if (optind != argc || !o->socket) {
		print_usage(stderr);
		return -EINVAL;
	}
	return 0;
bad:
	fprintf(stderr, "tessera-emu: bad value '%s' for option -%c\n",
		optarg, c);
	return -EINVAL;
}

/* The card SIGUSR1 makes vanish (set once, before the handler). */
static struct emu *vanish_target;

static void on_vanish_signal(int sig)
{
	(void)sig;
	emu_vanish(vanish_target);
}

/* Write end of the stop pipe, for the signal handler (set once). */
static int stop_pipe_wr = -1;

static void on_stop_signal(int sig)
{
	char c = (char)sig;

	/* Async-signal-safe; a full pipe already says "stop". */
	if (write(stop_pipe_wr, &c, 1) < 0) {
		/* nothing to do */
	}
}

/*
 * SIGTERM/SIGINT make the returned fd readable.  A handler (not a
 * signalfd) because libraries such as OpenBLAS start threads before
 * main() that would not have the signals blocked.
 */
static int stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	int fds[2];

	signal(SIGPIPE, SIG_IGN);
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK))
		return -1;
	stop_pipe_wr = fds[1];
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		return -1;
	return fds[0];
}

int main(int argc, char **argv)
{
	struct options o = {
		.t1 = {
			.ncompute = T1_DEFAULT_COMPUTE,
			.ndma = T1_DEFAULT_DMA,
			.hbm_size = T1_DEFAULT_HBM,
		},
	};
	struct emu emu;
	int sfd, ret;

	t1_mm_wait_policy(argv);	/* may exec us again */
	if (parse_args(argc, argv, &o))
		return 2;
	sfd = stop_signals();
	if (sfd < 0) {
		perror("tessera-emu: stop pipe");
		return 1;
	}
	ret = emu_init(&emu, &o.t1, o.verbose);
	if (ret) {
		fprintf(stderr, "tessera-emu: cannot create device: %s\n",
			strerror(-ret));
		return 1;
	}
	vanish_target = &emu;
	{
		struct sigaction sa = { .sa_handler = on_vanish_signal };

		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		if (sigaction(SIGUSR1, &sa, NULL)) {
			perror("tessera-emu: SIGUSR1");
			emu_fini(&emu);
			return 1;
		}
	}
	ret = vfu_listen(emu.vfu, o.socket);
	if (ret) {
		fprintf(stderr, "tessera-emu: cannot listen on %s: %s\n",
			o.socket, strerror(-ret));
		emu_fini(&emu);
		return 1;
	}
	printf("tessera-emu: listening on %s\n", o.socket);
	fflush(stdout);

	ret = vfu_run(emu.vfu, sfd, o.once);
	if (ret)
		fprintf(stderr, "tessera-emu: %s\n", strerror(-ret));
	emu_fini(&emu);
	close(sfd);
	return ret ? 1 : 0;
}
