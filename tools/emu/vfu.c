// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * vfu: a small vfio-user server library.  See vfu.h.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <json-c/json.h>

#include "vfu.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Wire formats of the message payloads (after struct vfu_hdr). */
struct vfu_version {
	uint16_t major;
	uint16_t minor;
	/* optional NUL-terminated JSON follows */
};

struct vfu_dma_map_msg {
	uint32_t argsz;
	uint32_t flags;
	uint64_t offset;
	uint64_t addr;
	uint64_t size;
};

struct vfu_dma_unmap_msg {
	uint32_t argsz;
	uint32_t flags;
	uint64_t addr;
	uint64_t size;
};

struct vfu_device_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t num_regions;
	uint32_t num_irqs;
};

struct vfu_region_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t cap_offset;
	uint64_t size;
	uint64_t offset;
};

struct vfu_irq_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t count;
};

struct vfu_irq_set {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t start;
	uint32_t count;
	/* DATA_BOOL: count bytes follow */
};

struct vfu_region_rw {
	uint64_t offset;
	uint32_t region;
	uint32_t count;
	/* data follows */
};

_Static_assert(sizeof(struct vfu_hdr) == 16, "header layout");
_Static_assert(sizeof(struct vfu_dma_map_msg) == 32, "DMA_MAP layout");
_Static_assert(sizeof(struct vfu_dma_unmap_msg) == 24, "DMA_UNMAP layout");
_Static_assert(sizeof(struct vfu_region_info) == 32, "region info layout");
_Static_assert(sizeof(struct vfu_irq_set) == 20, "SET_IRQS layout");
_Static_assert(sizeof(struct vfu_region_rw) == 16, "region r/w layout");

struct vfu_map {
	uint64_t iova;
	uint64_t size;
	uint32_t prot;		/* VFU_DMA_READ | VFU_DMA_WRITE */
	uint8_t *vaddr;		/* NULL: recorded, but not accessible */
	void *mmap_base;
	size_t mmap_len;
};

struct vfu_fds {
	int fd[VFU_MAX_MSG_FDS];
	unsigned int n;
	bool overflow;		/* more fds arrived than we accept */
};

struct vfu_msg {
	struct vfu_hdr hdr;
	uint8_t *data;		/* payload */
	size_t len;
	struct vfu_fds fds;
	uint8_t *reply;		/* reply payload, malloc'ed by the handler */
	size_t reply_len;
	int reply_fd;		/* passed with the reply if >= 0 (not owned) */
};

struct vfu_ctx {
	/* Set before vfu_run(), read-only afterwards. */
	struct vfu_device dev;
	bool verbose;
	char *path;
	int listen_fd;

	/* Socket thread only. */
	int conn_fd;
	int stop_fd;
	bool negotiated;

	/*
	 * dma_lock protects maps[], nmaps, maps_cap and the mappings they
	 * describe.  DMA accessors hold it shared for the whole copy;
	 * DMA_MAP/UNMAP hold it exclusive, so a mapping can never go away
	 * under an engine thread.  Writers are preferred so that a busy
	 * engine cannot starve DMA_UNMAP.
	 */
	pthread_rwlock_t dma_lock;
	struct vfu_map *maps;
	unsigned int nmaps;
	unsigned int maps_cap;

	/* irq_lock protects msix_count and msix_fd[] (eventfd or -1). */
	pthread_mutex_t irq_lock;
	unsigned int msix_count;
	int *msix_fd;
};

