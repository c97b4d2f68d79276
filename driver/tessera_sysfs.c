// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: sysfs attributes and hwmon sensors.
 *
 * sysfs attributes live on the PCI device (/sys/class/accel/accelN/device/)
 * and are documented in Documentation/admin-guide.rst.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/hwmon.h>
#include <linux/sysfs.h>
#include <drm/drm_drv.h>

#include "tessera_drv.h"

/* Read a register if the card is still there. */
static int tessera_read_live(struct tessera_device *tdev, u32 reg, u32 *val)
{
	int idx;

	if (!tessera_hw_enter(tdev, &idx))
		return -ENODEV;
	*val = tessera_read(tdev, reg);
	tessera_hw_exit(tdev, idx);
	return *val == U32_MAX ? -EIO : 0;
}

static struct tessera_device *dev_to_tessera(struct device *dev)
{
	return pci_get_drvdata(to_pci_dev(dev));
}

static ssize_t hw_version_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct tessera_device *tdev = dev_to_tessera(dev);

	return sysfs_emit(buf, "%u.%u\n", TESSERA_HW_VERSION_MAJOR(tdev->hw_version),
			  TESSERA_HW_VERSION_MINOR(tdev->hw_version));
}
static DEVICE_ATTR_RO(hw_version);

static ssize_t serial_number_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_tessera(dev)->serial);
}
static DEVICE_ATTR_RO(serial_number);

static ssize_t compute_engines_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_tessera(dev)->num_compute);
}
static DEVICE_ATTR_RO(compute_engines);

static ssize_t dma_engines_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_tessera(dev)->num_dma);
}
static DEVICE_ATTR_RO(dma_engines);

static ssize_t device_memory_bytes_show(struct device *dev, struct device_attribute *attr,
					char *buf)
{
	return sysfs_emit(buf, "%llu\n", dev_to_tessera(dev)->hbm_size);
}
static DEVICE_ATTR_RO(device_memory_bytes);

static ssize_t driver_engine_resets_show(struct device *dev, struct device_attribute *attr,
					 char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&dev_to_tessera(dev)->engine_resets));
}
static DEVICE_ATTR_RO(driver_engine_resets);

static ssize_t driver_device_resets_show(struct device *dev, struct device_attribute *attr,
					 char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&dev_to_tessera(dev)->device_resets));
}
static DEVICE_ATTR_RO(driver_device_resets);

#define TESSERA_ATTR_REG(name, reg)						\
static ssize_t name##_show(struct device *dev, struct device_attribute *attr,	\
			   char *buf)						\
{										\
	u32 val;								\
	int ret = tessera_read_live(dev_to_tessera(dev), reg, &val);		\
										\
	return ret ? ret : sysfs_emit(buf, "%u\n", val);			\
}										\
static DEVICE_ATTR_RO(name)

TESSERA_ATTR_REG(ecc_corrected, TESSERA_REG_ECC_CORRECTED);
TESSERA_ATTR_REG(ecc_uncorrected, TESSERA_REG_ECC_UNCORRECTED);
TESSERA_ATTR_REG(engine_resets, TESSERA_REG_ENGINE_RESETS);
TESSERA_ATTR_REG(clock_mhz, TESSERA_REG_CLOCK_MHZ);

static struct attribute *tessera_attrs[] = {
	&dev_attr_hw_version.attr,
	&dev_attr_serial_number.attr,
	&dev_attr_compute_engines.attr,
	&dev_attr_dma_engines.attr,
	&dev_attr_device_memory_bytes.attr,
	&dev_attr_driver_engine_resets.attr,
	&dev_attr_driver_device_resets.attr,
	&dev_attr_ecc_corrected.attr,
	&dev_attr_ecc_uncorrected.attr,
	&dev_attr_engine_resets.attr,
	&dev_attr_clock_mhz.attr,
	NULL
};

static const struct attribute_group tessera_attr_group = {
	.name = "tessera",
	.attrs = tessera_attrs,
};

static umode_t tessera_hwmon_is_visible(const void *data, enum hwmon_sensor_types type,
					u32 attr, int channel)
{
	switch (type) {
	case hwmon_temp:
		return attr == hwmon_temp_input || attr == hwmon_temp_crit ? 0444 : 0;
	case hwmon_power:
		return attr == hwmon_power_input || attr == hwmon_power_cap ? 0444 : 0;
	default:
		return 0;
	}
}

static int tessera_hwmon_read(struct device *dev, enum hwmon_sensor_types type, u32 attr,
			      int channel, long *val)
{
	struct tessera_device *tdev = dev_get_drvdata(dev);
	u32 reg, raw;
	int ret;

	switch (type) {
	case hwmon_temp:
		reg = attr == hwmon_temp_crit ? TESSERA_REG_TEMP_CRIT_MC : TESSERA_REG_TEMP_MC;
		break;
	case hwmon_power:
		reg = attr == hwmon_power_cap ? TESSERA_REG_POWER_CAP_MW : TESSERA_REG_POWER_MW;
		break;
	default:
		return -EOPNOTSUPP;
	}
	ret = tessera_read_live(tdev, reg, &raw);
	if (ret)
		return ret;
	/* hwmon wants millidegrees and microwatts. */
	*val = type == hwmon_power ? (long)raw * 1000 : (long)raw;
	return 0;
}

static const struct hwmon_channel_info *const tessera_hwmon_info[] = {
	HWMON_CHANNEL_INFO(temp, HWMON_T_INPUT | HWMON_T_CRIT),
	HWMON_CHANNEL_INFO(power, HWMON_P_INPUT | HWMON_P_CAP),
	NULL
};

static const struct hwmon_ops tessera_hwmon_ops = {
	.is_visible = tessera_hwmon_is_visible,
	.read = tessera_hwmon_read,
};

static const struct hwmon_chip_info tessera_hwmon_chip = {
	.ops = &tessera_hwmon_ops,
	.info = tessera_hwmon_info,
};

/**
 * tessera_sysfs_init - register sysfs attributes and the hwmon device
 * @tdev: the device
 *
 * Return: 0 or a negative errno.
 */
int tessera_sysfs_init(struct tessera_device *tdev)
{
	struct device *dev = &tdev->pdev->dev;
	struct device *hwmon;
	int ret;

	ret = devm_device_add_group(dev, &tessera_attr_group);
	if (ret)
		return ret;

	hwmon = devm_hwmon_device_register_with_info(dev, DRIVER_NAME, tdev,
						     &tessera_hwmon_chip, NULL);
	return PTR_ERR_OR_ZERO(hwmon);
}
