// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Host tests for the vfio-user server (tools/emu/vfu.c) with the T1 model
 * behind it: a small vfio-user client talks over a real UNIX socket to a
 * server thread in this process, and, if argv[1] names it, to a spawned
 * tessera-emu binary.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <json-c/json.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "emu.h"
#include "tessera_regs.h"
#include "accel/tessera_cmd.h"
#include "tap.h"

#define CFG	VFIO_PCI_CONFIG_REGION_INDEX
#define BAR0	VFIO_PCI_BAR0_REGION_INDEX
#define MEM_IOVA	0x80000000ull
#define MEM_SIZE	(1u << 20)

/* Set up once by main(); read-only for the tests. */
struct server {
	char dir[64];
	char path[128];
	const char *emu_bin;
	struct emu emu;
	pthread_t thread;
	int stop_fd;
	int run_ret;
};

static struct server srv;

struct client {
	int fd;
	uint16_t next_id;
};

/* ------------------------------------------------------------------ */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;		/* the DIR's own fd */
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int send_raw(int fd, const void *buf, size_t len, const int *fds,
		    unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 32)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds) {
		struct cmsghdr *c;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

static int recv_exact(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 5000) != 1)
			return -ETIMEDOUT;
		n = recv(fd, (char *)buf + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -ENOTCONN;
		got += n;
	}
	return 0;
}

/* Send a command; returns its message id. */
static uint16_t cl_send(struct client *c, uint16_t cmd, uint32_t flags,
			const void *payload, size_t len, const int *fds,
			unsigned int nfds)
{
	size_t size = sizeof(struct vfu_hdr) + len;
	uint8_t *buf = malloc(size);
	struct vfu_hdr h = {
		.msg_id = c->next_id++,
		.cmd = cmd,
		.size = size,
		.flags = flags,
	};

	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), payload, len);
	send_raw(c->fd, buf, size, fds, nfds);
	free(buf);
	return h.msg_id;
}

/*
 * Receive a reply into @out (at most @cap bytes of payload are kept).
 * Returns the payload size, or -errno for a transport failure.
 */
static int cl_recv(struct client *c, struct vfu_hdr *h, void *out, size_t cap)
{
	uint8_t *buf;
	size_t len;
	int ret;

	ret = recv_exact(c->fd, h, sizeof(*h));
	if (ret)
		return ret;
	if (h->size < sizeof(*h) || h->size > (8u << 20))
		return -EBADMSG;
	len = h->size - sizeof(*h);
	buf = malloc(len + 1);
	ret = recv_exact(c->fd, buf, len);
	if (!ret && out)
		memcpy(out, buf, len < cap ? len : cap);
	free(buf);
	return ret ? ret : (int)len;
}

/*
 * One request/reply exchange.  Returns the reply's errno (0 for success)
 * or -1 if the reply did not arrive or does not match the request.
 */
static int cl_call_fds(struct client *c, uint16_t cmd, const void *req,
		       size_t len, const int *fds, unsigned int nfds,
		       void *out, size_t cap, int *out_len)
{
	uint16_t id = cl_send(c, cmd, 0, req, len, fds, nfds);
	struct vfu_hdr h;
	int n = cl_recv(c, &h, out, cap);

	if (n < 0 || h.msg_id != id || h.cmd != cmd ||
	    (h.flags & VFU_FLAG_TYPE_MASK) != VFU_FLAG_TYPE_REPLY)
		return -1;
	if (out_len)
		*out_len = n;
	if (h.flags & VFU_FLAG_ERROR)
		return h.error ? (int)h.error : -1;
	return 0;
}

static int cl_call(struct client *c, uint16_t cmd, const void *req, size_t len,
		   void *out, size_t cap)
{
	return cl_call_fds(c, cmd, req, len, NULL, 0, out, cap, NULL);
}

static const char qemu_caps[] =
	"{\"capabilities\":{\"migration\":{\"pgsize\":4096,"
	"\"max_bitmap_size\":268435456},\"max_msg_fds\":16,"
	"\"max_data_xfer_size\":1048576,\"pgsizes\":4096,"
	"\"max_dma_maps\":65535,\"write_multiple\":true}}";

static int cl_version(struct client *c, char *json_out, size_t cap)
{
	uint8_t req[4 + sizeof(qemu_caps)] = { 0 };
	uint8_t rep[512] = { 0 };
	int n = 0, ret;

	memcpy(req + 4, qemu_caps, sizeof(qemu_caps));
	ret = cl_call_fds(c, VFU_CMD_VERSION, req, sizeof(req), NULL, 0, rep,
			  sizeof(rep) - 1, &n);
	if (!ret && json_out)
		snprintf(json_out, cap, "%s", (char *)rep + 4);
	if (!ret && (n < 5 || rep[0] || rep[1] || rep[2] || rep[3] ||
		     rep[n - 1]))
		return -1;
	return ret;
}

static bool cl_open(struct client *c, const char *path)
{
	c->fd = connect_to(path);
	c->next_id = 1;
	return c->fd >= 0 && !cl_version(c, NULL, 0);
}

static void cl_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

struct rw_msg {
	uint64_t offset;
	uint32_t region;
	uint32_t count;
	uint8_t data[8];
};

static int cl_read(struct client *c, uint32_t region, uint64_t off,
		   void *buf, uint32_t count)
{
	struct rw_msg m = { .offset = off, .region = region, .count = count };
	uint8_t *rep = malloc(16 + count);
	int ret = cl_call(c, VFU_CMD_REGION_READ, &m, 16, rep, 16 + count);

	if (!ret)
		memcpy(buf, rep + 16, count);
	free(rep);
	return ret;
}

static int cl_write(struct client *c, uint32_t region, uint64_t off,
		    const void *buf, uint32_t count)
{
	struct rw_msg m = { .offset = off, .region = region, .count = count };

	memcpy(m.data, buf, count);
	return cl_call(c, VFU_CMD_REGION_WRITE, &m, 16 + count, NULL, 0);
}

static uint32_t rd32(struct client *c, uint32_t region, uint64_t off)
{
	uint32_t v;

	return cl_read(c, region, off, &v, 4) ? 0xdeadbeef : v;
}

static int wr32(struct client *c, uint32_t region, uint64_t off, uint32_t v)
{
	return cl_write(c, region, off, &v, 4);
}

struct dma_map_msg {
	uint32_t argsz;
	uint32_t flags;
	uint64_t offset;
	uint64_t addr;
	uint64_t size;
};

struct dma_unmap_msg {
	uint32_t argsz;
	uint32_t flags;
	uint64_t addr;
	uint64_t size;
};

struct irq_set_msg {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t start;
	uint32_t count;
	uint8_t data[8];
};

