// SPDX-License-Identifier: GPL-2.0-only
/*
 * tessera-fuzz: a structured, seeded ioctl fuzzer for tessera.ko.
 *
 *   tessera-fuzz [--seed S] [--seconds N] [--phases N] [--procs N]
 *                [--threads N] [--max-ioctls N] [--weight ACTION=W]...
 *                [--trace] [--list-actions]
 *   tessera-fuzz --verify
 *
 * Runs --phases phases of --seconds / --phases seconds each.  In each,
 * --procs worker processes of --threads threads share their DRM files and
 * act on every card (see worker.c and actions.c); then a fresh process
 * (--verify, verify.c) checks that every card still computes correctly,
 * and the kernel log is scanned for warnings.  Prints KTAP (an "ok" or
 * "not ok" line per phase and check), every finding with the action that
 * made it and the thread's recent calls, and a summary with the ioctl
 * counts.  The seed (printed first; default: from the clock) replays the
 * run: each thread's actions come from a PRNG seeded by (seed, phase,
 * process, thread).  Exits non-zero on any finding.  TESSERA_TIME_SCALE
 * (default 1) scales every time bound, for slow (debug) kernels.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "dmesg_pattern.h"
#include "fuzz.h"

struct config cfg;
struct shared *shm;

#define E(...)	{ __VA_ARGS__, 0 }

/* Errnos each call may return, from the uAPI header and Documentation/uapi.rst (ours) or the DRM core's and dma-buf's code (theirs). */
const struct op_info op_info[N_OPS] = {
	[OP_GET_PARAM]		= { "GET_PARAM", true, 5000, E(EINVAL) },
	[OP_BO_CREATE]		= { "BO_CREATE", true, 5000, E(EINVAL, ENOMEM) },
	[OP_BO_INFO]		= { "BO_INFO", true, 5000, E(ENOENT, EINVAL) },
	[OP_SUBMIT]		= { "SUBMIT", true, 5000,
				    E(EINVAL, ENOENT, EFAULT, ETIME, ECANCELED, ENODEV, ENOMEM) },
	[OP_QUEUE_CREATE]	= { "QUEUE_CREATE", true, 5000,
				    E(EINVAL, ENOENT, EACCES, EMFILE, ENOMEM) },
	/* Never waits (Documentation/uapi.rst). */
	[OP_QUEUE_DESTROY]	= { "QUEUE_DESTROY", true, 5000, E(ENOENT, EINVAL) },
	[OP_VM_CREATE]		= { "VM_CREATE", true, 5000, E(EINVAL, EMFILE, ENOMEM) },
	/* Never waits. */
	[OP_VM_DESTROY]		= { "VM_DESTROY", true, 5000, E(ENOENT, EINVAL) },
	/*
	 * A synchronous UNMAP (or a MAP over a bound range) waits for the
	 * VM's jobs, which may hang until the watchdog ends them: callers
	 * add to the bound.
	 */
	[OP_VM_BIND]		= { "VM_BIND", true, 5000,
				    E(EINVAL, ENOENT, EFAULT, ENOMEM, ENODEV) },
	[OP_VM_STATUS]		= { "VM_STATUS", true, 5000, E(ENOENT, EINVAL) },
	[OP_FENCE_WAIT]		= { "FENCE_WAIT", true, 5000, E(ETIME, ENOENT, ESRCH, EINVAL) },
	/* DRM core: an unknown handle is -EINVAL.  Never waits. */
	[OP_GEM_CLOSE]		= { "GEM_CLOSE", true, 5000, E(EINVAL) },
	[OP_GEM_FLINK]		= { "GEM_FLINK", true, 5000, E(ENOENT, ENOMEM, ENOSPC, EACCES) },
	[OP_GEM_OPEN]		= { "GEM_OPEN", true, 5000, E(ENOENT, ENOMEM, ENOSPC, EACCES) },
	[OP_PRIME_EXPORT]	= { "PRIME_HANDLE_TO_FD", true, 5000,
				    E(ENOENT, EINVAL, EOPNOTSUPP, ENOMEM, EMFILE) },
	[OP_PRIME_IMPORT]	= { "PRIME_FD_TO_HANDLE", true, 5000, E(EBADF, EINVAL, ENOMEM) },
	[OP_SYNCOBJ_CREATE]	= { "SYNCOBJ_CREATE", true, 5000, E(EINVAL, ENOMEM) },
	[OP_SYNCOBJ_DESTROY]	= { "SYNCOBJ_DESTROY", true, 5000, E(EINVAL) },
	[OP_SYNCOBJ_SIGNAL]	= { "SYNCOBJ_SIGNAL", true, 5000, E(EINVAL, ENOENT, ENOMEM) },
	[OP_SYNCOBJ_RESET]	= { "SYNCOBJ_RESET", true, 5000, E(EINVAL, ENOENT) },
	[OP_SYNCOBJ_WAIT]	= { "SYNCOBJ_WAIT", true, 5000, E(EINVAL, ENOENT, ETIME, ENOMEM) },
	[OP_SYNCOBJ_QUERY]	= { "SYNCOBJ_QUERY", true, 5000, E(EINVAL, ENOENT, ENOMEM) },
	[OP_SYNCOBJ_EXPORT]	= { "SYNCOBJ_HANDLE_TO_FD", true, 5000, E(ENOENT, EINVAL, EMFILE, ENOMEM) },
	[OP_SYNCOBJ_IMPORT]	= { "SYNCOBJ_FD_TO_HANDLE", true, 5000, E(EINVAL, EBADF, ENOMEM) },
	/* With WAIT_FOR_SUBMIT the core waits up to 10 s for the point: -ETIME. */
	[OP_SYNCOBJ_TRANSFER]	= { "SYNCOBJ_TRANSFER", true, 5000, E(EINVAL, ENOENT, ENOMEM, ETIME) },
	[OP_SYNC_FILE_EXPORT]	= { "SYNCOBJ_EXPORT_SYNC_FILE", true, 5000,
				    E(EINVAL, ENOENT, EMFILE, ENOMEM) },
	[OP_SYNC_FILE_IMPORT]	= { "SYNCOBJ_IMPORT_SYNC_FILE", true, 5000,
				    E(EINVAL, ENOENT, EBADF, ENOMEM) },
	[OP_SYNC_FILE_INFO]	= { "SYNC_IOC_FILE_INFO", true, 5000, E(EINVAL, EFAULT, ENOMEM) },
	[OP_DRM_CORE]		= { "DRM core ioctl", true, 5000,
				    E(EINVAL, EFAULT, EOPNOTSUPP, EACCES, EPERM, ENOENT, ENOMEM) },
	/* Random bytes to any Tessera ioctl number: any Tessera ioctl's errno. */
	[OP_RAW_IOCTL]		= { "Tessera ioctl with a raw struct", true, 5000,
				    E(EINVAL, ENOENT, EFAULT, ETIME, ECANCELED, ENOMEM, EACCES,
				      EMFILE, ESRCH, ENOTTY) },
	[OP_MMAP]		= { "mmap", false, 5000, E(EINVAL, EACCES, ENOMEM) },
	[OP_MUNMAP]		= { "munmap", false, 5000, E(EINVAL) },
	/* -EMFILE: a per-user limit of open files (not for root). */
	[OP_OPEN]		= { "open", false, 5000, E(ENOMEM, EMFILE, ENFILE) },
	/* Closing a file never waits for its jobs (Documentation/uapi.rst). */
	[OP_CLOSE]		= { "close", false, 5000, { 0 } },
	[OP_FORK]		= { "fork", false, 5000, E(EAGAIN, ENOMEM) },
};