static void vfu_log(const struct vfu_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!ctx->verbose)
		return;
	va_start(ap, fmt);
	fputs("tessera-emu: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---------------------------------------------------------------------
 * DMA space
 */

/* Last byte of [base, base + size); false if empty or wrapping. */
static bool range_last(uint64_t base, uint64_t size, uint64_t *last)
{
	if (!size || base + (size - 1) < base)
		return false;
	*last = base + (size - 1);
	return true;
}

static struct vfu_map *dma_find(struct vfu_ctx *ctx, uint64_t addr)
{
	for (unsigned int i = 0; i < ctx->nmaps; i++) {
		struct vfu_map *m = &ctx->maps[i];

		if (addr >= m->iova && addr - m->iova < m->size)
			return m;
	}
	return NULL;
}

static bool dma_overlaps(struct vfu_ctx *ctx, uint64_t iova, uint64_t last)
{
	for (unsigned int i = 0; i < ctx->nmaps; i++) {
		const struct vfu_map *m = &ctx->maps[i];

		if (iova <= m->iova + (m->size - 1) && m->iova <= last)
			return true;
	}
	return false;
}

static int dma_mmap(struct vfu_map *m, int fd, uint64_t offset)
{
	uint64_t pgmask = (uint64_t)sysconf(_SC_PAGESIZE) - 1;
	uint64_t delta = offset & pgmask;
	int prot = PROT_NONE;
	struct stat st;
	void *base;

	if (fstat(fd, &st))
		return -errno;
	/* Touching a mapping beyond the end of the file raises SIGBUS. */
	if (!S_ISREG(st.st_mode) || offset + m->size < offset ||
	    offset + m->size > (uint64_t)st.st_size)
		return -EINVAL;
	if (m->size + delta > SIZE_MAX)
		return -ENOMEM;
	if (m->prot & VFU_DMA_READ)
		prot |= PROT_READ;
	if (m->prot & VFU_DMA_WRITE)
		prot |= PROT_WRITE;

	base = mmap(NULL, m->size + delta, prot, MAP_SHARED, fd,
		    (off_t)(offset - delta));
	if (base == MAP_FAILED)
		return -errno;
	m->mmap_base = base;
	m->mmap_len = m->size + delta;
	m->vaddr = (uint8_t *)base + delta;
	return 0;
}

static void dma_munmap(struct vfu_map *m)
{
	if (m->mmap_base)
		munmap(m->mmap_base, m->mmap_len);
	m->mmap_base = NULL;
	m->vaddr = NULL;
}

/* Called with dma_lock held exclusive. */
static int dma_insert(struct vfu_ctx *ctx, const struct vfu_map *m)
{
	uint64_t last;

	range_last(m->iova, m->size, &last);
	if (dma_overlaps(ctx, m->iova, last))
		return -EEXIST;
	if (ctx->nmaps >= VFU_MAX_DMA_MAPS)
		return -ENOSPC;
	if (ctx->nmaps == ctx->maps_cap) {
		unsigned int cap = ctx->maps_cap ? ctx->maps_cap * 2 : 8;
		struct vfu_map *p = realloc(ctx->maps, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		ctx->maps = p;
		ctx->maps_cap = cap;
	}
	ctx->maps[ctx->nmaps++] = *m;
	return 0;
}

int vfu_dma_map(struct vfu_ctx *ctx, uint64_t iova, uint64_t size, int fd,
		uint64_t offset, uint32_t prot)
{
	struct vfu_map m = { .iova = iova, .size = size, .prot = prot };
	uint64_t last;
	int ret = -EINVAL;

	if (!range_last(iova, size, &last) ||
	    (prot & ~(VFU_DMA_READ | VFU_DMA_WRITE)))
		goto out;
	if (fd >= 0) {
		ret = dma_mmap(&m, fd, offset);
		if (ret)
			goto out;
	}

	pthread_rwlock_wrlock(&ctx->dma_lock);
	ret = dma_insert(ctx, &m);
	pthread_rwlock_unlock(&ctx->dma_lock);
	if (ret)
		dma_munmap(&m);
out:
	/* The mapping, if any, holds its own reference to the file. */
	if (fd >= 0)
		close(fd);
	return ret;
}

int vfu_dma_unmap(struct vfu_ctx *ctx, uint64_t iova, uint64_t size)
{
	struct vfu_map victim;
	int ret = -ENOENT;

	pthread_rwlock_wrlock(&ctx->dma_lock);
	for (unsigned int i = 0; i < ctx->nmaps; i++) {
		if (ctx->maps[i].iova != iova || ctx->maps[i].size != size)
			continue;
		victim = ctx->maps[i];
		ctx->maps[i] = ctx->maps[--ctx->nmaps];
		ret = 0;
		break;
	}
	pthread_rwlock_unlock(&ctx->dma_lock);

	/* No accessor can still see the mapping: munmap outside the lock. */
	if (!ret)
		dma_munmap(&victim);
	return ret;
}

void vfu_dma_unmap_all(struct vfu_ctx *ctx)
{
	struct vfu_map *maps;
	unsigned int n;

	pthread_rwlock_wrlock(&ctx->dma_lock);
	maps = ctx->maps;
	n = ctx->nmaps;
	ctx->maps = NULL;
	ctx->nmaps = 0;
	ctx->maps_cap = 0;
	pthread_rwlock_unlock(&ctx->dma_lock);

	for (unsigned int i = 0; i < n; i++)
		dma_munmap(&maps[i]);
	free(maps);
}

static int dma_access(struct vfu_ctx *ctx, uint64_t addr, void *buf,
		      size_t len, bool write)
{
	uint32_t need = write ? VFU_DMA_WRITE : VFU_DMA_READ;
	uint8_t *p = buf;
	uint64_t last;
	int ret = 0;

	if (!len)
		return 0;
	if (!range_last(addr, len, &last))
		return -EFAULT;

	pthread_rwlock_rdlock(&ctx->dma_lock);
	while (len) {
		struct vfu_map *m = dma_find(ctx, addr);
		uint64_t off, n;

		if (!m || !m->vaddr || !(m->prot & need)) {
			ret = -EFAULT;
			break;
		}
		off = addr - m->iova;
		n = m->size - off < len ? m->size - off : len;
		if (write)
			memcpy(m->vaddr + off, p, n);
		else
			memcpy(p, m->vaddr + off, n);
		addr += n;
		p += n;
		len -= n;
	}
	pthread_rwlock_unlock(&ctx->dma_lock);
	return ret;
}

void vfu_dma_hold(struct vfu_ctx *ctx)
{
	pthread_rwlock_rdlock(&ctx->dma_lock);
}

void vfu_dma_release(struct vfu_ctx *ctx)
{
	pthread_rwlock_unlock(&ctx->dma_lock);
}

void *vfu_dma_ptr(struct vfu_ctx *ctx, uint64_t addr, uint64_t *len,
		  bool write)
{
	struct vfu_map *m = dma_find(ctx, addr);
	uint64_t off;

	if (!m || !m->vaddr || !(m->prot & (write ? VFU_DMA_WRITE :
							VFU_DMA_READ)))
		return NULL;
	off = addr - m->iova;
	if (*len > m->size - off)
		*len = m->size - off;
	return m->vaddr + off;
}

int vfu_dma_read(struct vfu_ctx *ctx, uint64_t addr, void *buf, size_t len)
{
	return dma_access(ctx, addr, buf, len, false);
}

int vfu_dma_write(struct vfu_ctx *ctx, uint64_t addr, const void *buf,
		  size_t len)
{
	return dma_access(ctx, addr, (void *)buf, len, true);
}

/* ---------------------------------------------------------------------
 * Interrupts
 */

int vfu_irq_trigger(struct vfu_ctx *ctx, unsigned int vector)
{
	uint64_t one = 1;
	int ret = 0;

	pthread_mutex_lock(&ctx->irq_lock);
	if (vector >= ctx->msix_count)
		ret = -EINVAL;
	else if (ctx->msix_fd[vector] < 0)
		ret = -ENOENT;	/* no eventfd: the message is dropped */
	else if (write(ctx->msix_fd[vector], &one, sizeof(one)) < 0 &&
		 errno != EAGAIN)
		ret = -errno;
	pthread_mutex_unlock(&ctx->irq_lock);
	return ret;
}

/* Replace vector @v's eventfd with @fd (or -1).  irq_lock held. */
static void irq_set_fd(struct vfu_ctx *ctx, unsigned int v, int fd)
{
	if (ctx->msix_fd[v] >= 0)
		close(ctx->msix_fd[v]);
	ctx->msix_fd[v] = fd;
}

static void irq_disable_all(struct vfu_ctx *ctx)
{
	pthread_mutex_lock(&ctx->irq_lock);
	for (unsigned int v = 0; v < ctx->msix_count; v++)
		irq_set_fd(ctx, v, -1);
	pthread_mutex_unlock(&ctx->irq_lock);
}

/* ---------------------------------------------------------------------
 * Socket I/O
 */

/*
 * Wait until @fd is readable (POLLIN) or writable (POLLOUT); -ESHUTDOWN
 * once the stop fd fires.
 */
static int wait_fd(struct vfu_ctx *ctx, int fd, short events)
{
	struct pollfd p[2] = {
		{ .fd = fd, .events = events },
		{ .fd = ctx->stop_fd, .events = POLLIN },
	};

	for (;;) {
		int n = poll(p, ctx->stop_fd >= 0 ? 2 : 1, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (ctx->stop_fd >= 0 && p[1].revents)
			return -ESHUTDOWN;
		if (p[0].revents)
			return 0;
	}
}

static void collect_fds(struct msghdr *mh, struct vfu_fds *fds)
{
	struct cmsghdr *c;

	if (mh->msg_flags & MSG_CTRUNC)
		fds->overflow = true;
	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (fds->n < VFU_MAX_MSG_FDS) {
				fds->fd[fds->n++] = fd;
			} else {
				close(fd);
				fds->overflow = true;
			}
		}
	}
}

/*
 * Receive exactly @len bytes and any fds sent with them.  -ENOTCONN for
 * an orderly EOF before the first byte, -EPIPE for EOF in the middle.
 */
static int recv_full(struct vfu_ctx *ctx, void *buf, size_t len,
		     struct vfu_fds *fds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VFU_MAX_MSG_FDS)];
		struct cmsghdr align;
	} cbuf;
	size_t got = 0;

	while (got < len) {
		struct iovec iov = { (char *)buf + got, len - got };
		struct msghdr mh = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf.buf,
			.msg_controllen = sizeof(cbuf.buf),
		};
		ssize_t n;
		int ret;

		ret = wait_fd(ctx, ctx->conn_fd, POLLIN);
		if (ret)
			return ret;
		n = recvmsg(ctx->conn_fd, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return got ? -EPIPE : -ENOTCONN;
		collect_fds(&mh, fds);
		got += n;
	}
	return 0;
}

