// SPDX-License-Identifier: GPL-2.0-only
/*
 * tessera-fuzz: a worker process.  Its threads share its DRM files and the
 * objects made through them (one lock), so that GEM_CLOSE, QUEUE_DESTROY,
 * syncobj destruction and close() of a whole file race the submits and
 * waits of the other threads.  A watchdog thread reports any call that
 * blocks longer than its bound.  Every call is checked by expect().
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

static _Thread_local struct fz_thread *self;

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* One line (or block) to stdout with a single write, so processes do not interleave. */
void out_line(const char *fmt, ...)
{
	char buf[16384];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, buf, n);

		if (w <= 0)
			break;
		memmove(buf, buf + w, n - w);
		n -= w;
	}
}

/* ------------------------------------------------------------------ */
/* The current action, and a history of the thread's last calls. */

void describe(struct fz_thread *t, const char *fmt, ...)
{
	va_list ap;
	char *h;

	va_start(ap, fmt);
	vsnprintf(t->desc, sizeof(t->desc), fmt, ap);
	va_end(ap);
	h = t->hist[t->nhist++ % HIST];
	snprintf(h, HIST_LEN, "#%llu %s", (unsigned long long)t->actions, t->desc);
}

static const char *errname(int e)
{
	const char *n = e ? strerrorname_np(e) : "0";

	return n ? n : "?";
}

/* ------------------------------------------------------------------ */
/* Findings */

/*
 * Count a finding by kind: its message with the numbers left out.  Returns
 * how many of that kind there were before, across every process of the run.
 */
static uint32_t finding_kind(const char *msg)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *c = msg; *c; c++)
		if (*c < '0' || *c > '9')
			h = (h ^ (uint8_t)*c) * 1099511628211ull;
	h |= 1;
	for (unsigned int i = 0, n = sizeof(shm->kinds) / sizeof(shm->kinds[0]); i < n; i++) {
		unsigned int k = (h + i) % n;
		uint64_t cur = atomic_load(&shm->kinds[k].hash), zero = 0;

		if (cur == h)
			return atomic_fetch_add(&shm->kinds[k].count, 1);
		if (cur == 0 && atomic_compare_exchange_strong(&shm->kinds[k].hash, &zero, h)) {
			size_t len = strlen(msg);

			if (len >= sizeof(shm->kinds[k].text))
				len = sizeof(shm->kinds[k].text) - 1;
			memcpy(shm->kinds[k].text, msg, len);
			shm->kinds[k].text[len] = '\0';
			return atomic_fetch_add(&shm->kinds[k].count, 1);
		}
		if (zero == h)
			return atomic_fetch_add(&shm->kinds[k].count, 1);
	}
	return 0;
}

void finding(struct fz_thread *t, const char *fmt, ...)
{
	char msg[1024], hist[HIST * (HIST_LEN + 16)];
	size_t off = 0;
	va_list ap;
	unsigned int i, first, kind;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	atomic_fetch_add(&shm->findings, 1);
	atomic_fetch_add(&t->p->findings, 1);
	/* The first few of each kind in full; the summary counts them all. */
	kind = finding_kind(msg);
	if (kind >= 3)
		return;

	hist[0] = '\0';
	first = t->nhist > HIST ? t->nhist - HIST : 0;
	for (i = first; i < t->nhist && off < sizeof(hist); i++)
		off += snprintf(hist + off, sizeof(hist) - off, "#     %s\n",
				t->hist[i % HIST]);
	out_line("# FINDING: phase %d process %d%s thread %d, action #%llu: %s\n"
		 "#   call: %s\n"
		 "#   replay: tessera-fuzz --seed %#llx%s\n"
		 "#   the thread's last calls, oldest first:\n%s",
		 t->p->phase, t->p->index, t->in_child ? " (a forked child)" : "", t->id,
		 (unsigned long long)t->actions, msg,
		 t->desc, (unsigned long long)cfg.seed, cfg.argv_line, hist);
	if (kind || t->in_child)
		return;
	/* The first of its kind: what the other threads of the process did too. */
	for (int o = 0; o < t->p->nthreads; o++) {
		struct fz_thread *ot = &t->p->threads[o];

		if (ot == t)
			continue;
		off = 0;
		hist[0] = '\0';
		first = ot->nhist > HIST ? ot->nhist - HIST : 0;
		for (i = first; i < ot->nhist && off < sizeof(hist); i++)
			off += snprintf(hist + off, sizeof(hist) - off, "#     %s\n",
					ot->hist[i % HIST]);
		out_line("#   meanwhile, thread %d's last calls:\n%s", o, hist);
	}
}