/* ------------------------------------------------------------------ */
/* Cards */

void card_params(int fd, struct card *c)
{
	for (uint32_t p = 0; p < NPARAMS; p++) {
		struct drm_tessera_get_param gp = { .param = p };

		if (!ioctl(fd, DRM_IOCTL_TESSERA_GET_PARAM, &gp))
			c->param[p] = gp.value;
	}
	c->num_engines = c->param[DRM_TESSERA_PARAM_NUM_ENGINES];
	c->num_compute = c->param[DRM_TESSERA_PARAM_NUM_COMPUTE_ENGINES];
	c->num_dma = c->param[DRM_TESSERA_PARAM_NUM_DMA_ENGINES];
	c->devmem = c->param[DRM_TESSERA_PARAM_DEVICE_MEM_SIZE];
	c->cmd_size_max = c->param[DRM_TESSERA_PARAM_CMD_SIZE_MAX];
	c->caps = c->param[DRM_TESSERA_PARAM_CAPABILITIES];
	c->va_start = c->param[DRM_TESSERA_PARAM_VA_START];
	c->va_end = c->param[DRM_TESSERA_PARAM_VA_END];
	c->vms_max = c->param[DRM_TESSERA_PARAM_VMS_PER_FILE_MAX];
}

static void find_cards(void)
{
	for (int i = 0; i < 16 && cfg.ncards < MAX_CARDS; i++) {
		char path[64], name[16] = "";
		struct drm_version v = { .name_len = sizeof(name) - 1, .name = name };
		struct card *c = &cfg.cards[cfg.ncards];
		int fd;

		snprintf(path, sizeof(path), "/dev/accel/accel%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (ioctl(fd, DRM_IOCTL_VERSION, &v) || strcmp(name, "tessera")) {
			close(fd);
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->index = i;
		if (v.version_major != DRM_TESSERA_ABI_MAJOR) {
			out_line("# accel%d: driver major %d, this fuzzer speaks uAPI %d: skipped\n",
				 i, v.version_major, DRM_TESSERA_ABI_MAJOR);
			close(fd);
			continue;
		}
		card_params(fd, c);
		close(fd);
		if (c->num_engines && c->num_engines <= MAX_ENGINES && c->va_start <= DATA_BASE &&
		    c->va_end >= VA_NEEDED)
			cfg.ncards++;
		else
			out_line("# accel%d: VA range [%#llx, %#llx) too small for the fuzzer's layout\n",
				 i, (unsigned long long)c->va_start, (unsigned long long)c->va_end);
	}
}

/* ------------------------------------------------------------------ */
/*
 * The kernel log, scanned with the patterns tests/vm-kselftests.sh judges
 * the guest's dmesg with (tests/dmesg-bad.ere, tests/dmesg-benign.ere).
 */

static int kmsg_fd = -1;

static void kmsg_open(void)
{
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

/* Errors the driver logged (drm_err): not findings by themselves, but listed. */
static void note_error(char *list, size_t len, int *n, const char *msg)
{
	char shape[200], *o = shape;

	for (const char *c = msg; *c && o < shape + sizeof(shape) - 1; c++)
		if (*c < '0' || *c > '9')
			*o++ = *c;
	*o = '\0';
	(*n)++;
	if (strstr(list, shape) || strlen(list) + strlen(msg) + 16 > len)
		return;
	snprintf(list + strlen(list), len - strlen(list), "#   %s\n", msg);
	/* remember the shape too, so each kind is listed once */
	snprintf(list + strlen(list), len - strlen(list), "#%s\n", shape);
}

/* New kernel messages since the last call; returns how many matched. */
static int kmsg_scan(char *report, size_t len)
{
	static regex_t re, benign;
	static bool compiled;
	size_t off = 0;
	int bad = 0, context = 0, nerr = 0;
	char rec[8192], errors[4096] = "";

	report[0] = '\0';
	if (kmsg_fd < 0)
		return 0;
	if (!compiled) {
		if (regcomp(&re, DMESG_BAD, REG_EXTENDED | REG_NOSUB) ||
		    regcomp(&benign, DMESG_BENIGN, REG_EXTENDED | REG_NOSUB))
			return 0;
		compiled = true;
	}
	for (;;) {
		ssize_t n = read(kmsg_fd, rec, sizeof(rec) - 1);
		char *msg, *end;

		if (n < 0 && errno == EPIPE)
			continue;	/* records were overwritten; go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		if (!regexec(&re, msg, 0, NULL, 0) && regexec(&benign, msg, 0, NULL, 0)) {
			bad++;
			context = 24;
		}
		if (context && off + strlen(msg) + 8 < len) {
			off += snprintf(report + off, len - off, "#   %s\n", msg);
			context--;
		}
		if (strstr(msg, "*ERROR*"))
			note_error(errors, sizeof(errors), &nerr, msg);
	}
	if (nerr) {
		out_line("# kernel log: %d driver error lines, one of each kind:\n", nerr);
		for (char *l = strtok(errors, "\n"); l; l = strtok(NULL, "\n"))
			if (strncmp(l, "#   ", 4) == 0)
				out_line("%s\n", l);
	}
	return bad;
}

/* ------------------------------------------------------------------ */
/* Phases */

static unsigned int ktap_n;
static bool failed;

static void ktap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ktap(bool ok, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!ok)
		failed = true;
	out_line("%sok %u %s\n", ok ? "" : "not ", ++ktap_n, buf);
}

/* Kernel stacks of every thread of @pid, as "#" lines. */
static void print_stacks(pid_t pid)
{
	char path[64], buf[4096];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		char f[300];
		ssize_t n;
		int fd;

		if (d->d_name[0] == '.')
			continue;
		snprintf(f, sizeof(f), "/proc/%d/task/%s/stack", pid, d->d_name);
		fd = open(f, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		out_line("#   task %s:\n", d->d_name);
		for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
			out_line("#     %s\n", l);
	}
	closedir(dir);
}

/* Run the checker in a fresh process: fork and exec ourselves. */
static bool verify(void)
{
	double deadline = now_s() + 180 * cfg.time_scale;
	pid_t pid;
	int st;

	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "tessera-fuzz", "--verify", (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return false;
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (now_s() > deadline) {
			out_line("# the checker did not finish in %.0f s:\n", 180 * cfg.time_scale);
			print_stacks(pid);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return false;
		}
		usleep(50000);
	}
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* One phase; false if the run cannot go on (a process stuck in the kernel). */
static bool phase(int ph, double seconds)
{
	double start = now_s(), deadline = start + seconds;
	double grace = 45 * cfg.time_scale + 5;
	uint64_t io0 = atomic_load(&shm->ioctls), f0 = atomic_load(&shm->findings);
	pid_t pids[MAX_PROCS] = { 0 };
	double kill_at[MAX_PROCS];
	bool killed[MAX_PROCS] = { false }, bad = false, stuck = false, hard = false;
	unsigned int alive = 0, nkilled = 0;
	char report[8192];
	struct rng r;
	int nbad;

	rng_init(&r, derive_seed(cfg.seed, ph, 999, 999));
	for (unsigned int i = 0; i < cfg.procs; i++) {
		/* Some processes die by SIGKILL in the middle of their work. */
		kill_at[i] = chance(&r, 25) ? start + seconds * (0.3 + 0.6 * below(&r, 1000) / 1000.0) : 0;
		pids[i] = fork();
		if (pids[i] == 0)
			worker_main(ph, i, deadline);
		if (pids[i] < 0) {
			out_line("# fork: %s\n", strerror(errno));
			pids[i] = 0;
			bad = true;
			continue;
		}
		alive++;
	}
	while (alive) {
		double now = now_s();
		int st;
		pid_t w = waitpid(-1, &st, WNOHANG);

		for (unsigned int i = 0; w > 0 && i < cfg.procs; i++) {
			if (pids[i] != w)
				continue;
			pids[i] = 0;
			alive--;
			if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && killed[i])
				break;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
				break;
			if (!(WIFEXITED(st) && WEXITSTATUS(st) == 1))
				out_line("# FINDING: phase %d process %u ended with %s %d\n", ph, i,
					 WIFEXITED(st) ? "status" : "signal",
					 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			bad = true;
		}
		if (w > 0)
			continue;
		for (unsigned int i = 0; i < cfg.procs; i++) {
			if (pids[i] && kill_at[i] && now >= kill_at[i] && !killed[i]) {
				kill(pids[i], SIGKILL);
				killed[i] = true;
				nkilled++;
			}
		}
		if (!hard && now > deadline + grace) {
			for (unsigned int i = 0; i < cfg.procs; i++) {
				if (!pids[i])
					continue;
				out_line("# FINDING: phase %d process %u still runs %.0f s after the "
					 "phase ended; its threads' kernel stacks:\n", ph, i, grace);
				print_stacks(pids[i]);
				kill(pids[i], SIGKILL);
				killed[i] = true;
			}
			hard = bad = true;
		}
		if (hard && now > deadline + grace + 30 * cfg.time_scale) {
			for (unsigned int i = 0; i < cfg.procs; i++) {
				if (!pids[i])
					continue;
				out_line("# FINDING: phase %d process %u does not die (stuck in the "
					 "kernel):\n", ph, i);
				print_stacks(pids[i]);
			}
			stuck = true;
			break;
		}
		usleep(20000);
	}
	if (atomic_load(&shm->findings) != f0)
		bad = true;
	ktap(!bad, "fuzz phase %d: %u processes x %u threads (%u killed), %llu ioctls, seed %#llx",
	     ph, cfg.procs, cfg.threads, nkilled,
	     (unsigned long long)(atomic_load(&shm->ioctls) - io0), (unsigned long long)cfg.seed);
	if (stuck) {
		nbad = kmsg_scan(report, sizeof(report));
		if (nbad)
			out_line("%s", report);
		return false;
	}
	ktap(verify(), "fuzz phase %d: every card computes correctly in a fresh process", ph);
	nbad = kmsg_scan(report, sizeof(report));
	ktap(!nbad, "fuzz phase %d: kernel log has no report (WARN, BUG, oops, KASAN, lockdep, ...)", ph);
	if (nbad)
		out_line("# %d bad kernel log lines; from the first:\n%s", nbad, report);
	return true;
}

/* ------------------------------------------------------------------ */
/* A forked child: the forking thread alone, for a few actions. */

int run_forked_child(struct fz_thread *t, int n)
{
	struct proc *p = t->p;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm((unsigned int)(60 * cfg.time_scale) + 1);	/* SIGALRM: a call blocked */
	t->in_child = true;
	rng_init(&t->rng, rnd(&t->rng) ^ 0x6368696c64ull);
	p->forks_left = 0;
	atomic_store(&p->findings, 0);
	for (int i = 0; i < n && now_s() < p->deadline && !atomic_load(&shm->stop); i++) {
		t->actions++;
		run_one_action(t);
	}
	return atomic_load(&p->findings) ? 1 : 0;
}

/* ------------------------------------------------------------------ */

static void summary(double secs)
{
	static const char *const st[] = { "0", "-EFAULT", "-EIO", "-ECANCELED", "-ETIMEDOUT",
					  "-ENODEV", "-ESRCH", "-ENOENT", "other" };
	uint64_t io = atomic_load(&shm->ioctls);
	char line[1024];
	size_t off;

	out_line("# fuzz: seed %#llx, %llu ioctls in %.1f s (%.0f ioctls/s), %llu jobs, %llu findings\n",
		 (unsigned long long)cfg.seed, (unsigned long long)io, secs, secs > 0 ? io / secs : 0.0,
		 (unsigned long long)atomic_load(&shm->jobs),
		 (unsigned long long)atomic_load(&shm->findings));
	out_line("# calls: kind, count, succeeded, then failures by errno\n");
	for (int op = 0; op < N_OPS; op++) {
		uint64_t calls = atomic_load(&shm->calls[op]);

		if (!calls)
			continue;
		off = snprintf(line, sizeof(line), "#   %-26s %8llu %8llu ", op_info[op].name,
			       (unsigned long long)calls, (unsigned long long)atomic_load(&shm->ok[op]));
		for (int e = 1; e < MAX_ERRNO && off < sizeof(line) - 40; e++) {
			uint32_t n = atomic_load(&shm->err[op][e]);

			if (n)
				off += snprintf(line + off, sizeof(line) - off, " %s:%u",
						strerrorname_np(e) ? strerrorname_np(e) : "?", n);
		}
		out_line("%s\n", line);
	}
	for (size_t k = 0; k < sizeof(shm->kinds) / sizeof(shm->kinds[0]); k++)
		if (atomic_load(&shm->kinds[k].count))
			out_line("# finding x%u: %s\n", atomic_load(&shm->kinds[k].count),
				 shm->kinds[k].text);
	off = snprintf(line, sizeof(line), "# job statuses seen:");
	for (size_t i = 0; i < sizeof(shm->job_status) / sizeof(shm->job_status[0]); i++)
		if (atomic_load(&shm->job_status[i]))
			off += snprintf(line + off, sizeof(line) - off, " %s:%llu", st[i],
					(unsigned long long)atomic_load(&shm->job_status[i]));
	out_line("%s\n", line);
}

static uint64_t parse_u64(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (*end) {
		fprintf(stderr, "tessera-fuzz: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tessera-fuzz [--seed S] [--seconds N] [--phases N] [--procs N] [--threads N]\n"
		"                    [--max-ioctls N] [--weight ACTION=W]... [--trace] [--list-actions]\n"
		"       tessera-fuzz --verify\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "phases", required_argument, NULL, 'p' },
		{ "procs", required_argument, NULL, 'P' },
		{ "threads", required_argument, NULL, 't' },
		{ "max-ioctls", required_argument, NULL, 'm' },
		{ "weight", required_argument, NULL, 'w' },
		{ "trace", no_argument, NULL, 'T' },
		{ "verify", no_argument, NULL, 'V' },
		{ "list-actions", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char weights[256] = "", max_ioctls[40] = "";
	bool seeded = false, do_verify = false;
	const char *scale = getenv("TESSERA_TIME_SCALE");
	double t0, secs;
	int c;

	cfg.phases = 4;
	cfg.procs = 3;
	cfg.threads = 3;
	cfg.seconds = 60;
	cfg.time_scale = scale ? atof(scale) : 1.0;
	if (cfg.time_scale <= 0)
		cfg.time_scale = 1.0;
	for (unsigned int i = 0; i < n_actions; i++)
		cfg.weights[i] = actions[i].weight;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cfg.seed = parse_u64(optarg);
			seeded = true;
			break;
		case 'S':
			cfg.seconds = atof(optarg);
			break;
		case 'p':
			cfg.phases = parse_u64(optarg);
			break;
		case 'P':
			cfg.procs = parse_u64(optarg);
			break;
		case 't':
			cfg.threads = parse_u64(optarg);
			break;
		case 'm':
			cfg.max_ioctls = parse_u64(optarg);
			break;
		case 'w': {
			char name[64];
			unsigned int w;
			int a;

			if (sscanf(optarg, "%63[^=]=%u", name, &w) != 2 ||
			    (a = action_by_name(name)) < 0) {
				fprintf(stderr, "tessera-fuzz: bad --weight %s (see --list-actions)\n",
					optarg);
				return 2;
			}
			cfg.weights[a] = w;
			snprintf(weights + strlen(weights), sizeof(weights) - strlen(weights),
				 " --weight %s=%u", name, w);
			break;
		}
		case 'T':
			cfg.trace = true;
			break;
		case 'V':
			do_verify = true;
			break;
		case 'l':
			for (unsigned int i = 0; i < n_actions; i++)
				printf("%-16s %u\n", actions[i].name, actions[i].weight);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !cfg.phases || !cfg.procs || !cfg.threads ||
	    cfg.procs > MAX_PROCS || cfg.threads > MAX_THREADS) {
		usage(stderr);
		return 2;
	}
	if (do_verify)
		return verify_main();
	if (!seeded) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		cfg.seed = (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec ^
			   (uint64_t)getpid() << 40;
	}
	if (cfg.max_ioctls)
		snprintf(max_ioctls, sizeof(max_ioctls), " --max-ioctls %llu",
			 (unsigned long long)cfg.max_ioctls);
	snprintf(cfg.argv_line, sizeof(cfg.argv_line),
		 " --seconds %g --phases %u --procs %u --threads %u%s%s", cfg.seconds,
		 cfg.phases, cfg.procs, cfg.threads, max_ioctls, weights);

	out_line("TAP version 13\n");
	out_line("# tessera-fuzz: seed %#llx\n", (unsigned long long)cfg.seed);
	out_line("# replay: tessera-fuzz --seed %#llx%s\n", (unsigned long long)cfg.seed,
		 cfg.argv_line);
	find_cards();
	if (!cfg.ncards) {
		out_line("not ok 1 fuzz: no Tessera card in /dev/accel\n1..1\n");
		return 1;
	}
	for (int i = 0; i < cfg.ncards; i++)
		out_line("# card %d: accel%d, %llu compute + %llu DMA engines, %llu MiB device memory, "
			 "VA [%#llx, %#llx), %llu VMs per file, caps %#llx\n",
			 i, cfg.cards[i].index, (unsigned long long)cfg.cards[i].num_compute,
			 (unsigned long long)cfg.cards[i].num_dma,
			 (unsigned long long)(cfg.cards[i].devmem >> 20),
			 (unsigned long long)cfg.cards[i].va_start,
			 (unsigned long long)cfg.cards[i].va_end,
			 (unsigned long long)cfg.cards[i].vms_max,
			 (unsigned long long)cfg.cards[i].caps);
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(shm, 0, sizeof(*shm));
	shm->max_ioctls = cfg.max_ioctls;
	kmsg_open();
	if (kmsg_fd < 0)
		out_line("# cannot read /dev/kmsg (%s): the kernel log is not scanned\n",
			 strerror(errno));

	t0 = now_s();
	for (unsigned int ph = 1; ph <= cfg.phases && !atomic_load(&shm->stop); ph++)
		if (!phase(ph, cfg.seconds / cfg.phases))
			break;
	secs = now_s() - t0;
	summary(secs);
	out_line("1..%u\n", ktap_n);
	return failed ? 1 : 0;
}