/*
 * Send @iov; @pass_fd (if >= 0) goes with the first byte.  Never blocks
 * in sendmsg(): a client that stops reading leaves us in poll(), where a
 * stop request (SIGTERM) still ends the wait with -ESHUTDOWN.
 */
static int send_full(struct vfu_ctx *ctx, struct iovec *iov, int iovcnt,
		     int pass_fd)
{
	int fd = ctx->conn_fd;

	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;

	while (iovcnt) {
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = iovcnt };
		ssize_t n;

		if (pass_fd >= 0) {
			struct cmsghdr *c;

			memset(&cbuf, 0, sizeof(cbuf));
			mh.msg_control = cbuf.buf;
			mh.msg_controllen = sizeof(cbuf.buf);
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
		}
		n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0)
			pass_fd = -1;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int ret = wait_fd(ctx, fd, POLLOUT);

			if (ret)
				return ret;
			continue;
		}
		if (n < 0)
			return -errno;
		while (iovcnt && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

/* Send the reply to @req: an error reply if @err, else header + payload. */
static int send_reply(struct vfu_ctx *ctx, const struct vfu_hdr *req,
		      uint32_t err, const void *data, size_t len, int fd)
{
	struct vfu_hdr h = {
		.msg_id = req->msg_id,
		.cmd = req->cmd,
		.size = sizeof(h) + (err ? 0 : len),
		.flags = VFU_FLAG_TYPE_REPLY | (err ? VFU_FLAG_ERROR : 0),
		.error = err,
	};
	struct iovec iov[2] = {
		{ &h, sizeof(h) },
		{ (void *)data, err ? 0 : len },
	};

	return send_full(ctx, iov, iov[1].iov_len ? 2 : 1,
			 err ? -1 : fd);
}

/* ---------------------------------------------------------------------
 * Message handlers.  Each returns 0 or a negative errno for the reply.
 */

static int reply_alloc(struct vfu_msg *msg, const void *data, size_t len)
{
	msg->reply = malloc(len);
	if (!msg->reply)
		return -ENOMEM;
	if (data)
		memcpy(msg->reply, data, len);
	msg->reply_len = len;
	return 0;
}

/* Take ownership of received fd @i. */
static int take_fd(struct vfu_msg *msg, unsigned int i)
{
	int fd = msg->fds.fd[i];

	msg->fds.fd[i] = -1;
	return fd;
}

/*
 * The reply's capabilities: of those the client proposed as members of
 * its "capabilities" object (@json, parsed with json-c), the ones we
 * know, each at most what the client offered (pgsizes: the sizes both
 * support).  Unknown members are left out, so the reply is a subset of
 * the proposal.  -EINVAL for anything but one JSON object with, if any,
 * an object "capabilities" whose known members are integers in range.
 */
static int version_caps(const char *json, size_t jlen, char *buf, size_t size)
{
	static const struct {
		const char *key;
		uint32_t val;
		bool mask;	/* a bit set of sizes, not a maximum */
	} ours[] = {
		{ "max_msg_fds", VFU_MAX_MSG_FDS, false },
		{ "max_data_xfer_size", VFU_MAX_DATA_XFER, false },
		{ "pgsizes", VFU_PGSIZES, true },
		{ "max_dma_maps", VFU_MAX_DMA_MAPS, false },
	};
	json_tokener *tok = json_tokener_new();
	json_object *in = NULL, *caps, *rep = NULL, *rcaps = NULL;
	int ret = -EINVAL;

	if (!tok)
		return -ENOMEM;
	/* the whole text, NUL excluded, must be one JSON value (and blanks) */
	in = json_tokener_parse_ex(tok, json, (int)jlen - 1);
	if (!in || json_tokener_get_error(tok) != json_tokener_success ||
	    json[json_tokener_get_parse_end(tok) +
		 strspn(json + json_tokener_get_parse_end(tok), " \t\r\n")] ||
	    !json_object_is_type(in, json_type_object))
		goto out;
	rep = json_object_new_object();
	rcaps = json_object_new_object();
	if (!rep || !rcaps) {
		ret = -ENOMEM;
		goto out;
	}
	if (json_object_object_get_ex(in, "capabilities", &caps)) {
		if (!json_object_is_type(caps, json_type_object))
			goto out;
		for (size_t i = 0; i < ARRAY_SIZE(ours); i++) {
			json_object *v;
			int64_t theirs, val;

			if (!json_object_object_get_ex(caps, ours[i].key, &v))
				continue;
			if (!json_object_is_type(v, json_type_int))
				goto out;
			errno = 0;
			theirs = json_object_get_int64(v);
			if (errno || theirs < 0 || theirs > UINT32_MAX)
				goto out;
			val = ours[i].mask ? (theirs & ours[i].val) :
			      theirs < ours[i].val ? theirs : ours[i].val;
			if (ours[i].mask && !val)
				goto out;	/* no page size in common */
			if (json_object_object_add(rcaps, ours[i].key,
						   json_object_new_int64(val))) {
				ret = -ENOMEM;
				goto out;
			}
		}
	}
	if (json_object_object_add(rep, "capabilities", rcaps)) {
		ret = -ENOMEM;
		goto out;
	}
	rcaps = NULL;		/* rep owns it */
	ret = snprintf(buf, size, "%s",
		       json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN));
	ret = ret >= 0 && (size_t)ret < size ? ret + 1 : -E2BIG; /* with NUL */
out:
	json_object_put(rcaps);
	json_object_put(rep);
	json_object_put(in);
	json_tokener_free(tok);
	return ret;
}

