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
#include <sys/signalfd.h>

#include "emu.h"

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
		"  --rings N       compute engines/rings, 1..%d (default 1)\n"
		"  --serial N      board serial number (default 0)\n"
		"  --once          exit when the first client disconnects\n"
		"  -v, --verbose   log protocol events to stderr\n"
		"  -h, --help      show this help\n",
		T1_MAX_RINGS);
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
		{ "serial", required_argument, NULL, 'n' },
		{ "once", no_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c;

	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->socket = optarg;
			break;
		case 'r':
			if (parse_uint(optarg, T1_MAX_RINGS, &v) || !v)
				goto bad;
			o->t1.nrings = v;
			break;
		case 'n':
			if (parse_uint(optarg, UINT32_MAX, &v))
				goto bad;
			o->t1.serial = v;
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
		default:
			print_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc || !o->socket) {
		print_usage(stderr);
		return -EINVAL;
	}
	return 0;
bad:
	fprintf(stderr, "tessera-emu: bad value '%s' for --%s\n", optarg,
		c == 'r' ? "rings" : "serial");
	return -EINVAL;
}

/* Block SIGTERM/SIGINT in every thread and return a signalfd for them. */
static int stop_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

int main(int argc, char **argv)
{
	struct options o = { .t1 = { .nrings = 1 } };
	struct emu emu;
	int sfd, ret;

	if (parse_args(argc, argv, &o))
		return 2;
	sfd = stop_signals();
	if (sfd < 0) {
		perror("tessera-emu: signalfd");
		return 1;
	}
	ret = emu_init(&emu, &o.t1, o.verbose);
	if (ret) {
		fprintf(stderr, "tessera-emu: cannot create device: %s\n",
			strerror(-ret));
		return 1;
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