/* ------------------------------------------------------------------ */
/* Calls */

void call_begin(struct fz_thread *t, enum op op, const struct fref *fr, unsigned int extra_ms)
{
	double bound = (op_info[op].bound_ms + extra_ms) * cfg.time_scale;

	t->sigs_at_start = atomic_load(&t->sigs);
	t->file_at_start = fr ? fr->f : -1;
	t->gen_at_start = fr ? fr->gen : 0;
	t->handle_seq_at_start = fr ? fr->handle_seq : 0;
	atomic_store(&t->call_op, op);
	atomic_store(&t->call_bound, (uint64_t)(bound * 1e6));
	atomic_store(&t->reported, 0);
	atomic_store(&t->call_start, now_ns());
}

int call_end(struct fz_thread *t, long ret)
{
	int err = ret < 0 ? errno : 0;
	int op = atomic_load(&t->call_op);
	char *h = t->hist[(t->nhist - 1) % HIST];
	size_t len = strlen(h);
	uint64_t ns = now_ns() - atomic_load(&t->call_start);

	atomic_store(&t->call_start, 0);
	if (ret < 0 && !err)
		err = EIO;	/* cannot happen: a failed call without errno */
	if (op_info[op].ioctl) {
		uint64_t n = atomic_fetch_add(&shm->ioctls, 1) + 1;

		if (shm->max_ioctls && n >= shm->max_ioctls)
			atomic_store(&shm->stop, 1);
	}
	atomic_fetch_add(&shm->calls[op], 1);
	if (!err)
		atomic_fetch_add(&shm->ok[op], 1);
	else if (err < MAX_ERRNO)
		atomic_fetch_add(&shm->err[op][err], 1);
	if (len + 32 < HIST_LEN)
		snprintf(h + len, HIST_LEN - len, " = %s%s", err ? "-" : "", errname(err));
	if (atomic_load(&t->reported))
		out_line("# ... that call (thread %d.%d) returned %s%s after %.1f s\n",
			 t->p->index, t->id, err ? "-" : "", errname(err), ns / 1e9);
	if (cfg.trace)	/* CLOCK_MONOTONIC, the kernel log's clock */
		fprintf(stderr, "[%.6f %d.%d.%d] %s = %s%s\n", now_ns() / 1e9, t->p->phase,
			t->p->index, t->id, t->desc, err ? "-" : "", errname(err));
	errno = err;
	return err;
}

static bool in_list(const int *list, int e)
{
	for (; list && *list; list++)
		if (*list == e)
			return true;
	return false;
}

