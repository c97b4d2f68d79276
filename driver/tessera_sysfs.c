// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: sysfs attributes and hwmon sensors.
 *
 * sysfs attributes live on the PCI device (/sys/class/accel/accelN/device/)
 * and are documented in Documentation/ABI/testing/sysfs-driver-tessera.
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

/* A 64-bit _LO/_HI pair; reading _LO latches _HI. */
static int tessera_read_live64(struct tessera_device *tdev, u32 lo_reg, u32 hi_reg, u64 *val)
{
	u32 lo, hi;
	int idx;

	if (!tessera_hw_enter(tdev, &idx))
		return -ENODEV;
	lo = tessera_read(tdev, lo_reg);
	hi = tessera_read(tdev, hi_reg);
	tessera_hw_exit(tdev, idx);
	if (lo == U32_MAX && hi == U32_MAX)
		return -EIO;
	*val = (u64)hi << 32 | lo;
	return 0;
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

/* Context errors (faults, invalid commands, ECC) on every ring, hw 1.2. */
static ssize_t context_faults_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct tessera_device *tdev = dev_to_tessera(dev);
	u64 sum = 0;
	int idx;
	u32 i;

	if (!tessera_hw_enter(tdev, &idx))
		return -ENODEV;
	for (i = 0; i < tdev->num_rings; i++) {
		u32 v = tessera_ring_read(&tdev->rings[i], TESSERA_RING_FAULT_COUNT);

		if (v == U32_MAX) {
			tessera_hw_exit(tdev, idx);
			return -EIO;
		}
		sum += v;
	}
	tessera_hw_exit(tdev, idx);
	return sysfs_emit(buf, "%llu\n", sum);
}
static DEVICE_ATTR_RO(context_faults);

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
	&dev_attr_context_faults.attr,
	NULL
};

static umode_t tessera_attr_visible(struct kobject *kobj, struct attribute *attr, int n)
{
	struct tessera_device *tdev = dev_to_tessera(kobj_to_dev(kobj));

	if (attr == &dev_attr_context_faults.attr && !tessera_hw_1_2(tdev))
		return 0;
	return attr->mode;
}

static const struct attribute_group tessera_attr_group = {
	.name = "tessera",
	.attrs = tessera_attrs,
	.is_visible = tessera_attr_visible,
};

static umode_t tessera_hwmon_is_visible(const void *data, enum hwmon_sensor_types type,
					u32 attr, int channel)
{
	/* Only what the chip's channel info lists is asked about. */
	return 0444;
}

static int tessera_hwmon_read(struct device *dev, enum hwmon_sensor_types type, u32 attr,
			      int channel, long *val)
{
	struct tessera_device *tdev = dev_get_drvdata(dev);
	u32 reg, raw;
	u64 uj;
	int ret;

	switch (type) {
	case hwmon_temp:
		switch (attr) {
		case hwmon_temp_input:
			reg = TESSERA_REG_TEMP_MC;
			break;
		case hwmon_temp_max:
			reg = TESSERA_REG_TEMP_MAX_MC;
			break;
		case hwmon_temp_crit:
			reg = TESSERA_REG_TEMP_CRIT_MC;
			break;
		case hwmon_temp_emergency:
			reg = TESSERA_REG_TEMP_EMERG_MC;
			break;
		default:
			return -EOPNOTSUPP;
		}
		break;
	case hwmon_power:
		switch (attr) {
		case hwmon_power_input:
			reg = TESSERA_REG_POWER_MW;
			break;
		case hwmon_power_average:
			reg = TESSERA_REG_POWER_AVG_MW;
			break;
		case hwmon_power_cap:
			reg = TESSERA_REG_POWER_CAP_MW;
			break;
		default:
			return -EOPNOTSUPP;
		}
		break;
	case hwmon_energy:
		if (attr != hwmon_energy_input)
			return -EOPNOTSUPP;
		ret = tessera_read_live64(tdev, TESSERA_REG_ENERGY_UJ_LO, TESSERA_REG_ENERGY_UJ_HI,
					  &uj);
		if (ret)
			return ret;
		/* hwmon wants microjoules; a long is 64 bits where this builds. */
		*val = (long)min_t(u64, uj, LONG_MAX);
		return 0;
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

static int tessera_hwmon_read_string(struct device *dev, enum hwmon_sensor_types type,
				     u32 attr, int channel, const char **str)
{
	switch (type) {
	case hwmon_temp:
		*str = "die";
		return 0;
	case hwmon_power:
	case hwmon_energy:
		*str = "board";
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/* Cards without CAPS.TELEMETRY2: the sensors of hardware 1.0. */
static const struct hwmon_channel_info *const tessera_hwmon_info[] = {
	HWMON_CHANNEL_INFO(temp, HWMON_T_INPUT | HWMON_T_CRIT | HWMON_T_LABEL),
	HWMON_CHANNEL_INFO(power, HWMON_P_INPUT | HWMON_P_CAP | HWMON_P_LABEL),
	NULL
};

/* CAPS.TELEMETRY2: thermal limits, average power and the energy counter. */
static const struct hwmon_channel_info *const tessera_hwmon_info2[] = {
	HWMON_CHANNEL_INFO(temp, HWMON_T_INPUT | HWMON_T_MAX | HWMON_T_CRIT |
			   HWMON_T_EMERGENCY | HWMON_T_LABEL),
	HWMON_CHANNEL_INFO(power, HWMON_P_INPUT | HWMON_P_AVERAGE | HWMON_P_CAP |
			   HWMON_P_LABEL),
	HWMON_CHANNEL_INFO(energy, HWMON_E_INPUT | HWMON_E_LABEL),
	NULL
};

static const struct hwmon_ops tessera_hwmon_ops = {
	.is_visible = tessera_hwmon_is_visible,
	.read = tessera_hwmon_read,
	.read_string = tessera_hwmon_read_string,
};

static const struct hwmon_chip_info tessera_hwmon_chip = {
	.ops = &tessera_hwmon_ops,
	.info = tessera_hwmon_info,
};

static const struct hwmon_chip_info tessera_hwmon_chip2 = {
	.ops = &tessera_hwmon_ops,
	.info = tessera_hwmon_info2,
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
	const struct hwmon_chip_info *chip = &tessera_hwmon_chip;
	struct device *hwmon;
	int ret;

	ret = devm_device_add_group(dev, &tessera_attr_group);
	if (ret)
		return ret;

	if (tdev->hw_caps & TESSERA_CAP_TELEMETRY2)
		chip = &tessera_hwmon_chip2;
	hwmon = devm_hwmon_device_register_with_info(dev, DRIVER_NAME, tdev, chip, NULL);
	return PTR_ERR_OR_ZERO(hwmon);
}