static int handle_version(struct vfu_ctx *ctx, struct vfu_msg *msg)
{
	struct vfu_version v;
	const char *json;
	char caps[256];
	size_t jlen;
	int n = 0;

	if (msg->len < sizeof(v) || ctx->negotiated)
		return -EINVAL;
	memcpy(&v, msg->data, sizeof(v));
	json = (const char *)msg->data + sizeof(v);
	jlen = msg->len - sizeof(v);
	if (v.major != VFU_PROTO_MAJOR)
		return -ENOTSUP;
	if (jlen && json[jlen - 1] != '\0')
		return -EINVAL;

	/* Reply with the subset of the client's capabilities we know. */
	if (jlen) {
		n = version_caps(json, jlen, caps, sizeof(caps));
		if (n < 0)
			return n == -E2BIG ? -EINVAL : n;
	}

	if (reply_alloc(msg, NULL, sizeof(v) + n))
		return -ENOMEM;
	v.minor = 0;
	memcpy(msg->reply, &v, sizeof(v));
	memcpy(msg->reply + sizeof(v), caps, n);
	ctx->negotiated = true;
	vfu_log(ctx, "client speaks vfio-user %u.%u", v.major, v.minor);
	return 0;
}

/*
 * Copy the fixed part of a request (a VFIO structure that starts with its
 * u32 argsz) out of @msg: the message must hold it and argsz must cover it.
 */