static bool check_errno(struct fz_thread *t, enum op op, int err, enum expect exp,
			const int *extra)
{
	struct proc *p = t->p;
	bool closed = false, raced = false, tolerated = false;
	char allowed[256];
	size_t off = 0;
	const int *l;

	if (!err) {
		if (exp == EXP_FAIL) {
			finding(t, "%s succeeded, but the uAPI says this call must fail",
				op_info[op].name);
			return false;
		}
		return true;
	}
	if (exp != EXP_OK && in_list(op_info[op].allowed, err))
		return true;
	if (in_list(extra, err))
		return true;
	/* A signal arrived during the call: -EINTR is the caller's business. */
	if (err == EINTR && atomic_load(&t->sigs) != t->sigs_at_start)
		return true;
	/*
	 * Another thread closed the file meanwhile: its fd reads /dev/null.
	 * Or it closed, destroyed or reset a handle of the file since this
	 * action began, perhaps the one this call uses: the call may fail
	 * the way the contract allows for any call.
	 */
	if (t->file_at_start >= 0) {
		pthread_mutex_lock(&p->lock);
		closed = !file_current(p, t->file_at_start, t->gen_at_start);
		raced = !closed && p->files[t->file_at_start].handle_seq != t->handle_seq_at_start;
		pthread_mutex_unlock(&p->lock);
		tolerated = (closed && (err == ENOTTY || err == ENODEV)) ||
			    (raced && in_list(op_info[op].allowed, err));
	}
	if (tolerated)
		return true;
	if (t->bad_ptr && err == EFAULT)
		return true;

	allowed[0] = '\0';
	if (exp != EXP_OK)
		for (l = op_info[op].allowed; *l && off < sizeof(allowed); l++)
			off += snprintf(allowed + off, sizeof(allowed) - off, "%s ", errname(*l));
	for (l = extra; l && *l && off < sizeof(allowed); l++)
		off += snprintf(allowed + off, sizeof(allowed) - off, "%s ", errname(*l));
	finding(t, "%s failed with -%s; %s %s", op_info[op].name, errname(err),
		exp == EXP_OK ? "the uAPI allows only" : "documented errnos:",
		off ? allowed : "success");
	return false;
}

bool expect(struct fz_thread *t, enum op op, int err, enum expect exp, const int *extra)
{
	bool ok = check_errno(t, op, err, exp, extra);

	t->bad_ptr = false;
	return ok;
}

/* ------------------------------------------------------------------ */
/* Files.  Callers hold p->lock unless noted. */

int slot_free(const void *base, size_t stride, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!*(const bool *)((const char *)base + i * stride))
			return (int)i;
	return -1;
}

bool file_current(struct proc *p, int f, uint32_t gen)
{
	return p->files[f].live && !p->files[f].dead && p->files[f].gen == gen;
}

int file_pick(struct fz_thread *t)
{
	struct proc *p = t->p;
	int live[MAX_FILES], n = 0, f;

	for (f = 0; f < MAX_FILES; f++)
		if (p->files[f].live && !p->files[f].dead)
			live[n++] = f;
	if (!n)
		return -1;
	f = live[below(&t->rng, n)];
	p->files[f].users++;
	return f;
}

/* Drop a use; the last user of a closed file releases its fd number. */
void file_put(struct fz_thread *t, int f)
{
	struct dfile *df = &t->p->files[f];

	if (--df->users == 0 && df->dead) {
		close(df->fd);
		df->live = false;
		df->dead = false;
	}
}

static void card_name(int card, char *buf, size_t len)
{
	snprintf(buf, len, "/dev/accel/accel%d", cfg.cards[card].index);
}

/* Open a new file on @card; called without the lock.  Slot or -1. */
int file_open(struct fz_thread *t, int card)
{
	struct proc *p = t->p;
	char path[64];
	int fd, f, err;
	static const int extra[] = { ENOMEM, EMFILE, ENFILE, 0 };

	card_name(card, path, sizeof(path));
	describe(t, "open(%s)", path);
	call_begin(t, OP_OPEN, NULL, 0);
	fd = open(path, O_RDWR | O_CLOEXEC);
	err = call_end(t, fd);
	if (err) {
		/* ENOSPC (no free context) means contexts leaked: we hold few. */
		expect(t, OP_OPEN, err, EXP_OK, extra);
		return -1;
	}
	pthread_mutex_lock(&p->lock);
	f = slot_free(p->files, sizeof(p->files[0]), MAX_FILES);
	if (f >= 0) {
		struct dfile *df = &p->files[f];
		uint32_t gen = df->gen + 1;

		memset(df, 0, sizeof(*df));
		df->live = true;
		df->fd = fd;
		df->card = card;
		df->gen = gen;
	}
	pthread_mutex_unlock(&p->lock);
	if (f < 0)
		close(fd);
	return f;
}

/*
 * Close file @f (the caller holds a use of it) while other threads may be
 * in its ioctls and its jobs run: its objects leave the pools, its fd
 * number is pointed at /dev/null (dropping our reference to the DRM file)
 * and is released by the last user.  Called without the lock.
 */
