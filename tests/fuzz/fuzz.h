/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tessera-fuzz: a structured, seeded ioctl fuzzer for tessera.ko, run in
 * the test VM.  Shared declarations.
 *
 * Structure: the orchestrator (main.c) runs phases; each phase forks
 * worker processes (worker.c), each with several threads sharing its DRM
 * files and the objects made through them.  Every thread draws actions
 * from a weighted table (actions.c) with its own PRNG, derived from
 * (seed, phase, process, thread); command streams come from cmds.c.
 * Every call goes through call_begin()/call_end()/expect(): the ioctl is
 * counted, timed against a bound by a watchdog thread, and its errno is
 * checked against the table of errnos its contract documents.  Each
 * pooled VM carries a model of its mappings (struct vm), from which jobs
 * take their operands, so the outcome of a valid job is known.  After each
 * phase a fresh process (verify.c) checks that the cards still compute,
 * and the kernel log is scanned.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_FUZZ_H
#define TESSERA_FUZZ_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tessera_accel.h"	/* uAPI 2: uapi/drm */
#include <accel/tessera_cmd.h>	/* the card's encoding, shared with libaccel and the emulator */

#define MAX_CARDS	4
#define MAX_THREADS	8
#define MAX_PROCS	16
#define MAX_FILES	6	/* DRM files open at once per process */
#define MAX_BOS		64
#define MAX_SOBJS	48
#define MAX_QUEUES	24
#define MAX_VMS		16	/* pooled VMs per process */
#define MAX_VMAPS	48	/* modelled mappings per VM */
#define VM_HIST		64	/* remembered bind ranges per VM */
#define NPARAMS		15	/* DRM_TESSERA_PARAM_* */
#define MAX_MAPS	48
#define MAX_XFDS	8
#define MAX_CHILDREN	4
#define MAX_ENGINES	16
#define HIST		24	/* remembered actions per thread */

/*
 * Device VA layout of every VM (see actions.c): pooled buffers in
 * DATA_SLOTS 2 MiB slots from DATA_BASE; thread N's command ring at
 * RING_BASE + N * 4 GiB (commands READ | EXEC, then its scratch page
 * READ | WRITE at + RING_SIZE); its private VMs' data at PRIV_BASE +
 * N * 4 GiB.  A card's [VA_START, VA_END) must hold all of it.
 */
#define SZ_2M		(2ull << 20)
#define DATA_BASE	(1ull << 32)
#define DATA_SLOTS	256
#define RING_BASE	(1ull << 44)
#define PRIV_BASE	(1ull << 45)
#define VA_NEEDED	(1ull << 46)
#define RING_SIZE	(64 * 1024)	/* a thread's command buffer per file */
#define SCRATCH		4096		/* its last page: semaphores and data */
#define CMD_BYTES	(RING_SIZE - SCRATCH)
/* The scratch page: semaphore slots, then stream operands, then checked results. */
#define SEM_SLOTS	60		/* for the streams' SEMAPHORE commands */
#define SEM_RELEASE_SLOT 61		/* held jobs wait here for the CPU */
#define SEM_HANG_SLOT	63		/* stays 0: a wait here hangs */
#define STREAM_OFF	256
#define CHECK_OFF	2048
#define DESC_LEN	240
#define HIST_LEN	(DESC_LEN + 48)

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64 to derive seeds, xoshiro256** per thread. */

struct rng {
	uint64_t s[4];
};

static inline uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rnd(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return res;
}

/* Uniform in [0, n); 0 for n == 0. */
static inline uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

