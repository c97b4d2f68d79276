/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Differences between the kernels tessera.ko builds for, in one place.
 *
 * Some 6.12 stable kernels (Debian's 6.12.1xx among them) carry the buddy
 * allocator as the built-in gpu_buddy; mainline 6.12 has it as the
 * drm_buddy module.  Same API, different names.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef __TESSERA_COMPAT_H__
#define __TESSERA_COMPAT_H__

#ifdef TESSERA_HAVE_GPU_BUDDY	/* set by Kbuild */
#include <linux/gpu_buddy.h>
#define tessera_buddy			gpu_buddy
#define tessera_buddy_block		gpu_buddy_block
#define tessera_buddy_init		gpu_buddy_init
#define tessera_buddy_fini		gpu_buddy_fini
#define tessera_buddy_alloc_blocks	gpu_buddy_alloc_blocks
#define tessera_buddy_free_list		gpu_buddy_free_list
#define tessera_buddy_block_offset	gpu_buddy_block_offset
#define tessera_buddy_block_size	gpu_buddy_block_size
#else
#include <drm/drm_buddy.h>
#define tessera_buddy			drm_buddy
#define tessera_buddy_block		drm_buddy_block
#define tessera_buddy_init		drm_buddy_init
#define tessera_buddy_fini		drm_buddy_fini
#define tessera_buddy_alloc_blocks	drm_buddy_alloc_blocks
#define tessera_buddy_free_list		drm_buddy_free_list
#define tessera_buddy_block_offset	drm_buddy_block_offset
#define tessera_buddy_block_size	drm_buddy_block_size
#endif

#endif /* __TESSERA_COMPAT_H__ */