void file_close(struct fz_thread *t, int f)
{
	struct proc *p = t->p;
	int fd, i, err;
	uint32_t gen;

	pthread_mutex_lock(&p->lock);
	if (p->files[f].dead) {
		pthread_mutex_unlock(&p->lock);
		return;
	}
	p->files[f].dead = true;
	gen = p->files[f].gen++;
	fd = p->files[f].fd;
	for (i = 0; i < MAX_BOS; i++)
		if (p->bos[i].live && p->bos[i].file == f)
			p->bos[i].live = false;
	for (i = 0; i < MAX_SOBJS; i++)
		if (p->sobjs[i].live && p->sobjs[i].file == f)
			p->sobjs[i].live = false;
	for (i = 0; i < MAX_QUEUES; i++)
		if (p->queues[i].live && p->queues[i].file == f)
			p->queues[i].live = false;
	for (i = 0; i < MAX_VMS; i++)
		if (p->vms[i].live && p->vms[i].file == f)
			p->vms[i].live = false;
	pthread_mutex_unlock(&p->lock);

	describe(t, "close(file %d gen %u, fd %d) with its jobs in flight", f, gen, fd);
	call_begin(t, OP_CLOSE, NULL, 0);
	err = call_end(t, dup2(p->devnull, fd));
	expect(t, OP_CLOSE, err, EXP_OK, NULL);
}

/* ------------------------------------------------------------------ */
/* Signals */

static void on_usr1(int sig)
{
	(void)sig;
	if (self)
		atomic_fetch_add(&self->sigs, 1);
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	char buf[DESC_LEN + 256];
	int n;

	(void)uc;
	n = snprintf(buf, sizeof(buf),
		     "# FINDING: signal %d at address %p in phase %d process %d thread %d, "
		     "during: %s\n#   replay: tessera-fuzz --seed %#llx%s\n", sig, si->si_addr,
		     self ? self->p->phase : -1, self ? self->p->index : -1,
		     self ? self->id : -1, self ? self->desc : "?",
		     (unsigned long long)cfg.seed, cfg.argv_line);
	if (n > 0 && write(STDOUT_FILENO, buf, n) < 0)
		n = 0;
	atomic_fetch_add(&shm->findings, 1);
	_exit(3);
}

static void signals_init(struct proc *p)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = p->sa_restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	signal(SIGPIPE, SIG_IGN);
}

/* ------------------------------------------------------------------ */
/* Watchdog: no call may block longer than its bound. */

static void kernel_stack(pid_t tid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
}

static void *watchdog(void *arg)
{
	struct proc *p = arg;

	while (!atomic_load(&p->done)) {
		uint64_t now = now_ns();

		for (int i = 0; i < p->nthreads; i++) {
			struct fz_thread *t = &p->threads[i];
			uint64_t start = atomic_load(&t->call_start);
			uint64_t bound = atomic_load(&t->call_bound);
			char stack[2048], indented[4096];
			size_t o = 0;

			if (!start || now <= start || now - start <= bound ||
			    atomic_load(&t->reported))
				continue;
			atomic_store(&t->reported, 1);
			kernel_stack(t->tid, stack, sizeof(stack));
			for (char *s = stack; *s && o + 4 < sizeof(indented); s++) {
				if (s == stack || s[-1] == '\n')
					o += snprintf(indented + o, sizeof(indented) - o, "#     ");
				indented[o++] = *s;
			}
			indented[o] = '\0';
			finding(t, "%s blocked for more than %.1f s (the bound for this call)",
				op_info[atomic_load(&t->call_op)].name, bound / 1e9);
			if (o)
				out_line("#   kernel stack of thread %d.%d:\n%s", p->index, t->id,
					 indented);
		}
		usleep(50000);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Threads */

static void cmdrings_release(struct fz_thread *t)
{
	for (int f = 0; f < MAX_FILES; f++) {
		struct cmdring *c = &t->cmd[f];

		if (c->cpu)
			munmap(c->cpu, c->size);
		memset(c, 0, sizeof(*c));
	}
}

static void *thread_main(void *arg)
{
	struct fz_thread *t = arg;
	struct proc *p = t->p;

	self = t;
	t->tid = (pid_t)syscall(SYS_gettid);
	while (!atomic_load(&shm->stop) && now_s() < p->deadline) {
		t->actions++;
		run_one_action(t);
	}
	cmdrings_release(t);
	return NULL;
}

static void reap_children(struct proc *p, bool block)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		int st;
		pid_t r;

		if (!p->children[i])
			continue;
		r = waitpid(p->children[i], &st, block ? 0 : WNOHANG);
		if (r == 0)
			continue;
		p->children[i] = 0;
		/* SIGKILL: the forking thread ended (PR_SET_PDEATHSIG). */
		if (r > 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0) &&
		    !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)) {
			out_line("# FINDING: phase %d process %d: forked child %d ended with %s %d\n",
				 p->phase, p->index, r, WIFEXITED(st) ? "status" : "signal",
				 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			atomic_fetch_add(&shm->findings, 1);
			atomic_fetch_add(&p->findings, 1);
		}
	}
}