static int cl_dma_map(struct client *c, uint64_t iova, uint64_t size,
		      uint64_t off, const int *fds, unsigned int nfds)
{
	struct dma_map_msg m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.offset = off, .addr = iova, .size = size,
	};

	return cl_call_fds(c, VFU_CMD_DMA_MAP, &m, sizeof(m), fds, nfds,
			   NULL, 0, NULL);
}

static int cl_dma_unmap(struct client *c, uint64_t iova, uint64_t size,
			uint32_t flags)
{
	struct dma_unmap_msg m = { sizeof(m), flags, iova, size };
	struct dma_unmap_msg rep = { 0 };
	int ret = cl_call(c, VFU_CMD_DMA_UNMAP, &m, sizeof(m), &rep,
			  sizeof(rep));

	if (!ret && (rep.addr != iova || rep.size != size))
		return -1;
	return ret;
}

static int cl_set_irqs(struct client *c, uint32_t flags, uint32_t index,
		       uint32_t start, uint32_t count, const int *fds,
		       unsigned int nfds)
{
	struct irq_set_msg m = { 20, flags, index, start, count, { 0 } };

	return cl_call_fds(c, VFU_CMD_DEVICE_SET_IRQS, &m, 20, fds, nfds,
			   NULL, 0, NULL);
}

/* Wait up to @ms for @efd to fire; returns its counter (0: timeout). */
static uint64_t ev_wait(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v = 0;

	if (poll(&p, 1, ms) == 1 && read(efd, &v, sizeof(v)) != sizeof(v))
		v = 0;
	return v;
}

/* ------------------------------------------------------------------ */

/* A client with guest memory and MSI-X eventfds set up. */
struct guest {
	struct client c;
	int memfd;
	uint8_t *mem;
	int ev[2];		/* ring 0 vector, error vector */
};

static bool guest_init(struct guest *g)
{
	memset(g, 0, sizeof(*g));
	g->ev[0] = g->ev[1] = g->memfd = -1;
	if (!cl_open(&g->c, srv.path))
		return false;
	g->memfd = memfd_create("guest", MFD_CLOEXEC);
	if (g->memfd < 0 || ftruncate(g->memfd, MEM_SIZE))
		return false;
	g->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->memfd, 0);
	g->ev[0] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	g->ev[1] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return g->mem != MAP_FAILED && g->ev[0] >= 0 && g->ev[1] >= 0 &&
	       !cl_dma_map(&g->c, MEM_IOVA, MEM_SIZE, 0, &g->memfd, 1) &&
	       !cl_set_irqs(&g->c, VFIO_IRQ_SET_DATA_EVENTFD |
			    VFIO_IRQ_SET_ACTION_TRIGGER,
			    VFIO_PCI_MSIX_IRQ_INDEX, 0, 2, g->ev, 2);
}

static void guest_fini(struct guest *g)
{
	cl_close(&g->c);
	if (g->mem && g->mem != MAP_FAILED)
		munmap(g->mem, MEM_SIZE);
	for (int i = 0; i < 2; i++)
		if (g->ev[i] >= 0)
			close(g->ev[i]);
	if (g->memfd >= 0)
		close(g->memfd);
}

#define RING	TESSERA_RING_BASE(0)
#define CMD_OFF		0x1000u
#define FENCE_OFF	0x2000u

/* Ring 0 at MEM_IOVA, 8 entries, fence at FENCE_OFF; all irqs unmasked. */
static bool guest_ring_setup(struct guest *g)
{
	struct client *c = &g->c;

	return !wr32(c, BAR0, RING + TESSERA_RING_DESC_BASE_LO, (uint32_t)MEM_IOVA) &&
	       !wr32(c, BAR0, RING + TESSERA_RING_DESC_BASE_HI, MEM_IOVA >> 32) &&
	       !wr32(c, BAR0, RING + TESSERA_RING_SIZE, 8) &&
	       !wr32(c, BAR0, RING + TESSERA_RING_FENCE_ADDR_LO,
		     (uint32_t)(MEM_IOVA + FENCE_OFF)) &&
	       !wr32(c, BAR0, RING + TESSERA_RING_CTRL, TESSERA_RING_CTRL_ENABLE) &&
	       !wr32(c, BAR0, TESSERA_REG_INT_MASK, 0);
}

/* Put a FENCE(IRQ, @value) descriptor in slot @idx and ring the doorbell. */
static bool guest_submit_fence(struct guest *g, unsigned int idx,
			       uint64_t value)
{
	uint32_t cmd[4] = {
		TESSERA_CMD_HEADER(TESSERA_CMD_OP_FENCE, TESSERA_CMD_FENCE_IRQ, 4),
		0, (uint32_t)value, (uint32_t)(value >> 32),
	};
	uint8_t *d = g->mem + idx * TESSERA_DESC_SIZE;
	uint64_t addr = MEM_IOVA + CMD_OFF + idx * 16;
	uint32_t size = sizeof(cmd);

	memcpy(g->mem + CMD_OFF + idx * 16, cmd, sizeof(cmd));
	memset(d, 0, TESSERA_DESC_SIZE);
	memcpy(d + TESSERA_DESC_CMD_ADDR, &addr, 8);
	memcpy(d + TESSERA_DESC_CMD_SIZE, &size, 4);
	return !wr32(&g->c, BAR0, RING + TESSERA_RING_TAIL, (idx + 1) % 8) &&
	       !wr32(&g->c, BAR0, RING + TESSERA_RING_DOORBELL, 1);
}

/* ------------------------------------------------------------------ */

static void test_version(struct tap *t)
{
	struct client c = { .next_id = 1 };
	uint8_t req[4] = { 0 }, rep[64];
	char json[512] = "";
	int n = -1;

	c.fd = connect_to(srv.path);
	/* anything before VERSION is refused */
	CHECK_EQ(t, cl_call(&c, VFU_CMD_DEVICE_RESET, NULL, 0, NULL, 0), EINVAL);
	CHECK_EQ(t, cl_version(&c, json, sizeof(json)), 0);
	printf("# server caps: %s\n", json);
	CHECK(t, strstr(json, "\"max_msg_fds\":8"));
	CHECK(t, strstr(json, "\"max_data_xfer_size\":1048576"));
	CHECK(t, strstr(json, "\"pgsizes\":4096"));
	CHECK(t, strstr(json, "\"max_dma_maps\":1024"));
	CHECK(t, !strstr(json, "write_multiple"));
	CHECK(t, !strstr(json, "migration"));
	/* only once per connection */
	CHECK_EQ(t, cl_version(&c, NULL, 0), EINVAL);
	cl_close(&c);

	/* no JSON: bare version reply; wrong major: refused */
	c.fd = connect_to(srv.path);
	CHECK_EQ(t, cl_call_fds(&c, VFU_CMD_VERSION, req, 4, NULL, 0, rep,
				sizeof(rep), &n), 0);
	CHECK_EQ(t, n, 4);
	cl_close(&c);
	c.fd = connect_to(srv.path);
	req[0] = 1;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_VERSION, req, 4, NULL, 0), ENOTSUP);
	/* JSON that is not NUL-terminated */
	CHECK_EQ(t, cl_call(&c, VFU_CMD_VERSION, "\0\0\0\0{}", 6, NULL, 0),
		 EINVAL);
	cl_close(&c);
}