static int msg_take_args(const struct vfu_msg *msg, void *args, size_t size)
{
	uint32_t argsz;

	if (msg->len < size)
		return -EINVAL;
	memcpy(args, msg->data, size);
	memcpy(&argsz, args, sizeof(argsz));
	return argsz < size ? -EINVAL : 0;
}

static int handle_dma_map(struct vfu_ctx *ctx, struct vfu_msg *msg)
{
	struct vfu_dma_map_msg m;
	int fd = -1;

	if (msg_take_args(msg, &m, sizeof(m)) ||
	    (m.flags & ~(VFU_DMA_READ | VFU_DMA_WRITE)) || msg->fds.n > 1)
		return -EINVAL;
	if (msg->fds.n)
		fd = take_fd(msg, 0);
	vfu_log(ctx, "DMA_MAP iova %#llx size %#llx off %#llx flags %u fd %d",
		(unsigned long long)m.addr, (unsigned long long)m.size,
		(unsigned long long)m.offset, m.flags, fd);
	return vfu_dma_map(ctx, m.addr, m.size, fd, m.offset, m.flags);
}

static int handle_dma_unmap(struct vfu_ctx *ctx, struct vfu_msg *msg)
{
	struct vfu_dma_unmap_msg u;
	int ret = 0;

	if (msg_take_args(msg, &u, sizeof(u)))
		return -EINVAL;
	vfu_log(ctx, "DMA_UNMAP iova %#llx size %#llx flags %u",
		(unsigned long long)u.addr, (unsigned long long)u.size,
		u.flags);
	if (u.flags == VFIO_DMA_UNMAP_FLAG_ALL && !u.addr && !u.size) {
		vfu_dma_unmap_all(ctx);
	} else {
		if (u.flags)
			return -EINVAL;
		ret = vfu_dma_unmap(ctx, u.addr, u.size);
		if (ret)
			return ret;
	}
	u.argsz = sizeof(u);
	return reply_alloc(msg, &u, sizeof(u));
}

static int handle_device_info(struct vfu_ctx *ctx, struct vfu_msg *msg)
{
	struct vfu_device_info info;

	(void)ctx;
	if (msg_take_args(msg, &info, sizeof(info)))
		return -EINVAL;
	info.argsz = sizeof(info);
	info.flags = VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI;
	info.num_regions = VFU_NUM_REGIONS;
	info.num_irqs = VFU_NUM_IRQS;
	return reply_alloc(msg, &info, sizeof(info));
}

static int handle_region_info(struct vfu_ctx *ctx, struct vfu_msg *msg)
{
	struct vfu_region_info ri;

	if (msg_take_args(msg, &ri, sizeof(ri)) || ri.index >= VFU_NUM_REGIONS)
		return -EINVAL;
	ri.argsz = sizeof(ri);
	ri.size = ctx->dev.region_size[ri.index];
	ri.flags = ri.size ? VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE : 0;
	if (ri.size && ctx->dev.region_fd1[ri.index] > 0) {
		ri.flags |= VFIO_REGION_INFO_FLAG_MMAP;
		msg->reply_fd = ctx->dev.region_fd1[ri.index] - 1;
	}
	ri.cap_offset = 0;
	ri.offset = 0;
	return reply_alloc(msg, &ri, sizeof(ri));
}

static int handle_irq_info(struct vfu_ctx *ctx, struct vfu_msg *msg)
{
	struct vfu_irq_info ii;

	if (msg_take_args(msg, &ii, sizeof(ii)) || ii.index >= VFU_NUM_IRQS)
		return -EINVAL;
	ii.argsz = sizeof(ii);
	ii.flags = VFIO_IRQ_INFO_EVENTFD;
	ii.count = 0;
	if (ii.index == VFIO_PCI_MSIX_IRQ_INDEX)
		ii.count = ctx->dev.msix_count;
	return reply_alloc(msg, &ii, sizeof(ii));
}