/*
 * The body of worker process @index of @phase: open files, run the
 * threads until @deadline, then end either cleanly (close everything) or
 * abruptly (exit with files open and jobs in flight), as the seed says.
 */
void worker_main(int phase, int index, double deadline)
{
	static struct proc proc;
	struct proc *p = &proc;
	struct rng r;
	pthread_t wd;
	bool clean;
	uint8_t *pages;

	memset(p, 0, sizeof(*p));
	p->index = index;
	p->phase = phase;
	p->deadline = deadline;
	pthread_mutex_init(&p->lock, NULL);
	rng_init(&r, derive_seed(cfg.seed, phase, index, 1000));
	p->sa_restart = chance(&r, 50);
	clean = chance(&r, 50);
	p->hangs_left = chance(&r, 50);
	p->forks_left = 2;
	p->nthreads = cfg.threads;
	p->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->devnull < 0 || pages == MAP_FAILED) {
		out_line("# worker %d: setup failed: %s\n", index, strerror(errno));
		_exit(2);
	}
	mprotect(pages + 4096, 4096, PROT_NONE);
	p->bad_page = pages + 4096;
	p->edge = pages + 4096 - 8;
	signals_init(p);

	/* Thread 0's context opens one file per card to start with. */
	for (int i = 0; i < p->nthreads; i++) {
		struct fz_thread *t = &p->threads[i];

		t->p = p;
		t->id = i;
		rng_init(&t->rng, derive_seed(cfg.seed, phase, index, i));
	}
	self = &p->threads[0];
	self->tid = (pid_t)syscall(SYS_gettid);
	for (int c = 0; c < cfg.ncards; c++)
		file_open(&p->threads[0], c);
	if (cfg.ncards > 1 || chance(&r, 50))
		file_open(&p->threads[0], below(&r, cfg.ncards));
	self = NULL;

	pthread_create(&wd, NULL, watchdog, p);
	for (int i = 0; i < p->nthreads; i++)
		pthread_create(&p->threads[i].pt, NULL, thread_main, &p->threads[i]);
	atomic_store(&p->started, true);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i].pt, NULL);

	if (clean) {
		/* Close everything, as a tidy program would. */
		self = &p->threads[0];
		for (int i = 0; i < MAX_MAPS; i++)
			if (p->maps[i].live)
				munmap(p->maps[i].addr, p->maps[i].len);
		for (int i = 0; i < MAX_XFDS; i++)
			if (p->xfds[i].live)
				close(p->xfds[i].fd);
		for (int f = 0; f < MAX_FILES; f++) {
			if (!p->files[f].live || p->files[f].dead)
				continue;
			p->files[f].users++;
			file_close(self, f);
			pthread_mutex_lock(&p->lock);
			file_put(self, f);
			pthread_mutex_unlock(&p->lock);
		}
		reap_children(p, true);
	} else {
		reap_children(p, false);
	}
	atomic_store(&p->done, true);
	pthread_join(wd, NULL);
	if (!clean)
		reap_children(p, true);
	fflush(stderr);
	/* Abrupt end: the kernel closes the files with their jobs in flight. */
	_exit(atomic_load(&p->findings) ? 1 : 0);
}
