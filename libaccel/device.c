// SPDX-License-Identifier: MIT
/*
 * libaccel: device enumeration, open and close, queries, error strings.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "accel_priv.h"

#define ACCEL_MAX_DEVICES 64

_Static_assert(ACCEL_CAP_DEVICE_MEM == DRM_TESSERA_CAP_DEVICE_MEM &&
	       ACCEL_CAP_EXEC_PERM == DRM_TESSERA_CAP_EXEC_PERM &&
	       ACCEL_CAP_HUGE_PAGES == DRM_TESSERA_CAP_HUGE_PAGES &&
	       ACCEL_CAP_SPARSE == DRM_TESSERA_CAP_SPARSE &&
	       ACCEL_CAP_FAULT_INJECT == DRM_TESSERA_CAP_FAULT_INJECT &&
	       ACCEL_CAP_TRAIN == DRM_TESSERA_CAP_TRAIN,
	       "capabilities follow the uapi");

ACCEL_EXPORT const char *accel_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case ENODEV:
		return "no such accelerator, or it is gone";
	case EPROTO:
		return "the tessera driver speaks another uAPI than libaccel 2 "
		       "(DRM_IOCTL_VERSION major is not 2)";
	case ETIME:
		return "timed out waiting for the accelerator";
	case EIO:
		return "the job failed on the accelerator";
	case EFAULT:
		return "the job faulted on the accelerator (see accel_vm_status)";
	case ENOSPC:
		return "command buffer or address space is full";
	case ECANCELED:
		return "the job was cancelled (its VM is guilty, or the engine was reset)";
	default:
		return strerror(err);
	}
}

/* Is /sys/class/accel/@name bound to the tessera driver? */
static int accel_sysfs_is_tessera(const char *name)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/class/accel/%s/device/driver", name);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	base = strrchr(target, '/');
	return strcmp(base ? base + 1 : target, ACCEL_DRIVER) == 0;
}

static int accel_minor_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Minor numbers of the tessera accel nodes, sorted; returns the count. */
static int accel_list_minors(int *minors, int max)
{
	struct dirent *de;
	int count = 0;
	DIR *dir;

	dir = opendir("/sys/class/accel");
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir))) {
		unsigned int minor;
		char tail;

		if (sscanf(de->d_name, "accel%u%c", &minor, &tail) != 1)
			continue;
		if (!accel_sysfs_is_tessera(de->d_name) || count == max)
			continue;
		minors[count++] = (int)minor;
	}
	closedir(dir);
	qsort(minors, count, sizeof(*minors), accel_minor_cmp);
	return count;
}

ACCEL_EXPORT int accel_device_count(void)
{
	int minors[ACCEL_MAX_DEVICES];

	return accel_list_minors(minors, ACCEL_MAX_DEVICES);
}

ACCEL_EXPORT int accel_device_open(unsigned int index, struct accel_device **out)
{
	int minors[ACCEL_MAX_DEVICES];
	char path[64];
	int count;

	count = accel_list_minors(minors, ACCEL_MAX_DEVICES);
	if (count < 0)
		return count;
	if (index >= (unsigned int)count)
		return -ENODEV;
	snprintf(path, sizeof(path), "/dev/accel/accel%d", minors[index]);
	return accel_device_open_path(path, out);
}

int accel_param(struct accel_device *dev, uint32_t param, uint64_t *value)
{
	struct drm_tessera_get_param gp = { .param = param };
	int ret = accel_ioctl(dev->fd, DRM_IOCTL_TESSERA_GET_PARAM, &gp);

	if (!ret)
		*value = gp.value;
	return ret;
}

/* The tessera driver, speaking uAPI 2?  0, -ENODEV or -EPROTO. */
static int accel_check_driver(int fd)
{
	drmVersionPtr ver = drmGetVersion(fd);
	int ret;

	if (!ver)
		return -ENODEV;
	if (strcmp(ver->name, ACCEL_DRIVER))
		ret = -ENODEV;
	else if (ver->version_major != DRM_TESSERA_ABI_MAJOR)
		ret = -EPROTO;
	else
		ret = 0;
	drmFreeVersion(ver);
	return ret;
}

static int accel_device_params(struct accel_device *dev)
{
	uint64_t v;
	int ret;

#define PARAM(p, field) do {					\
		ret = accel_param(dev, DRM_TESSERA_PARAM_##p, &v);	\
		if (ret)						\
			return ret;					\
		dev->field = v;						\
	} while (0)
	PARAM(CAPABILITIES, capabilities);
	PARAM(VA_START, va_start);
	PARAM(VA_END, va_end);
	PARAM(CMD_SIZE_MAX, cmd_size_max);
	PARAM(NUM_ENGINES, num_engines);
	PARAM(NUM_COMPUTE_ENGINES, num_compute_engines);
#undef PARAM
	if (dev->va_end <= dev->va_start || !dev->num_engines || dev->num_engines > 1024)
		return -ENODEV;
	return 0;
}

