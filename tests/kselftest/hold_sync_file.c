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
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include "tessera_test.h"

int main(int argc, char **argv)
{
	struct sync_fence_info fi = { 0 };
	struct sync_file_info info = { .num_fences = 1, .sync_fence_info = (uintptr_t)&fi };
	struct drm_tessera_bo_create dev = { .size = 1 << 20, .flags = DRM_TESSERA_BO_DEVICE_MEM };
	int keep = argc > 1 && !strcmp(argv[1], "--keep-open");
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
	printf("holding\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 4;
	if (ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info))
		return 5;
	printf("fence %s/%s status %d\n", fi.driver_name, fi.obj_name, fi.status);
	close(sync_fd);
	if (keep) {
		/* The card may be gone: these fail or not, but must not crash. */
		tessera_bo_close(c.fd, host);
		tessera_bo_close(c.fd, dev.handle);
		munmap(p, size);
		client_close(&c);
	}
	return info.status == 1 && fi.driver_name[0] && fi.obj_name[0] ? 0 : 6;
}
