// SPDX-License-Identifier: GPL-2.0-only
/*
 * Holds a sync_file of a finished job on card $TESSERA_CARD, with the
 * device itself closed, for the guest script's lifetime checks: the
 * module must not unload, and the fence must stay readable after its card
 * is unbound.  Prints "holding" once it holds the fence, then waits for a
 * line on stdin, queries the sync_file (SYNC_IOC_FILE_INFO with the fence
 * names), closes it and exits 0 if the query made sense.
 *
 * With --keep-open it also keeps the device open, with buffers in host and
 * device memory mapped by the CPU and in its context, across whatever the
 * script does meanwhile (an unbind), and closes them all at the end.
 * --share does that too, and meanwhile a second thread creates and
 * exports (PRIME) host buffers in a loop: an export racing the unbind must
 * map nothing for the card once it is gone (the debug tier's DMA-API check
 * reports a mapping left at unbind), and fail with -ENODEV after it.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <stdatomic.h>
#include <stdbool.h>
#include "tessera_test.h"

struct sharer {
	int fd;
	atomic_bool stop;
	int exports;
	int err;	/* the errno that ended the loop; 0 if told to stop */
};

static void *share_loop(void *arg)
{
	struct sharer *s = arg;

	while (!atomic_load(&s->stop)) {
		uint32_t bo;
		int dmabuf;

		if (tessera_bo_create(s->fd, 64 * 1024, &bo)) {
			s->err = errno;
			break;
		}
		if (drmPrimeHandleToFD(s->fd, bo, DRM_CLOEXEC, &dmabuf)) {
			s->err = errno;
			tessera_bo_close(s->fd, bo);
			break;
		}
		close(dmabuf);
		tessera_bo_close(s->fd, bo);
		s->exports++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sync_fence_info fi = { 0 };
	struct sync_file_info info = { .num_fences = 1, .sync_fence_info = (uintptr_t)&fi };
	struct drm_tessera_bo_create dev = { .size = 1 << 20, .flags = DRM_TESSERA_BO_DEVICE_MEM };
	int share = argc > 1 && !strcmp(argv[1], "--share");
	int keep = share || (argc > 1 && !strcmp(argv[1], "--keep-open"));
	struct sharer sh = { 0 };
	pthread_t th;
	uint32_t host = 0, *p = NULL;
	uint64_t size = 0;
	struct client c;
	char line[16];
	int sync_fd;

	if (client_open(&c))
		return 1;
	if (keep) {
		if (tessera_bo_create(c.fd, 1 << 20, &host) ||
		    tessera_ioctl(c.fd, DRM_IOCTL_TESSERA_BO_CREATE, &dev))
			return 7;
		p = tessera_bo_map(c.fd, host, &size);
		if (!p)
			return 8;
		p[0] = 1;
	}
	tessera_fill_nops(c.cmd, 8);
	c.ndw = 8;
	if (run(&c, 0) != 1)
		return 2;
	if (drmSyncobjExportSyncFile(c.fd, c.syncobj, &sync_fd))
		return 3;
	if (!keep)
		client_close(&c);
	sh.fd = c.fd;
	if (share && pthread_create(&th, NULL, share_loop, &sh))
		return 9;
	printf("holding\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 4;
	if (ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info))
		return 5;
	printf("fence %s/%s status %d\n", fi.driver_name, fi.obj_name, fi.status);
	close(sync_fd);
	if (share) {
		atomic_store(&sh.stop, true);
		pthread_join(th, NULL);
		printf("%d buffers exported, then %s\n", sh.exports,
		       sh.err ? strerror(sh.err) : "told to stop");
		if (!sh.exports || sh.err != ENODEV)
			return 10;
	}
	if (keep) {
		/* The card may be gone: these fail or not, but must not crash. */
		tessera_bo_close(c.fd, host);
		tessera_bo_close(c.fd, dev.handle);
		munmap(p, size);
		client_close(&c);
	}
	return info.status == 1 && fi.driver_name[0] && fi.obj_name[0] ? 0 : 6;
}
