// SPDX-License-Identifier: MIT
/*
 * Host unit tests of libaccel: command encoders, errors, device lookup
 * without a device, and the library's exported ABI.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "accel/accel.h"
#include "tessera_accel.h"

static int test_num, failures;

#define CHECK(cond, name) do {						\
		test_num++;						\
		if (cond) {						\
			printf("ok %d - %s\n", test_num, name);		\
		} else {						\
			printf("not ok %d - %s (%s:%d: %s)\n", test_num, name, \
			       __FILE__, __LINE__, #cond);		\
			failures++;					\
		}							\
	} while (0)

static void test_encode_nop(void)
{
	uint32_t buf[70000];
	int i, ok = 1;

	memset(buf, 0xa5, sizeof(buf));
	CHECK(accel_encode_nop(buf, 70000, 1) == 1 && buf[0] == 0x00010000 &&
	      buf[1] == 0xa5a5a5a5, "nop of one dword is a bare header");

	memset(buf, 0xa5, sizeof(buf));
	CHECK(accel_encode_nop(buf, 70000, 8) == 8 &&
	      TESSERA_CMD_OPCODE(buf[0]) == TESSERA_CMD_OP_NOP &&
	      TESSERA_CMD_LEN(buf[0]) == 8 && TESSERA_CMD_FLAGS(buf[0]) == 0 &&
	      buf[8] == 0xa5a5a5a5, "nop of 8 dwords: header, 7 zero dwords, nothing more");
	for (i = 1; i < 8; i++)
		ok &= buf[i] == 0;
	CHECK(ok, "nop payload is zeroed");

	CHECK(accel_encode_nop(buf, 70000, 0xffff) == 0xffff &&
	      TESSERA_CMD_LEN(buf[0]) == 0xffff, "longest nop");
	CHECK(accel_encode_nop(buf, 70000, 0) == -EINVAL, "nop of 0 dwords is EINVAL");
	CHECK(accel_encode_nop(buf, 70000, 0x10000) == -EINVAL, "nop over 65535 dwords is EINVAL");
	CHECK(accel_encode_nop(buf, 3, 4) == -ENOSPC, "nop larger than the space is ENOSPC");
	CHECK(accel_encode_nop(NULL, 3, 1) == -EINVAL, "nop into NULL is EINVAL");
}

static void test_encode_fill_copy(void)
{
	uint32_t buf[8];

	memset(buf, 0xa5, sizeof(buf));
	CHECK(accel_encode_fill(buf, 8, 0x123456789000ull, 4096, 0xdeadbeef) == 5 &&
	      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_FILL, 0, 5) &&
	      buf[1] == 0x56789000 && buf[2] == 0x1234 && buf[3] == 4096 &&
	      buf[4] == 0xdeadbeef && buf[5] == 0xa5a5a5a5, "fill encoding");
	CHECK(accel_encode_fill(buf, 8, 0x1002, 4096, 0) == -EINVAL, "fill to unaligned VA");
	CHECK(accel_encode_fill(buf, 8, 0x1000, 6, 0) == -EINVAL, "fill of unaligned size");
	CHECK(accel_encode_fill(buf, 8, 0x1000, 0, 0) == -EINVAL, "fill of nothing");
	CHECK(accel_encode_fill(buf, 4, 0x1000, 4, 0) == -ENOSPC, "fill without room");

	memset(buf, 0xa5, sizeof(buf));
	CHECK(accel_encode_copy(buf, 8, 0x1000, 0x200000000ull, 100) == 6 &&
	      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_COPY, 0, 6) &&
	      buf[1] == 0x1000 && buf[2] == 0 && buf[3] == 0 && buf[4] == 2 &&
	      buf[5] == 100 && buf[6] == 0xa5a5a5a5, "copy encoding");
	CHECK(accel_encode_copy(buf, 8, 0x1000, 0x1010, 32) == -EINVAL, "overlapping copy");
	CHECK(accel_encode_copy(buf, 8, UINT64_MAX - 8, 0x1000, 32) == -EINVAL,
	      "copy source wrapping around");
	CHECK(accel_encode_copy(buf, 8, 0x1000, 0x2000, 0) == -EINVAL, "copy of nothing");
	CHECK(accel_encode_copy(buf, 5, 0x1000, 0x2000, 4) == -ENOSPC, "copy without room");
}

static void test_strerror(void)
{
	CHECK(strcmp(accel_strerror(0), "success") == 0, "strerror(0)");
	CHECK(strstr(accel_strerror(-ETIME), "timed out") != NULL, "strerror(-ETIME)");
	CHECK(strcmp(accel_strerror(-ENODEV), accel_strerror(ENODEV)) == 0,
	      "strerror takes either sign");
	CHECK(accel_strerror(-123456) != NULL, "strerror of an unknown code is not NULL");
}

static void test_open_without_device(void)
{
	struct accel_device *dev = (struct accel_device *)0x1;
	char longpath[200];

	CHECK(accel_device_count() >= 0, "device count works without cards");
	CHECK(accel_device_open(4096, &dev) == -ENODEV && dev == (struct accel_device *)0x1,
	      "open of a missing index is ENODEV and leaves the output alone");
	CHECK(accel_device_open_path("/dev/null", &dev) == -ENODEV,
	      "open of a non-DRM node is ENODEV");
	CHECK(accel_device_open_path("/nonexistent/accel0", &dev) == -ENOENT,
	      "open of a missing path is ENOENT");
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	CHECK(accel_device_open_path(longpath, &dev) == -EINVAL, "overlong path is EINVAL");
	CHECK(accel_device_open_path(NULL, &dev) == -EINVAL, "NULL path is EINVAL");
}

static void test_abi(void)
{
	void *lib = dlopen("libaccel.so.1", RTLD_NOW | RTLD_LOCAL);

	CHECK(lib != NULL, "libaccel.so.1 loads by its SONAME");
	if (!lib)
		return;
	CHECK(dlsym(lib, "accel_submit") != NULL, "accel_submit is exported");
	CHECK(dlvsym(lib, "accel_submit", "LIBACCEL_1.0") != NULL,
	      "symbols carry the LIBACCEL_1.0 version");
	CHECK(dlsym(lib, "accel_list_minors") == NULL && dlsym(lib, "accel_ioctl") == NULL,
	      "internal functions are hidden");
	dlclose(lib);
}

int main(void)
{
	printf("TAP version 13\n1..32\n");
	test_encode_nop();
	test_encode_fill_copy();
	test_strerror();
	test_open_without_device();
	test_abi();
	printf("# libaccel: %d tests, %d failed\n", test_num, failures);
	return failures ? 1 : 0;
}