static bool one_bit(uint32_t v)
{
	return v && !(v & (v - 1));
}

/*
 * Is @fd an eventfd?  An eventfd is an anonymous inode (no file type in
 * st_mode) whose /proc/self/fdinfo entry has an "eventfd-count:" line;
 * writing 1 to anything else would not be an interrupt (a pipe, a
 * socket or a file could even be made to fill up or grow).
 */
static bool is_eventfd(int fd)
{
	char path[64], buf[512];
	struct stat st;
	ssize_t n;
	int info;

	if (fstat(fd, &st) || (st.st_mode & S_IFMT))
		return false;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	info = open(path, O_RDONLY | O_CLOEXEC);
	if (info < 0)
		return false;
	n = read(info, buf, sizeof(buf) - 1);
	close(info);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, "\neventfd-count:") || !strncmp(buf, "eventfd-count:", 14);
}

/* SET_IRQS with DATA_EVENTFD: assign @fds, or de-assign if none. */
static int set_irq_eventfds(struct vfu_ctx *ctx, struct vfu_msg *msg,
			    uint32_t start, uint32_t count)
{
	if (msg->fds.n && msg->fds.n != count)
		return -EINVAL;
	for (unsigned int i = 0; i < msg->fds.n; i++)
		if (!is_eventfd(msg->fds.fd[i]))
			return -EINVAL;
	for (unsigned int i = 0; i < msg->fds.n; i++) {
		int fl = fcntl(msg->fds.fd[i], F_GETFL);

		/* Never block an engine thread on a full eventfd. */
		if (fl < 0 || fcntl(msg->fds.fd[i], F_SETFL, fl | O_NONBLOCK))
			return -EINVAL;
	}
	pthread_mutex_lock(&ctx->irq_lock);
	for (uint32_t i = 0; i < count; i++)
		irq_set_fd(ctx, start + i, msg->fds.n ? take_fd(msg, i) : -1);
	pthread_mutex_unlock(&ctx->irq_lock);
	return 0;
}

static int handle_set_irqs(struct vfu_ctx *ctx, struct vfu_msg *msg)
{
	uint32_t data, action, nvec;
	struct vfu_irq_set s;
	const uint8_t *bools;

	if (msg_take_args(msg, &s, sizeof(s)))
		return -EINVAL;
	bools = msg->data + sizeof(s);
	vfu_log(ctx, "SET_IRQS index %u start %u count %u flags %#x fds %u",
		s.index, s.start, s.count, s.flags, msg->fds.n);
	data = s.flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	action = s.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	if (s.index >= VFU_NUM_IRQS || (s.flags & ~(data | action)) ||
	    !one_bit(data) || !one_bit(action))
		return -EINVAL;
	/* Only TRIGGER: the client emulates the MSI-X table and its masks. */
	if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;
	if (data != VFIO_IRQ_SET_DATA_EVENTFD && msg->fds.n)
		return -EINVAL;

	nvec = s.index == VFIO_PCI_MSIX_IRQ_INDEX ? ctx->dev.msix_count : 0;
	if (data == VFIO_IRQ_SET_DATA_NONE && !s.count) {
		if (s.start)
			return -EINVAL;
		if (nvec)
			irq_disable_all(ctx);
		return 0;
	}
	if (s.start > nvec || s.count > nvec - s.start)
		return -EINVAL;

	switch (data) {
	case VFIO_IRQ_SET_DATA_EVENTFD:
		return set_irq_eventfds(ctx, msg, s.start, s.count);
	case VFIO_IRQ_SET_DATA_BOOL:
		if (msg->len < sizeof(s) + s.count)
			return -EINVAL;
		for (uint32_t i = 0; i < s.count; i++)
			if (bools[i])
				vfu_irq_trigger(ctx, s.start + i);
		return 0;
	default:
		for (uint32_t i = 0; i < s.count; i++)
			vfu_irq_trigger(ctx, s.start + i);
		return 0;
	}
}

/* Validate a REGION_READ/WRITE header against the region table. */
static int region_rw_check(struct vfu_ctx *ctx, const struct vfu_region_rw *rw)
{
	uint64_t size;

	if (rw->region >= VFU_NUM_REGIONS || !ctx->dev.access)
		return -EINVAL;
	size = ctx->dev.region_size[rw->region];
	if (!rw->count || rw->count > VFU_MAX_DATA_XFER ||
	    rw->offset >= size || rw->count > size - rw->offset)
		return -EINVAL;
	return 0;
}