/* VERSION with @json (NUL included); the reply's JSON in @out. */
static int version_json(const char *json, char *out, size_t cap)
{
	size_t len = strlen(json) + 1;
	uint8_t *req = calloc(1, 4 + len), rep[512] = { 0 };
	struct client c = { .next_id = 1 };
	int n = 0, ret;

	memcpy(req + 4, json, len);
	c.fd = connect_to(srv.path);
	ret = cl_call_fds(&c, VFU_CMD_VERSION, req, 4 + len, NULL, 0, rep,
			  sizeof(rep) - 1, &n);
	if (!ret && out)
		snprintf(out, cap, "%s", n > 4 ? (char *)rep + 4 : "");
	cl_close(&c);
	free(req);
	return ret;
}

/* The reply's "capabilities" has exactly @n members, @key (if any) = @val. */
static bool caps_are(const char *json, int n, const char *key, int64_t val)
{
	json_object *o = json_tokener_parse(json), *caps, *v;
	bool ok = o && json_object_object_get_ex(o, "capabilities", &caps) &&
		  json_object_is_type(caps, json_type_object) &&
		  json_object_object_length(caps) == n &&
		  (!key || (json_object_object_get_ex(caps, key, &v) &&
			    json_object_get_int64(v) == val));

	if (!ok)
		printf("# reply: %s\n", json);
	json_object_put(o);
	return ok;
}

/*
 * VERSION's JSON is parsed: the reply names only capabilities the client
 * proposed (as members of "capabilities", not anywhere in the text), each
 * at most what the client offered; invalid JSON, trailing garbage and
 * values of the wrong type are refused.
 */
static void test_version_json(struct tap *t)
{
	char out[512];

	CHECK_EQ(t, version_json("{\"capabilities\":{\"max_msg_fds\":4},"
				 "\"note\":\"pgsizes max_dma_maps\","
				 "\"x\":{\"max_data_xfer_size\":1}}",
				 out, sizeof(out)), 0);
	CHECK(t, caps_are(out, 1, "max_msg_fds", 4));
	CHECK_EQ(t, version_json("{\"capabilities\":{\"max_dma_maps\":65535,"
				 "\"pgsizes\":12288,\"write_multiple\":true}}",
				 out, sizeof(out)), 0);
	CHECK(t, caps_are(out, 2, "max_dma_maps", 1024));
	CHECK(t, caps_are(out, 2, "pgsizes", 4096));
	CHECK_EQ(t, version_json("{}", out, sizeof(out)), 0);
	CHECK(t, caps_are(out, 0, NULL, 0));
	CHECK_EQ(t, version_json("{\"capabilities\":", NULL, 0), EINVAL);
	CHECK_EQ(t, version_json("{\"capabilities\":{}} x", NULL, 0), EINVAL);
	CHECK_EQ(t, version_json("{\"capabilities\":{\"pgsizes\":\"4096\"}}",
				 NULL, 0), EINVAL);
	CHECK_EQ(t, version_json("{\"capabilities\":{\"max_msg_fds\":-1}}",
				 NULL, 0), EINVAL);
	CHECK_EQ(t, version_json("{\"capabilities\":{\"pgsizes\":8192}}",
				 NULL, 0), EINVAL);	/* no size in common */
	CHECK_EQ(t, version_json("{\"capabilities\":[]}", NULL, 0), EINVAL);
	CHECK_EQ(t, version_json("[]", NULL, 0), EINVAL);
	/* the server still serves */
	CHECK_EQ(t, version_json(qemu_caps, out, sizeof(out)), 0);
	CHECK(t, caps_are(out, 4, "max_msg_fds", 8));
}

/*
 * The server serves REGION_READ/WRITE of BAR2 (the vfio-user spec has
 * every region it reports accessible by message; QEMU mmaps BAR2 through
 * the region fd instead): any size and alignment inside device memory.
 */
static void test_bar2_messages(struct tap *t)
{
	const uint32_t bar2 = VFIO_PCI_BAR2_REGION_INDEX;
	uint8_t in[7] = { 1, 2, 3, 4, 5, 6, 7 }, out[7] = { 0 };
	uint8_t *hbm = t1_hbm(srv.emu.t1);
	struct client c;

	if (!CHECK(t, cl_open(&c, srv.path)))
		return;
	CHECK_EQ(t, cl_write(&c, bar2, 0x1003, in, 7), 0);
	CHECK(t, !memcmp(hbm + 0x1003, in, 7));
	hbm[0x2001] = 0x5a;
	CHECK_EQ(t, cl_read(&c, bar2, 0x2001, out, 1), 0);
	CHECK_EQ(t, out[0], 0x5a);
	CHECK_EQ(t, cl_read(&c, bar2, (1u << 20) - 4, out, 4), 0);
	/* past the end of device memory */
	CHECK_EQ(t, cl_read(&c, bar2, (1u << 20) - 2, out, 4), EINVAL);
	CHECK_EQ(t, cl_write(&c, bar2, 1u << 20, in, 1), EINVAL);
	cl_close(&c);
}

static void test_device_info(struct tap *t)
{
	struct client c;
	uint32_t info[4] = { 16, 0, 0, 0 };

	if (!CHECK(t, cl_open(&c, srv.path)))
		return;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_DEVICE_GET_INFO, info, 16, info, 16), 0);
	CHECK_EQ(t, info[0], 16);
	CHECK_EQ(t, info[1], VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI);
	CHECK_EQ(t, info[2], VFIO_PCI_NUM_REGIONS);
	CHECK_EQ(t, info[3], VFIO_PCI_MSIX_IRQ_INDEX + 1);
	cl_close(&c);
}