ACCEL_EXPORT int accel_device_open_path(const char *path, struct accel_device **out)
{
	struct accel_device *dev;
	int fd, ret;

	if (!path || !out || strlen(path) >= sizeof(dev->path))
		return -EINVAL;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = accel_check_driver(fd);
	if (ret)
		goto err_close;

	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		ret = -ENOMEM;
		goto err_close;
	}
	dev->fd = fd;
	snprintf(dev->path, sizeof(dev->path), "%s", path);
	ret = accel_device_params(dev);
	if (ret)
		goto err_free;
	dev->engine_queue = calloc(dev->num_engines, sizeof(*dev->engine_queue));
	if (!dev->engine_queue) {
		ret = -ENOMEM;
		goto err_free;
	}
	if (pthread_mutex_init(&dev->lock, NULL)) {
		ret = -ENOMEM;
		goto err_queues;
	}
	if (pthread_mutex_init(&dev->bo_lock, NULL)) {
		ret = -ENOMEM;
		goto err_lock;
	}
	ret = accel_vm_new(dev, true, &dev->default_vm);
	if (ret)
		goto err_bo_lock;
	*out = dev;
	return 0;

err_bo_lock:
	pthread_mutex_destroy(&dev->bo_lock);
err_lock:
	pthread_mutex_destroy(&dev->lock);
err_queues:
	free(dev->engine_queue);
err_free:
	free(dev);
err_close:
	close(fd);
	return ret;
}

ACCEL_EXPORT void accel_device_close(struct accel_device *dev)
{
	uint32_t i;

	if (!dev)
		return;
	for (i = 0; i < dev->num_engines; i++)
		accel_queue_destroy(dev->engine_queue[i]);
	accel_vm_put(dev->default_vm);
	pthread_mutex_destroy(&dev->bo_lock);
	pthread_mutex_destroy(&dev->lock);
	free(dev->engine_queue);
	close(dev->fd);
	free(dev);
}

ACCEL_EXPORT int accel_device_fd(const struct accel_device *dev)
{
	return dev->fd;
}

/* PCI slot of the device behind an accel node, from its sysfs link. */
static void accel_pci_slot(const struct accel_device *dev, char *slot, size_t len)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *name = strrchr(dev->path, '/');
	const char *base;
	ssize_t n;

	slot[0] = '\0';
	snprintf(link, sizeof(link), "/sys/class/accel/%s/device", name ? name + 1 : dev->path);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) < len)
		memcpy(slot, base, strlen(base) + 1);
}

ACCEL_EXPORT int accel_device_query(struct accel_device *dev, struct accel_device_info *info)
{
	struct accel_device_info i = { .size = sizeof(i), .pci_vendor_id = 0x1234 };
	drmVersionPtr ver;
	uint32_t size;
	uint64_t v;
	int ret;

	if (!dev || !info)
		return -EINVAL;
	memcpy(&size, info, sizeof(size));
	if (size < ACCEL_DEVICE_INFO_SIZE_2_0)
		return -EINVAL;
#define PARAM(p, field) do {					\
		ret = accel_param(dev, DRM_TESSERA_PARAM_##p, &v);	\
		if (ret)						\
			return ret;					\
		i.field = v;						\
	} while (0)
	PARAM(DEVICE_ID, pci_device_id);
	PARAM(REVISION, pci_revision);
	PARAM(NUM_ENGINES, num_engines);
	PARAM(NUM_COMPUTE_ENGINES, num_compute_engines);
	PARAM(NUM_DMA_ENGINES, num_dma_engines);
	PARAM(DEVICE_MEM_SIZE, device_memory_size);
	PARAM(SERIAL, serial);
	PARAM(CMD_SIZE_MAX, cmd_size_max);
	PARAM(HW_VERSION, hw_version_minor);
	PARAM(CAPABILITIES, capabilities);
	PARAM(VA_START, va_start);
	PARAM(VA_END, va_end);
	PARAM(PAGE_SIZES, page_sizes);
	PARAM(VMS_PER_FILE_MAX, vms_per_file_max);
	PARAM(NUM_ASIDS, num_asids);
#undef PARAM
	i.hw_version_major = i.hw_version_minor >> 16;
	i.hw_version_minor &= 0xffff;
	accel_pci_slot(dev, i.pci_slot, sizeof(i.pci_slot));

	ver = drmGetVersion(dev->fd);
	if (!ver)
		return -errno ? -errno : -ENODEV;
	snprintf(i.driver_name, sizeof(i.driver_name), "%s", ver->name);
	i.driver_version_major = ver->version_major;
	i.driver_version_minor = ver->version_minor;
	drmFreeVersion(ver);

	return accel_struct_out(info, &i, sizeof(i), ACCEL_DEVICE_INFO_SIZE_2_0);
}