static int handle_region_read(struct vfu_ctx *ctx, struct vfu_msg *msg)
{
	struct vfu_region_rw rw;
	int ret;

	if (msg->len < sizeof(rw))
		return -EINVAL;
	memcpy(&rw, msg->data, sizeof(rw));
	ret = region_rw_check(ctx, &rw);
	if (ret)
		return ret;
	ret = reply_alloc(msg, NULL, sizeof(rw) + rw.count);
	if (ret)
		return ret;
	memcpy(msg->reply, &rw, sizeof(rw));
	return ctx->dev.access(ctx->dev.opaque, rw.region, rw.offset,
			       msg->reply + sizeof(rw), rw.count, false);
}

static int handle_region_write(struct vfu_ctx *ctx, struct vfu_msg *msg)
{
	struct vfu_region_rw rw;
	int ret;

	if (msg->len < sizeof(rw))
		return -EINVAL;
	memcpy(&rw, msg->data, sizeof(rw));
	ret = region_rw_check(ctx, &rw);
	if (ret)
		return ret;
	if (msg->len - sizeof(rw) != rw.count)
		return -EINVAL;
	ret = ctx->dev.access(ctx->dev.opaque, rw.region, rw.offset,
			      msg->data + sizeof(rw), rw.count, true);
	if (ret)
		return ret;
	return reply_alloc(msg, &rw, sizeof(rw));
}

static int handle_reset(struct vfu_ctx *ctx, struct vfu_msg *msg)
{
	if (msg->len)
		return -EINVAL;
	vfu_log(ctx, "DEVICE_RESET");
	if (ctx->dev.reset)
		ctx->dev.reset(ctx->dev.opaque);
	return 0;
}

static bool cmd_takes_fds(uint16_t cmd)
{
	return cmd == VFU_CMD_DMA_MAP || cmd == VFU_CMD_DEVICE_SET_IRQS;
}

static int dispatch(struct vfu_ctx *ctx, struct vfu_msg *msg)
{
	uint16_t cmd = msg->hdr.cmd;

	if (msg->fds.overflow || (msg->fds.n && !cmd_takes_fds(cmd)))
		return -EINVAL;
	if (!ctx->negotiated && cmd != VFU_CMD_VERSION)
		return -EINVAL;

	switch (cmd) {
	case VFU_CMD_VERSION:
		return handle_version(ctx, msg);
	case VFU_CMD_DMA_MAP:
		return handle_dma_map(ctx, msg);
	case VFU_CMD_DMA_UNMAP:
		return handle_dma_unmap(ctx, msg);
	case VFU_CMD_DEVICE_GET_INFO:
		return handle_device_info(ctx, msg);
	case VFU_CMD_DEVICE_GET_REGION_INFO:
		return handle_region_info(ctx, msg);
	case VFU_CMD_DEVICE_GET_IRQ_INFO:
		return handle_irq_info(ctx, msg);
	case VFU_CMD_DEVICE_SET_IRQS:
		return handle_set_irqs(ctx, msg);
	case VFU_CMD_REGION_READ:
		return handle_region_read(ctx, msg);
	case VFU_CMD_REGION_WRITE:
		return handle_region_write(ctx, msg);
	case VFU_CMD_DEVICE_RESET:
		return handle_reset(ctx, msg);
	default:
		return -EOPNOTSUPP;
	}
}

/* ---------------------------------------------------------------------
 * Connections
 */

static void msg_release(struct vfu_msg *msg)
{
	for (unsigned int i = 0; i < msg->fds.n; i++)
		if (msg->fds.fd[i] >= 0)
			close(msg->fds.fd[i]);
	free(msg->data);
	free(msg->reply);
}

/* -EBADMSG / -EMSGSIZE: framing errors, the stream cannot be trusted. */
static int recv_msg(struct vfu_ctx *ctx, struct vfu_msg *msg)
{
	int ret = recv_full(ctx, &msg->hdr, sizeof(msg->hdr), &msg->fds);

	if (ret)
		return ret;
	if (msg->hdr.size < sizeof(msg->hdr))
		return -EBADMSG;
	if (msg->hdr.size > VFU_MAX_MSG_SIZE)
		return -EMSGSIZE;
	msg->len = msg->hdr.size - sizeof(msg->hdr);
	if (!msg->len)
		return 0;
	msg->data = malloc(msg->len);
	if (!msg->data)
		return -ENOMEM;
	return recv_full(ctx, msg->data, msg->len, &msg->fds);
}

static int handle_msg(struct vfu_ctx *ctx, struct vfu_msg *msg)
{
	uint32_t type = msg->hdr.flags & VFU_FLAG_TYPE_MASK;
	int ret;

	if (type == VFU_FLAG_TYPE_REPLY) {
		vfu_log(ctx, "unexpected reply id %u dropped", msg->hdr.msg_id);
		return 0;
	}
	ret = type == VFU_FLAG_TYPE_COMMAND ? dispatch(ctx, msg) : -EINVAL;
	if (ret)
		vfu_log(ctx, "command %u id %u: %s", msg->hdr.cmd,
			msg->hdr.msg_id, strerror(-ret));
	if (msg->hdr.flags & VFU_FLAG_NO_REPLY)
		return 0;
	return send_reply(ctx, &msg->hdr, -ret, msg->reply, msg->reply_len,
			  msg->reply_fd);
}