static void test_region_info(struct tap *t)
{
	static const struct { uint32_t index; uint64_t size; } want[] = {
		{ CFG, 4096 }, { BAR0, 0x10000 }, { 1, 0 }, { 2, 1u << 20 },
		{ VFIO_PCI_ROM_REGION_INDEX, 0 }, { VFIO_PCI_VGA_REGION_INDEX, 0 },
	};
	struct client c;

	if (!CHECK(t, cl_open(&c, srv.path)))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		struct { uint32_t argsz, flags, index, cap; uint64_t size, off; }
			ri = { 32, 0, want[i].index, 0, 0, 0 };

		CHECK_EQ(t, cl_call(&c, VFU_CMD_DEVICE_GET_REGION_INFO, &ri, 32,
				    &ri, 32), 0);
		CHECK_EQ(t, ri.argsz, 32);
		CHECK_EQ(t, ri.index, want[i].index);
		CHECK_EQ(t, ri.size, want[i].size);
		CHECK_EQ(t, ri.flags, (want[i].size ? VFIO_REGION_INFO_FLAG_READ |
						     VFIO_REGION_INFO_FLAG_WRITE : 0) |
			 (want[i].index == 2 ? VFIO_REGION_INFO_FLAG_MMAP : 0));
		CHECK_EQ(t, ri.cap, 0);
	}
	cl_close(&c);
}

/* BAR2's region info carries the HBM memfd; it maps the same memory. */
static void test_bar2_mmap(struct tap *t)
{
	struct { uint32_t argsz, flags, index, cap; uint64_t size, off; }
		ri = { 32, 0, 2, 0, 0, 0 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cb;
	uint8_t rep[64], wr[16 + 8] = { 0 };
	struct vfu_hdr h;
	struct iovec iov[2] = { { &h, sizeof(h) }, { rep, 32 } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2,
			     .msg_control = cb.buf,
			     .msg_controllen = sizeof(cb.buf) };
	struct client c;
	uint64_t v = 0x1122334455667788ull, *map;
	int fd = -1;

	if (!CHECK(t, cl_open(&c, srv.path)))
		return;
	cl_send(&c, VFU_CMD_DEVICE_GET_REGION_INFO, 0, &ri, 32, NULL, 0);
	CHECK_EQ(t, recvmsg(c.fd, &mh, MSG_WAITALL), 48);
	if (CMSG_FIRSTHDR(&mh))
		memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(fd));
	if (CHECK(t, fd >= 0)) {
		/* REGION_WRITE at offset 0x100 of BAR2, seen through mmap */
		uint64_t off = 0x100;
		uint32_t meta[2] = { 2, 8 };

		memcpy(wr, &off, 8);
		memcpy(wr + 8, meta, 8);
		memcpy(wr + 16, &v, 8);
		CHECK_EQ(t, cl_call(&c, VFU_CMD_REGION_WRITE, wr, 24, NULL, 0), 0);
		map = mmap(NULL, 1u << 20, PROT_READ, MAP_SHARED, fd, 0);
		if (CHECK(t, map != MAP_FAILED)) {
			CHECK_EQ(t, map[0x100 / 8], v);
			munmap(map, 1u << 20);
		}
		close(fd);
	}
	cl_close(&c);
}

static void test_irq_info(struct tap *t)
{
	struct client c;
	uint32_t ii[4] = { 16, 0, VFIO_PCI_MSIX_IRQ_INDEX, 0 };

	if (!CHECK(t, cl_open(&c, srv.path)))
		return;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_DEVICE_GET_IRQ_INFO, ii, 16, ii, 16), 0);
	CHECK_EQ(t, ii[1], VFIO_IRQ_INFO_EVENTFD);
	CHECK_EQ(t, ii[2], VFIO_PCI_MSIX_IRQ_INDEX);
	CHECK_EQ(t, ii[3], 2);		/* one ring + error vector */
	ii[2] = VFIO_PCI_INTX_IRQ_INDEX;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_DEVICE_GET_IRQ_INFO, ii, 16, ii, 16), 0);
	CHECK_EQ(t, ii[3], 0);
	ii[2] = VFIO_PCI_ERR_IRQ_INDEX;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_DEVICE_GET_IRQ_INFO, ii, 16, ii, 16),
		 EINVAL);
	cl_close(&c);
}

static void test_config_read(struct tap *t)
{
	static uint8_t cfg[4096];
	uint32_t bar = 0xffffffff;
	struct client c;

	if (!CHECK(t, cl_open(&c, srv.path)))
		return;
	CHECK_EQ(t, rd32(&c, CFG, 0), 0x7e511234);
	CHECK_EQ(t, rd32(&c, CFG, 8) >> 8, 0x120000);
	/* the whole space in one read, as QEMU does */
	CHECK_EQ(t, cl_read(&c, CFG, 0, cfg, sizeof(cfg)), 0);
	CHECK_EQ(t, cfg[0x34], 0x40);
	/* BAR sizing through the socket */
	CHECK_EQ(t, wr32(&c, CFG, 0x10, 0xffffffff), 0);
	CHECK_EQ(t, rd32(&c, CFG, 0x10), 0xffff0000);
	CHECK_EQ(t, cl_read(&c, CFG, 0x11, &bar, 1), 0);
	CHECK_EQ(t, bar & 0xff, 0);
	cl_close(&c);
}

static void test_ring_end_to_end(struct tap *t)
{
	struct guest g;
	uint64_t fence;

	if (!CHECK(t, guest_init(&g)) || !CHECK(t, guest_ring_setup(&g)))
		goto out;
	CHECK(t, guest_submit_fence(&g, 0, 0xabcdef0123456789ull));
	CHECK_EQ(t, ev_wait(g.ev[0], 5000), 1);
	memcpy(&fence, g.mem + FENCE_OFF, 8);
	CHECK_EQ(t, fence, 0xabcdef0123456789ull);
	CHECK_EQ(t, rd32(&g.c, BAR0, RING + TESSERA_RING_FENCE_SEQNO_LO),
		 0x23456789);
	CHECK_EQ(t, rd32(&g.c, BAR0, RING + TESSERA_RING_FENCE_SEQNO_HI),
		 0xabcdef01);
	CHECK_EQ(t, rd32(&g.c, BAR0, RING + TESSERA_RING_HEAD), 1);
	CHECK_EQ(t, rd32(&g.c, BAR0, RING + TESSERA_RING_COMPLETED), 1);
	CHECK_EQ(t, rd32(&g.c, BAR0, TESSERA_REG_INT_STATUS), TESSERA_INT_RING(0));
	CHECK_EQ(t, ev_wait(g.ev[1], 0), 0);
out:
	guest_fini(&g);
}