/* True with probability pct / 100. */
static inline bool chance(struct rng *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

/* Uniform in [lo, hi]. */
static inline uint64_t range(struct rng *r, uint64_t lo, uint64_t hi)
{
	return lo + below(r, hi - lo + 1);
}

/* The seed of one worker thread's stream. */
static inline uint64_t derive_seed(uint64_t master, uint32_t phase, uint32_t proc,
				   uint32_t thread)
{
	uint64_t x = master;

	splitmix64(&x);
	x ^= (uint64_t)phase << 40 ^ (uint64_t)proc << 20 ^ thread;
	return splitmix64(&x);
}

static inline void rng_init(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

/* ------------------------------------------------------------------ */
/* Operations: every kind of call the fuzzer makes, with its errno table. */

enum op {
	OP_GET_PARAM,
	OP_BO_CREATE,
	OP_BO_INFO,
	OP_SUBMIT,
	OP_QUEUE_CREATE,
	OP_QUEUE_DESTROY,
	OP_VM_CREATE,
	OP_VM_DESTROY,
	OP_VM_BIND,
	OP_VM_STATUS,
	OP_FENCE_WAIT,
	OP_GEM_CLOSE,
	OP_GEM_FLINK,
	OP_GEM_OPEN,
	OP_PRIME_EXPORT,
	OP_PRIME_IMPORT,
	OP_SYNCOBJ_CREATE,
	OP_SYNCOBJ_DESTROY,
	OP_SYNCOBJ_SIGNAL,
	OP_SYNCOBJ_RESET,
	OP_SYNCOBJ_WAIT,
	OP_SYNCOBJ_QUERY,
	OP_SYNCOBJ_EXPORT,
	OP_SYNCOBJ_IMPORT,
	OP_SYNCOBJ_TRANSFER,
	OP_SYNC_FILE_EXPORT,
	OP_SYNC_FILE_IMPORT,
	OP_SYNC_FILE_INFO,
	OP_DRM_CORE,
	OP_RAW_IOCTL,
	OP_MMAP,
	OP_MUNMAP,
	OP_OPEN,
	OP_CLOSE,
	OP_FORK,
	N_OPS,
};

#define MAX_ERRNO	134

struct op_info {
	const char *name;
	bool ioctl;		/* counts as an ioctl */
	unsigned int bound_ms;	/* longest it may block, before scaling */
	int allowed[16];	/* documented errnos, 0-terminated */
};

extern const struct op_info op_info[N_OPS];

/* What the contract says about one call. */
enum expect {
	EXP_ANY,	/* success or a documented errno */
	EXP_OK,		/* must succeed */
	EXP_FAIL,	/* must fail, with a documented errno */
};

/* ------------------------------------------------------------------ */
/* Counters shared by every process of the run (anonymous shared memory). */

struct shared {
	_Atomic uint64_t ioctls;
	_Atomic uint64_t calls[N_OPS];
	_Atomic uint64_t ok[N_OPS];
	_Atomic uint32_t err[N_OPS][MAX_ERRNO];
	_Atomic uint64_t jobs;		/* submits that succeeded */
	_Atomic uint64_t job_status[9];	/* see count_status(); the last: any other */
	_Atomic uint64_t findings;
	_Atomic uint64_t ioctls_at_phase_start;
	_Atomic int stop;
	uint64_t max_ioctls;
	/* Findings by kind (the message without its numbers). */
	struct {
		_Atomic uint64_t hash;	/* 0: free */
		_Atomic uint32_t count;
		char text[200];
	} kinds[128];
};

extern struct shared *shm;

/* ------------------------------------------------------------------ */
/* Run configuration. */

struct card {
	int index;			/* /dev/accel/accelN */
	uint64_t num_engines, num_compute, num_dma;
	uint64_t devmem;		/* bytes of device memory */
	uint64_t cmd_size_max;
	uint64_t va_start, va_end;	/* the bindable range */
	uint64_t vms_max;		/* VMS_PER_FILE_MAX */
	uint64_t caps;			/* DRM_TESSERA_CAP_* */
	uint64_t param[NPARAMS];	/* every DRM_TESSERA_PARAM_*, at start */
};

struct config {
	uint64_t seed;
	unsigned int phases, procs, threads;
	double seconds;			/* total fuzzing time */
	uint64_t max_ioctls;
	double time_scale;		/* TESSERA_TIME_SCALE */
	bool trace;
	int ncards;
	struct card cards[MAX_CARDS];
	unsigned int weights[64];	/* per action, see actions.c */
	char argv_line[512];		/* the options, for replay lines */
};

extern struct config cfg;

/* ------------------------------------------------------------------ */
/* A worker process's objects, shared by its threads under @lock. */

struct dfile {
	bool live;		/* slot in use */
	bool dead;		/* being closed: fd points at /dev/null */
	int fd;
	int card;		/* index in cfg.cards */
	uint32_t gen;		/* bumped when the slot is reused or closed */
	int users;		/* threads between file_get() and file_put() */
	/*
	 * Handles or ids may have been closed behind the pools' back (random
	 * or double closes, a forked child): calls on pooled objects may
	 * then fail.
	 */
	bool chaos;
	/*
	 * Something we do not model may have changed the file's VMs or
	 * disturbed its jobs (raw ioctls, a forked child running the same
	 * command buffers): no job of the file is held to the oracle.
	 */
	bool wild;
	unsigned int nqueues;
	/*
	 * Bumped (under the lock) whenever a thread takes a pooled handle
	 * or id out of the pool to close, destroy or reset it.  Another
	 * thread may have picked that handle before and be calling on it at
	 * the same moment: its call may then fail as the contract says it may.
	 */
	uint32_t handle_seq;
};

/* A use of one file, taken by file_pick() under the lock. */
struct fref {
	int f;
	uint32_t gen;
	int fd;
	int card;
	uint32_t handle_seq;	/* the file's when the use began */
};

struct bo {
	bool live;
	int file;
	uint32_t gen;		/* of the file */
	uint32_t handle;
	uint32_t flags;		/* DRM_TESSERA_BO_* */
	bool imported;
	bool known;		/* size and placement known (an import: after BO_INFO) */
	uint64_t serial;	/* unique per pool entry */
	uint64_t size, mmap_offset;	/* mmap_offset 0 until known */
};

/*
 * One mapping of a VM, as the oracle models it: what VM_BIND made of the
 * range.  @owner is -1 for pooled data (any thread's jobs use it) or the
 * thread whose command buffer it is (only that thread's jobs use it).
 */
struct vmap {
	uint64_t va, size, bo_offset;
	uint32_t flags;		/* DRM_TESSERA_BIND_* */
	uint32_t handle;	/* at bind time; the binding holds the BO */
	int owner;		/* -2: unknown (binds raced), never used */
};

/*
 * A VM of a file.  The slot lives while the VM's id or a pooled queue
 * created on it holds it: VM_DESTROY drops the id, the queues go on.
 */
struct vm {
	bool live;
	bool destroyed;		/* VM_DESTROY done: the id is gone */
	int file;
	uint32_t gen;
	uint32_t id;
	uint64_t serial;
	/* A job of ours may fault it on purpose (bad commands, a hang). */
	bool tainted;
	bool guilty;		/* seen guilty (VM_STATUS, or a submit's -ECANCELED) */
	/* Its mappings may differ from the model (an async bind not seen done, ...). */
	bool uncertain;
	int in_progress;	/* submits between their ioctl and their check */
	int binding;		/* binds between their ioctl and the model's update */
	uint32_t map_seq;	/* bumped at the start and end of every bind */
	/*
	 * Binds of the data region in flight (asynchronous ones until seen
	 * done), and a count of those begun: two that overlap in time may
	 * take effect in either order, so the ranges they touch become
	 * unknown to the model.
	 */
	int data_binds;
	uint32_t data_epoch;
	/*
	 * The ranges of the last VM_HIST ops of valid data binds, with the
	 * map_seq at their start and end (0: in flight): a job whose
	 * operands one of them touched between the job's choice of operands
	 * and its submit may see the old mappings or the new.
	 */
	struct {
		uint64_t va, size;
		uint32_t begin, end;
	} hist[VM_HIST];
	uint32_t nhist;		/* ops recorded, ever */
	int nqueues;		/* pooled queues on it */
	int nmaps;
	struct vmap maps[MAX_VMAPS];
};

struct sobj {
	bool live;
	int file;
	uint32_t gen;
	uint32_t handle;
	uint64_t point;		/* highest timeline point signalled or submitted */
	bool fenced;		/* has a fence (binary) or point > 0 */
	bool dirty;		/* a fence that may carry an error (see mark_fenced()) */
};

struct queue {
	bool live;
	int file;
	uint32_t gen;
	uint32_t id;
	uint32_t engine_class, engine;
	int vm;			/* index in p->vms */
	uint64_t vm_serial;
	uint64_t serial;
};

struct map {
	bool live;
	int users;		/* threads touching it */
	uint8_t *addr;
	size_t len;
	bool devmem, writable;
};

enum xfd_kind { XFD_DMABUF, XFD_SYNCOBJ, XFD_SYNC_FILE };

struct xfd {
	bool live;
	int users;
	int fd;
	enum xfd_kind kind;
	int card;
};

struct proc;

/*
 * One command ring of a thread in one file: a private mapped BO, bound at
 * the same VAs in every VM of the file the thread submits in: its
 * commands READ | EXEC at ring_va(), its last page (semaphores, data)
 * READ | WRITE at ring_va() + RING_SIZE.
 */
struct cmdring {
	int file;
	uint32_t gen;		/* 0: none */
	uint32_t handle;
	uint64_t size, off;
	uint32_t *cpu;
	bool devmem;
	uint32_t sync;		/* a syncobj only this thread signals and waits */
	uint32_t bind_sync;	/* the same, for asynchronous binds */
	uint64_t bound[MAX_VMS];	/* serials of the VMs the ring is bound in */
};

/* The last seqno this thread got from one queue (or default engine queue). */
struct seqkey {
	bool used;
	int f;
	uint32_t gen, queue, engine;
	uint64_t last;
};

struct fz_thread {
	struct proc *p;
	int id;
	pthread_t pt;
	pid_t tid;
	struct rng rng;
	uint64_t actions;

	/* The call in progress, for the watchdog. */
	_Atomic uint64_t call_start;	/* ns, 0 when none */
	_Atomic uint64_t call_bound;	/* ns */
	_Atomic int call_op;
	_Atomic int reported;		/* the watchdog reported this call */
	_Atomic unsigned int sigs;	/* signals taken */
	unsigned int sigs_at_start;
	uint32_t gen_at_start;
	uint32_t handle_seq_at_start;
	int file_at_start;
	bool bad_ptr;			/* the call passes a bad pointer on purpose */
	bool in_child;			/* a forked copy of the thread */

	char desc[DESC_LEN];		/* the current action */
	char hist[HIST][HIST_LEN];
	unsigned int nhist;

	struct cmdring cmd[MAX_FILES];
	uint32_t sem_seq;
	uint32_t rel_seq;		/* the semaphore the CPU releases held jobs with */
	struct seqkey seq[16];
};

struct proc {
	int index;
	int phase;
	pthread_mutex_t lock;
	struct dfile files[MAX_FILES];
	struct bo bos[MAX_BOS];
	struct sobj sobjs[MAX_SOBJS];
	struct queue queues[MAX_QUEUES];
	struct vm vms[MAX_VMS];
	struct map maps[MAX_MAPS];
	struct xfd xfds[MAX_XFDS];
	pid_t children[MAX_CHILDREN];
	int nthreads;
	struct fz_thread threads[MAX_THREADS];
	int devnull;
	void *bad_page;		/* PROT_NONE */
	uint8_t *edge;		/* last bytes of a readable page before bad_page */
	uint64_t serial;
	_Atomic bool started;	/* every thread exists */
	int hangs_left;		/* deliberate engine hangs allowed */
	bool exhausted;		/* a_vm_exhaust ran */
	int forks_left;
	_Atomic bool done;
	_Atomic int findings;
	double deadline;	/* monotonic seconds */
	bool sa_restart;
};

/* ------------------------------------------------------------------ */
/* worker.c */

double now_s(void);
uint64_t now_ns(void);
void worker_main(int phase, int index, double deadline);

/* Begin a call on @fd's file slot @file (or -1): the watchdog times it. */
void call_begin(struct fz_thread *t, enum op op, const struct fref *fr, unsigned int extra_ms);
/* End it: returns 0 or the errno of @ret < 0 (errno is read here). */
int call_end(struct fz_thread *t, long ret);
/* Check @err against op's table and @exp; reports a finding if wrong. */
bool expect(struct fz_thread *t, enum op op, int err, enum expect exp, const int *extra);
void finding(struct fz_thread *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void describe(struct fz_thread *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void out_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Object pools; callers hold p->lock. */
int file_pick(struct fz_thread *t);	/* a live file, users++; -1 if none */
void file_put(struct fz_thread *t, int f);
int file_open(struct fz_thread *t, int card);
void file_close(struct fz_thread *t, int f);
bool file_current(struct proc *p, int f, uint32_t gen);
int slot_free(const void *base, size_t stride, size_t n);

/* ------------------------------------------------------------------ */
/* actions.c */

struct action {
	const char *name;
	unsigned int weight;	/* default */
	void (*fn)(struct fz_thread *t);
};

extern const struct action actions[];
extern const unsigned int n_actions;
void run_one_action(struct fz_thread *t);
int action_by_name(const char *name);

/* ------------------------------------------------------------------ */
/* cmds.c: command streams */

struct operand {
	uint64_t va, size;
	bool r, w;		/* the binding's permissions */
	bool used;		/* the stream accesses it */
	uint32_t handle;	/* the BO bound there, for the submit's bos[] */
	bool written;
};

#define MAX_OPERANDS	5

struct stream {
	uint32_t *dw;
	uint32_t ndw, max;	/* dwords emitted, room */
	bool compute;		/* compute commands are valid on the target */
	bool hostile;		/* emit a few bad commands among good ones */
	bool hang;		/* end with a semaphore wait that never ends */
	bool bad;		/* out: emitted something invalid */
	uint64_t hole_va;	/* a VA the VM has nothing mapped at, or 0 */
	uint64_t sem_va;	/* 64 u32 semaphore slots only this thread uses */
	uint32_t *sem_seq;	/* the thread's semaphore value counter */
	int nops;
	struct operand ops[MAX_OPERANDS];
	uint64_t foreign_va[4];	/* VAs of other VMs' bindings */
	int nforeign;
	char summary[96];	/* opcodes, for the history */
};

void gen_stream(struct rng *r, struct stream *s);

/* ------------------------------------------------------------------ */
/* model.c: the oracle's model of a VM's mappings; callers hold p->lock */

/* A bind on a pooled VM, from its ioctl until the model has taken it in. */
struct ticket {
	uint64_t serial;
	uint32_t epoch;
	bool data, conflict;
	uint32_t n, pos[8];	/* its ops in the VM's hist */
};

/* Remove [va, va + size) from the model, splitting at the edges; false: no room. */
bool model_unmap(struct vm *v, uint64_t va, uint64_t size);
/* Apply one op that succeeded; @owner: see struct vmap. */
void model_op(struct vm *v, const struct drm_tessera_vm_bind_op *op, int owner);
/* The op's range may hold anything. */
void model_unknown(struct vm *v, const struct drm_tessera_vm_bind_op *op);
const struct vmap *model_find(const struct vm *v, uint64_t va);
/* A VA in the data region with nothing mapped in its page, or 0. */
uint64_t model_hole(struct rng *r, const struct vm *v);
/* A bind of @ops (NULL: not recorded) on @v begins; @data: in the data region. */
void bind_begin(struct vm *v, bool data, struct ticket *tk,
		const struct drm_tessera_vm_bind_op *ops, uint32_t n);
/* Its ioctl returned @err; @pending: asynchronous, in flight until bind_done(). */
void bind_end(struct vm *v, struct ticket *tk, int err,
	      const struct drm_tessera_vm_bind_op *ops, uint32_t n, int owner, bool pending);
/* An asynchronous bind was seen done with @status (1: not seen done). */
void bind_done(struct vm *v, struct ticket *tk, int status,
	       const struct drm_tessera_vm_bind_op *ops, uint32_t n);
/* Did a bind touch @op's range since the VM's map_seq was @seq, or is one in flight there? */
bool hist_raced(const struct vm *v, const struct operand *op, uint32_t seq);

/* ------------------------------------------------------------------ */
/* verify.c */

int verify_main(void);

/* main.c */
void card_params(int fd, struct card *c);
int run_forked_child(struct fz_thread *t, int actions);

#endif /* TESSERA_FUZZ_H */