/* Serve one message; a negative return ends the connection. */
static int serve_one(struct vfu_ctx *ctx)
{
	struct vfu_msg msg = { .reply_fd = -1 };
	int ret = recv_msg(ctx, &msg);

	if (ret == -EBADMSG || ret == -EMSGSIZE) {
		vfu_log(ctx, "framing error (size %u), closing connection",
			msg.hdr.size);
		send_reply(ctx, &msg.hdr, ret == -EBADMSG ? EINVAL : E2BIG,
			   NULL, 0, -1);
	} else if (!ret) {
		ret = handle_msg(ctx, &msg);
	}
	msg_release(&msg);
	return ret;
}

/* Forget everything the client set up and reset the device. */
static void conn_cleanup(struct vfu_ctx *ctx)
{
	close(ctx->conn_fd);
	ctx->conn_fd = -1;
	ctx->negotiated = false;
	/*
	 * Reset first, so that the engines abandon their work and start no
	 * more: the unmaps then wait (dma_lock) only for them to let go.
	 */
	if (ctx->dev.reset)
		ctx->dev.reset(ctx->dev.opaque);
	vfu_dma_unmap_all(ctx);
	irq_disable_all(ctx);
}

/* Returns -ESHUTDOWN if a stop was requested while serving. */
static int serve_conn(struct vfu_ctx *ctx, int fd)
{
	int ret;

	ctx->conn_fd = fd;
	vfu_log(ctx, "client connected");
	do {
		ret = serve_one(ctx);
	} while (!ret);
	if (ret == -ESHUTDOWN)
		vfu_log(ctx, "stopping, dropping the client");
	else
		vfu_log(ctx, "client gone (%s), cleaning up", strerror(-ret));
	conn_cleanup(ctx);
	return ret == -ESHUTDOWN ? ret : 0;
}

int vfu_serve_fd(struct vfu_ctx *ctx, int fd)
{
	int ret;

	ctx->stop_fd = -1;
	ret = serve_conn(ctx, fd);
	return ret == -ESHUTDOWN ? 0 : ret;
}

int vfu_run(struct vfu_ctx *ctx, int stop_fd, bool once)
{
	int ret;

	ctx->stop_fd = stop_fd;
	for (;;) {
		int fd;

		ret = wait_fd(ctx, ctx->listen_fd, POLLIN);
		if (ret)
			break;
		fd = accept4(ctx->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == ECONNABORTED)
				continue;
			ret = -errno;
			break;
		}
		ret = serve_conn(ctx, fd);
		if (ret || once)
			break;
	}
	return ret == -ESHUTDOWN ? 0 : ret;
}

/* Does a server accept connections at @sa? */
static bool sock_is_live(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	live = !connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	return live;
}

int vfu_listen(struct vfu_ctx *ctx, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (ctx->listen_fd >= 0)
		return -EBUSY;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	/* Replace a stale socket, but not a live one or another file. */
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		if (sock_is_live(&sa))
			return -EADDRINUSE;
		unlink(path);
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		ret = -errno;
		goto err;
	}
	ctx->path = strdup(path);
	if (!ctx->path) {
		close(fd);
		unlink(path);
		return -ENOMEM;
	}
	ctx->listen_fd = fd;
	return 0;
err:
	close(fd);
	return ret;
}

/* ---------------------------------------------------------------------
 * Setup
 */

struct vfu_ctx *vfu_create(void)
{
	struct vfu_ctx *ctx = calloc(1, sizeof(*ctx));
	pthread_rwlockattr_t attr;

	if (!ctx)
		return NULL;
	ctx->listen_fd = -1;
	ctx->conn_fd = -1;
	ctx->stop_fd = -1;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&ctx->dma_lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	pthread_mutex_init(&ctx->irq_lock, NULL);
	return ctx;
}

void vfu_set_device(struct vfu_ctx *ctx, const struct vfu_device *dev)
{
	int *fds = calloc(dev->msix_count ? dev->msix_count : 1, sizeof(int));

	if (!fds)
		abort();
	for (unsigned int i = 0; i < dev->msix_count; i++)
		fds[i] = -1;
	irq_disable_all(ctx);
	pthread_mutex_lock(&ctx->irq_lock);
	free(ctx->msix_fd);
	ctx->msix_fd = fds;
	ctx->msix_count = dev->msix_count;
	ctx->dev = *dev;
	pthread_mutex_unlock(&ctx->irq_lock);
}

void vfu_set_verbose(struct vfu_ctx *ctx, bool verbose)
{
	ctx->verbose = verbose;
}

void vfu_destroy(struct vfu_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->listen_fd >= 0) {
		close(ctx->listen_fd);
		unlink(ctx->path);
	}
	free(ctx->path);
	vfu_dma_unmap_all(ctx);
	irq_disable_all(ctx);
	free(ctx->msix_fd);
	pthread_mutex_destroy(&ctx->irq_lock);
	pthread_rwlock_destroy(&ctx->dma_lock);
	free(ctx);
}