static void test_posted_write(struct tap *t)
{
	struct rw_msg w = { TESSERA_REG_SCRATCH, BAR0, 4, { 0x78, 0x56, 0x34, 0x12 } };
	struct rw_msg r = { TESSERA_REG_SCRATCH, BAR0, 4, { 0 } };
	struct rw_msg bad = { 2, BAR0, 4, { 0 } };
	uint8_t rep[32];
	struct vfu_hdr h;
	struct client c;
	uint16_t id;

	if (!CHECK(t, cl_open(&c, srv.path)))
		return;
	/* no reply for NO_REPLY, not even for an error */
	cl_send(&c, VFU_CMD_REGION_WRITE, VFU_FLAG_NO_REPLY, &bad, 20, NULL, 0);
	cl_send(&c, VFU_CMD_REGION_WRITE, VFU_FLAG_NO_REPLY, &w, 20, NULL, 0);
	id = cl_send(&c, VFU_CMD_REGION_READ, 0, &r, 16, NULL, 0);
	CHECK_EQ(t, cl_recv(&c, &h, rep, sizeof(rep)), 20);
	CHECK_EQ(t, h.msg_id, id);
	CHECK_EQ(t, h.flags, VFU_FLAG_TYPE_REPLY);
	CHECK(t, !memcmp(rep + 16, w.data, 4));
	cl_close(&c);
}

static void test_dma_fault_and_unmap(struct tap *t)
{
	struct guest g;

	if (!CHECK(t, guest_init(&g)) || !CHECK(t, guest_ring_setup(&g)))
		goto out;
	CHECK_EQ(t, cl_dma_unmap(&g.c, MEM_IOVA, MEM_SIZE, 0), 0);
	CHECK_EQ(t, cl_dma_unmap(&g.c, MEM_IOVA, MEM_SIZE, 0), ENOENT);
	CHECK(t, guest_submit_fence(&g, 0, 1));
	CHECK_EQ(t, ev_wait(g.ev[1], 5000), 1);
	CHECK_EQ(t, rd32(&g.c, BAR0, TESSERA_REG_ERR_CODE), TESSERA_ERR_DMA_FAULT);
	CHECK_EQ(t, rd32(&g.c, BAR0, TESSERA_REG_ERR_ADDR_LO), (uint32_t)MEM_IOVA);
	CHECK_EQ(t, ev_wait(g.ev[0], 0), 0);
	/* UNMAP_ALL */
	CHECK_EQ(t, cl_dma_map(&g.c, MEM_IOVA, MEM_SIZE, 0, &g.memfd, 1), 0);
	CHECK_EQ(t, cl_dma_map(&g.c, 0, 0x1000, 0, NULL, 0), 0);
	CHECK_EQ(t, cl_dma_unmap(&g.c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL), 0);
	CHECK_EQ(t, cl_dma_unmap(&g.c, 0, 0x1000, 0), ENOENT);
	CHECK_EQ(t, cl_dma_unmap(&g.c, MEM_IOVA, MEM_SIZE, 0), ENOENT);
out:
	guest_fini(&g);
}

static void test_device_reset_msg(struct tap *t)
{
	struct guest g;

	if (!CHECK(t, guest_init(&g)) || !CHECK(t, guest_ring_setup(&g)))
		goto out;
	CHECK(t, guest_submit_fence(&g, 0, 5));
	CHECK_EQ(t, ev_wait(g.ev[0], 5000), 1);
	CHECK_EQ(t, wr32(&g.c, CFG, 0x10, 0xfe000000), 0);
	CHECK_EQ(t, cl_call(&g.c, VFU_CMD_DEVICE_RESET, NULL, 0, NULL, 0), 0);
	CHECK_EQ(t, rd32(&g.c, BAR0, TESSERA_REG_INT_MASK), 0xffffffff);
	CHECK_EQ(t, rd32(&g.c, BAR0, TESSERA_REG_INT_STATUS), 0);
	CHECK_EQ(t, rd32(&g.c, BAR0, RING + TESSERA_RING_DESC_BASE_LO), 0);
	CHECK_EQ(t, rd32(&g.c, BAR0, RING + TESSERA_RING_COMPLETED), 0);
	CHECK_EQ(t, rd32(&g.c, CFG, 0x10), 0);
	/* DMA maps and eventfds survive a device reset */
	CHECK(t, guest_ring_setup(&g));
	CHECK(t, guest_submit_fence(&g, 0, 6));
	CHECK_EQ(t, ev_wait(g.ev[0], 5000), 1);
	/* payload on DEVICE_RESET */
	CHECK_EQ(t, cl_call(&g.c, VFU_CMD_DEVICE_RESET, "x", 1, NULL, 0), EINVAL);
out:
	guest_fini(&g);
}

static void test_set_irqs(struct tap *t)
{
	const uint32_t fd_trig = VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER;
	const uint32_t none_trig = VFIO_IRQ_SET_DATA_NONE |
				   VFIO_IRQ_SET_ACTION_TRIGGER;
	struct irq_set_msg b = { 22, VFIO_IRQ_SET_DATA_BOOL |
			VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSIX_IRQ_INDEX,
			0, 2, { 0, 1 } };
	const uint32_t msix = VFIO_PCI_MSIX_IRQ_INDEX;
	struct guest g;

	if (!CHECK(t, guest_init(&g)))
		goto out;
	/* the client can trigger vectors itself */
	CHECK_EQ(t, cl_set_irqs(&g.c, none_trig, msix, 1, 1, NULL, 0), 0);
	CHECK_EQ(t, ev_wait(g.ev[1], 1000), 1);
	CHECK_EQ(t, cl_call(&g.c, VFU_CMD_DEVICE_SET_IRQS, &b, 22, NULL, 0), 0);
	CHECK_EQ(t, ev_wait(g.ev[1], 1000), 1);
	CHECK_EQ(t, ev_wait(g.ev[0], 0), 0);
	/* BOOL data missing */
	CHECK_EQ(t, cl_call(&g.c, VFU_CMD_DEVICE_SET_IRQS, &b, 21, NULL, 0),
		 EINVAL);
	/* de-assign vector 1 (no fds), then it no longer fires */
	CHECK_EQ(t, cl_set_irqs(&g.c, fd_trig, msix, 1, 1, NULL, 0), 0);
	CHECK_EQ(t, cl_set_irqs(&g.c, none_trig, msix, 1, 1, NULL, 0), 0);
	CHECK_EQ(t, ev_wait(g.ev[1], 50), 0);
	/* count 0 + DATA_NONE disables the whole index */
	CHECK_EQ(t, cl_set_irqs(&g.c, none_trig, msix, 0, 0, NULL, 0), 0);
	CHECK_EQ(t, cl_set_irqs(&g.c, none_trig, msix, 0, 1, NULL, 0), 0);
	CHECK_EQ(t, ev_wait(g.ev[0], 50), 0);
	/* malformed */
	CHECK_EQ(t, cl_set_irqs(&g.c, fd_trig, msix, 1, 2, g.ev, 2), EINVAL);
	CHECK_EQ(t, cl_set_irqs(&g.c, fd_trig, msix, 0, 2, g.ev, 1), EINVAL);
	CHECK_EQ(t, cl_set_irqs(&g.c, VFIO_IRQ_SET_DATA_NONE |
				VFIO_IRQ_SET_ACTION_MASK, msix, 0, 1, NULL, 0),
		 EINVAL);
	CHECK_EQ(t, cl_set_irqs(&g.c, fd_trig | VFIO_IRQ_SET_DATA_BOOL, msix,
				0, 1, g.ev, 1), EINVAL);
	CHECK_EQ(t, cl_set_irqs(&g.c, none_trig, 7, 0, 0, NULL, 0), EINVAL);
	CHECK_EQ(t, cl_set_irqs(&g.c, none_trig, VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
				NULL, 0), EINVAL);
	CHECK_EQ(t, cl_set_irqs(&g.c, none_trig, msix, 0, 1, g.ev, 1), EINVAL);
	CHECK_EQ(t, cl_call(&g.c, VFU_CMD_DEVICE_SET_IRQS, &b, 19, NULL, 0),
		 EINVAL);
	/* re-assign and a device interrupt arrives */
	CHECK_EQ(t, cl_set_irqs(&g.c, fd_trig, msix, 0, 2, g.ev, 2), 0);
	CHECK(t, guest_ring_setup(&g));
	CHECK(t, guest_submit_fence(&g, 0, 5));
	CHECK_EQ(t, ev_wait(g.ev[0], 5000), 1);
out:
	guest_fini(&g);
}

/* SET_IRQS takes eventfds only: a pipe, a memfd or a socket is refused. */
static void test_set_irqs_not_eventfd(struct tap *t)
{
	const uint32_t fd_trig = VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER;
	const uint32_t msix = VFIO_PCI_MSIX_IRQ_INDEX;
	int p[2] = { -1, -1 }, mfd, fds[2];
	struct guest g;

	if (!CHECK(t, guest_init(&g)) || !CHECK(t, !pipe(p)))
		goto out;
	mfd = memfd_create("not-an-eventfd", MFD_CLOEXEC);
	CHECK_EQ(t, cl_set_irqs(&g.c, fd_trig, msix, 0, 1, &p[1], 1), EINVAL);
	CHECK_EQ(t, cl_set_irqs(&g.c, fd_trig, msix, 0, 1, &mfd, 1), EINVAL);
	CHECK_EQ(t, cl_set_irqs(&g.c, fd_trig, msix, 0, 1, &g.c.fd, 1), EINVAL);
	/* one bad fd among good ones: nothing is assigned */
	fds[0] = g.ev[0];
	fds[1] = p[0];
	CHECK_EQ(t, cl_set_irqs(&g.c, fd_trig, msix, 0, 2, fds, 2), EINVAL);
	close(mfd);
	/* the eventfds still work */
	CHECK(t, guest_ring_setup(&g));
	CHECK(t, guest_submit_fence(&g, 0, 9));
	CHECK_EQ(t, ev_wait(g.ev[0], 5000), 1);
out:
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]);
	}
	guest_fini(&g);
}

static void test_dma_map_errors(struct tap *t)
{
	struct dma_map_msg m = { sizeof(m), VFIO_DMA_MAP_FLAG_READ, 0,
				 0x100000, 0x1000 };
	struct guest g;
	int small, fds[2];

	if (!CHECK(t, guest_init(&g)))
		goto out;
	small = memfd_create("small", MFD_CLOEXEC);
	CHECK(t, !ftruncate(small, 0x1000));
	fds[0] = fds[1] = small;
	CHECK_EQ(t, cl_dma_map(&g.c, MEM_IOVA + 0x1000, 0x1000, 0, NULL, 0),
		 EEXIST);
	CHECK_EQ(t, cl_dma_map(&g.c, 0x100000, 0x2000, 0, &small, 1), EINVAL);
	CHECK_EQ(t, cl_dma_map(&g.c, 0x100000, 0x1000, 0x1000, &small, 1),
		 EINVAL);
	CHECK_EQ(t, cl_dma_map(&g.c, 0x100000, 0x1000, 0, fds, 2), EINVAL);
	CHECK_EQ(t, cl_dma_map(&g.c, 0x100000, 0, 0, NULL, 0), EINVAL);
	m.flags = 0x10;
	CHECK_EQ(t, cl_call(&g.c, VFU_CMD_DMA_MAP, &m, sizeof(m), NULL, 0),
		 EINVAL);
	m.flags = VFIO_DMA_MAP_FLAG_READ;
	m.argsz = 16;
	CHECK_EQ(t, cl_call(&g.c, VFU_CMD_DMA_MAP, &m, sizeof(m), NULL, 0),
		 EINVAL);
	CHECK_EQ(t, cl_call(&g.c, VFU_CMD_DMA_MAP, &m, 24, NULL, 0), EINVAL);
	CHECK_EQ(t, cl_dma_map(&g.c, 0x100000, 0x1000, 0, &small, 1), 0);
	CHECK_EQ(t, cl_dma_unmap(&g.c, 0x100000, 0x1000, 0), 0);
	close(small);
out:
	guest_fini(&g);
}

static void test_malformed_requests(struct tap *t)
{
	struct rw_msg rw = { 0, CFG, 4, { 0 } };
	uint32_t info[4] = { 4, 0, 0, 0 };
	struct client c;
	int fds[12], base;

	/* The VERSION reply means the previous client is cleaned up. */
	if (!CHECK(t, cl_open(&c, srv.path)))
		return;
	base = count_fds();
	CHECK_EQ(t, cl_call(&c, 99, NULL, 0, NULL, 0), EOPNOTSUPP);
	CHECK_EQ(t, cl_call(&c, VFU_CMD_DMA_READ, NULL, 0, NULL, 0), EOPNOTSUPP);
	CHECK_EQ(t, cl_call(&c, VFU_CMD_REGION_WRITE_MULTI, NULL, 0, NULL, 0),
		 EOPNOTSUPP);
	/* bad argsz, short payloads */
	CHECK_EQ(t, cl_call(&c, VFU_CMD_DEVICE_GET_INFO, info, 16, NULL, 0),
		 EINVAL);
	CHECK_EQ(t, cl_call(&c, VFU_CMD_DEVICE_GET_INFO, info, 8, NULL, 0),
		 EINVAL);
	info[0] = 16;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_DEVICE_GET_REGION_INFO, info, 16, NULL,
			    0), EINVAL);
	CHECK_EQ(t, cl_call(&c, VFU_CMD_DMA_UNMAP, info, 16, NULL, 0), EINVAL);
	/* region index and range */
	rw.region = 12;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_REGION_READ, &rw, 16, NULL, 0), EINVAL);
	rw.region = 1;					/* absent BAR */
	CHECK_EQ(t, cl_call(&c, VFU_CMD_REGION_READ, &rw, 16, NULL, 0), EINVAL);
	rw.region = CFG;
	rw.offset = 4094;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_REGION_READ, &rw, 16, NULL, 0), EINVAL);
	rw.offset = UINT64_MAX - 1;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_REGION_READ, &rw, 16, NULL, 0), EINVAL);
	rw.offset = 0;
	rw.count = 0;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_REGION_READ, &rw, 16, NULL, 0), EINVAL);
	rw.count = VFU_MAX_DATA_XFER + 4;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_REGION_READ, &rw, 16, NULL, 0), EINVAL);
	rw.count = 4;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_REGION_WRITE, &rw, 18, NULL, 0), EINVAL);
	CHECK_EQ(t, cl_call(&c, VFU_CMD_REGION_READ, &rw, 8, NULL, 0), EINVAL);
	/* BAR0: 32-bit aligned registers only */
	rw.region = BAR0;
	rw.count = 2;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_REGION_READ, &rw, 16, NULL, 0), EINVAL);
	rw.count = 4;
	rw.offset = 1;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_REGION_READ, &rw, 16, NULL, 0), EINVAL);
	rw.offset = 0xfffc;
	CHECK_EQ(t, cl_call(&c, VFU_CMD_REGION_READ, &rw, 16, NULL, 0), 0);
	/* fds where none belong, and too many fds */
	for (int i = 0; i < 12; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	CHECK_EQ(t, cl_call_fds(&c, VFU_CMD_DEVICE_GET_INFO, info, 16, fds, 1,
				NULL, 0, NULL), EINVAL);
	CHECK_EQ(t, cl_set_irqs(&c, VFIO_IRQ_SET_DATA_EVENTFD |
				VFIO_IRQ_SET_ACTION_TRIGGER,
				VFIO_PCI_MSIX_IRQ_INDEX, 0, 12, fds, 12), EINVAL);
	for (int i = 0; i < 12; i++)
		close(fds[i]);
	/* still serving, and every received fd was closed */
	CHECK_EQ(t, rd32(&c, CFG, 0), 0x7e511234);
	CHECK_EQ(t, count_fds(), base);
	cl_close(&c);
}

/* Send raw bytes, then expect an error reply (if @err) and a disconnect. */
static void framing_case(struct tap *t, const void *buf, size_t len,
			 uint32_t err)
{
	struct client c = { .next_id = 1 };
	struct vfu_hdr h;

	if (!CHECK(t, cl_open(&c, srv.path)))
		return;
	CHECK_EQ(t, send_raw(c.fd, buf, len, NULL, 0), 0);
	if (err) {
		CHECK_EQ(t, cl_recv(&c, &h, NULL, 0), 0);
		CHECK(t, h.flags & VFU_FLAG_ERROR);
		CHECK_EQ(t, h.error, err);
		CHECK_EQ(t, cl_recv(&c, &h, NULL, 0), -ENOTCONN);
	}
	cl_close(&c);
	/* the server takes the next client */
	CHECK(t, cl_open(&c, srv.path));
	CHECK_EQ(t, rd32(&c, CFG, 0), 0x7e511234);
	cl_close(&c);
}

static void test_framing_errors(struct tap *t)
{
	struct vfu_hdr small = { 1, VFU_CMD_DEVICE_GET_INFO, 8, 0, 0 };
	struct vfu_hdr big = { 2, VFU_CMD_REGION_WRITE, 64u << 20, 0, 0 };
	struct vfu_hdr huge = { 3, VFU_CMD_REGION_WRITE, UINT32_MAX, 0, 0 };

	framing_case(t, &small, sizeof(small), EINVAL);
	framing_case(t, &big, sizeof(big), E2BIG);
	framing_case(t, &huge, sizeof(huge), E2BIG);
	framing_case(t, &small, 8, 0);		/* truncated header */
}

static void test_disconnect_mid_stream(struct tap *t)
{
	struct vfu_hdr h = { 9, VFU_CMD_REGION_WRITE, 100, 0, 0 };
	uint8_t junk[20] = { 0 };
	struct client c;
	struct guest g;
	int base;

	/* baseline: one connected client (client and server sockets) */
	if (!CHECK(t, cl_open(&c, srv.path)))
		return;
	base = count_fds();
	cl_close(&c);

	if (!CHECK(t, guest_init(&g)) || !CHECK(t, guest_ring_setup(&g)))
		goto out;
	CHECK(t, guest_submit_fence(&g, 0, 11));
	CHECK_EQ(t, ev_wait(g.ev[0], 5000), 1);
	/* half a message, then gone, with maps and eventfds in place */
	send_raw(g.c.fd, &h, sizeof(h), NULL, 0);
	send_raw(g.c.fd, junk, sizeof(junk), NULL, 0);
out:
	guest_fini(&g);

	CHECK(t, cl_open(&c, srv.path));
	/* the device was reset and the old client's resources released */
	CHECK_EQ(t, rd32(&c, BAR0, TESSERA_REG_INT_MASK), 0xffffffff);
	CHECK_EQ(t, rd32(&c, BAR0, RING + TESSERA_RING_COMPLETED), 0);
	CHECK_EQ(t, count_fds(), base);
	cl_close(&c);
}

static void test_listen_path(struct tap *t)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vfu_ctx *ctx = vfu_create();
	struct client c;
	char path[96];
	int fd;

	/* a live server's socket is not taken over */
	CHECK_EQ(t, vfu_listen(ctx, srv.path), -EADDRINUSE);
	/* a stale one is */
	snprintf(path, sizeof(path), "%s/stale.sock", srv.dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(t, !bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	close(fd);
	CHECK_EQ(t, vfu_listen(ctx, path), 0);
	vfu_destroy(ctx);
	CHECK_EQ(t, access(path, F_OK), -1);
	/* and other files are left alone */
	ctx = vfu_create();
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	close(fd);
	CHECK_EQ(t, vfu_listen(ctx, path), -EEXIST);
	CHECK_EQ(t, access(path, F_OK), 0);
	unlink(path);
	vfu_destroy(ctx);
	/* the probe connection did not upset the server */
	if (CHECK(t, cl_open(&c, srv.path))) {
		CHECK_EQ(t, rd32(&c, CFG, 0), 0x7e511234);
		cl_close(&c);
	}
}

/* Spawn the tessera-emu binary, talk to it, stop it with SIGTERM. */
static void test_binary(struct tap *t)
{
	char path[160], line[256] = "", want[256];
	int out[2], status = 0;
	struct client c;
	struct stat st;
	FILE *f;
	pid_t pid;

	if (!srv.emu_bin) {
		t->skip = "no tessera-emu binary given";
		return;
	}
	snprintf(path, sizeof(path), "%s/emu.sock", srv.dir);
	if (!CHECK(t, !pipe(out)))
		return;
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		execl(srv.emu_bin, srv.emu_bin, "--socket", path, "--rings", "2",
		      "--serial", "0x5e71a1", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	f = fdopen(out[0], "r");
	CHECK(t, f && fgets(line, sizeof(line), f));
	snprintf(want, sizeof(want), "tessera-emu: listening on %s\n", path);
	CHECK(t, !strcmp(line, want));

	if (CHECK(t, cl_open(&c, path))) {
		uint32_t ii[4] = { 16, 0, VFIO_PCI_MSIX_IRQ_INDEX, 0 };

		CHECK_EQ(t, rd32(&c, BAR0, TESSERA_REG_SERIAL), 0x5e71a1);
		CHECK_EQ(t, rd32(&c, BAR0, TESSERA_REG_ENGINES), 2);
		CHECK_EQ(t, cl_call(&c, VFU_CMD_DEVICE_GET_IRQ_INFO, ii, 16,
				    ii, 16), 0);
		CHECK_EQ(t, ii[3], 3);
		CHECK_EQ(t, rd32(&c, CFG, T1_CAP_MSIX) >> 16, 2);

		/* SIGUSR1: the card falls off the bus, the server stays up. */
		kill(pid, SIGUSR1);
		for (int i = 0; i < 100 && rd32(&c, BAR0, TESSERA_REG_ID) != 0xffffffff; i++)
			usleep(10000);
		CHECK_EQ(t, rd32(&c, BAR0, TESSERA_REG_ID), 0xffffffff);
		CHECK_EQ(t, rd32(&c, BAR0, TESSERA_REG_SERIAL), 0xffffffff);
		CHECK_EQ(t, rd32(&c, CFG, 0), 0xffffffff);
		cl_close(&c);
	}
	kill(pid, SIGTERM);
	CHECK_EQ(t, waitpid(pid, &status, 0), pid);
	CHECK(t, WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(t, stat(path, &st) && errno == ENOENT);
	if (f)
		fclose(f);
}

/*
 * A client that asks for big BAR2 reads and stops reading the replies
 * leaves the server blocked sending; SIGTERM must still stop it.
 */
static void test_sigterm_blocked_send(struct tap *t)
{
	struct rw_msg m = { .offset = 0, .region = VFIO_PCI_BAR2_REGION_INDEX,
			    .count = 1u << 20 };
	int status = 0, waited = 0;
	char path[160];
	struct client c;
	pid_t pid, w = 0;

	if (!srv.emu_bin) {
		t->skip = "no tessera-emu binary given";
		return;
	}
	snprintf(path, sizeof(path), "%s/emu-stuck.sock", srv.dir);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execl(srv.emu_bin, srv.emu_bin, "--socket", path, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && access(path, F_OK); i++)
		usleep(20000);
	if (CHECK(t, cl_open(&c, path))) {
		/* 32 MiB of replies: far more than the socket buffers hold */
		for (int i = 0; i < 32; i++)
			cl_send(&c, VFU_CMD_REGION_READ, 0, &m, 16, NULL, 0);
		usleep(300 * 1000);
		kill(pid, SIGTERM);
		while (waited < 5000 && (w = waitpid(pid, &status, WNOHANG)) == 0) {
			usleep(10000);
			waited += 10;
		}
		CHECK_EQ(t, w, pid);
		if (w == pid)
			CHECK(t, WIFEXITED(status) && WEXITSTATUS(status) == 0);
		else
			printf("# server still running 5 s after SIGTERM\n");
		cl_close(&c);
	}
	if (w != pid) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	unlink(path);
}

static const struct tap_test tests[] = {
	{ "VERSION negotiation", test_version },
	{ "VERSION JSON parsed, reply a subset of the proposal",
	  test_version_json },
	{ "DEVICE_GET_INFO", test_device_info },
	{ "GET_REGION_INFO", test_region_info },
	{ "BAR2 mmap through the region fd", test_bar2_mmap },
	{ "BAR2 reads and writes by message", test_bar2_messages },
	{ "GET_IRQ_INFO", test_irq_info },
	{ "config space reads and BAR sizing", test_config_read },
	{ "ring, fence and MSI-X eventfd end to end", test_ring_end_to_end },
	{ "posted writes get no reply", test_posted_write },
	{ "DMA_UNMAP, then a DMA fault", test_dma_fault_and_unmap },
	{ "DEVICE_RESET", test_device_reset_msg },
	{ "SET_IRQS", test_set_irqs },
	{ "SET_IRQS refuses fds that are not eventfds", test_set_irqs_not_eventfd },
	{ "DMA_MAP errors", test_dma_map_errors },
	{ "malformed requests get error replies", test_malformed_requests },
	{ "framing errors close the connection", test_framing_errors },
	{ "client disconnects mid-message", test_disconnect_mid_stream },
	{ "listening replaces only stale sockets", test_listen_path },
	{ "tessera-emu binary: ready line, SIGUSR1 removal, SIGTERM", test_binary },
	{ "SIGTERM stops a server blocked sending to a stuck client",
	  test_sigterm_blocked_send },
};

static void *server_main(void *arg)
{
	struct server *s = arg;

	s->run_ret = vfu_run(s->emu.vfu, s->stop_fd, false);
	return NULL;
}

static int server_start(struct server *s)
{
	struct t1_config cfg = {
		.ncompute = 1, .serial = 1, .hbm_size = 1u << 20,
	};

	snprintf(s->dir, sizeof(s->dir), "/tmp/tessera-test-XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(s->path, sizeof(s->path), "%s/t1.sock", s->dir);
	s->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (s->stop_fd < 0 || emu_init(&s->emu, &cfg, getenv("TESSERA_EMU_VERBOSE")))
		return -1;
	if (vfu_listen(s->emu.vfu, s->path))
		return -1;
	return pthread_create(&s->thread, NULL, server_main, s) ? -1 : 0;
}

static int server_stop(struct server *s)
{
	uint64_t one = 1;

	if (write(s->stop_fd, &one, sizeof(one)) != sizeof(one))
		return -1;
	pthread_join(s->thread, NULL);
	emu_fini(&s->emu);
	close(s->stop_fd);
	rmdir(s->dir);
	return s->run_ret;
}

int main(int argc, char **argv)
{
	int ret;

	signal(SIGPIPE, SIG_IGN);
	srv.emu_bin = argc > 1 ? argv[1] : NULL;
	if (server_start(&srv)) {
		perror("server setup");
		return 1;
	}
	ret = tap_run(tests, ARRAY_SIZE(tests));
	if (server_stop(&srv)) {
		printf("# server exited with an error\n");
		ret = 1;
	}
	return ret;
}
