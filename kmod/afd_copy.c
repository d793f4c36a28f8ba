// SPDX-License-Identifier: GPL-2.0
/*
 * accelfd: the engine's copies between kernel mappings of pinned pages.
 *
 * The kernel's memcpy() is a string instruction on x86 (rep movsq with
 * REP_GOOD, rep movsb with ERMS). That is the fastest copy on a CPU with
 * FSRM; on one without, a loop of 32-byte AVX2 moves is faster, which is
 * why user space's memcpy() uses one for mid sizes. A hardware engine's
 * copy runs at its DMA rate; the software engine should not run slower
 * than the CPU's own copy, so it does what user space does: AVX2, inside
 * kernel_fpu_begin()/kernel_fpu_end(), where the CPU has AVX2 and not
 * FSRM (measured in docs/design.md, "Data operations").
 */
#include <linux/string.h>

#include "afd_copy.h"

#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>

/* Set once at module load: the CPU's features do not change. */
static bool afd_copy_use_avx2 __read_mostly;

/* Copies @len bytes, a multiple of 128, 128 at a time. */
static void afd_copy_avx2(void *dst, const void *src, size_t len)
{
	for (; len; len -= 128, dst += 128, src += 128)
		asm volatile("vmovdqu 0(%1), %%ymm0\n\t"
			     "vmovdqu 32(%1), %%ymm1\n\t"
			     "vmovdqu 64(%1), %%ymm2\n\t"
			     "vmovdqu 96(%1), %%ymm3\n\t"
			     "vmovdqu %%ymm0, 0(%0)\n\t"
			     "vmovdqu %%ymm1, 32(%0)\n\t"
			     "vmovdqu %%ymm2, 64(%0)\n\t"
			     "vmovdqu %%ymm3, 96(%0)\n\t"
			     : : "r" (dst), "r" (src) : "memory");
}

/**
 * afd_copy_init() - choose how the engine copies, at module load
 */
void afd_copy_init(void)
{
	/* A CPU (or VM) may report AVX2 and still not have YMM state saved. */
	afd_copy_use_avx2 = boot_cpu_has(X86_FEATURE_AVX2) &&
			    !boot_cpu_has(X86_FEATURE_FSRM) &&
			    cpu_has_xfeatures(XFEATURE_MASK_SSE | XFEATURE_MASK_YMM,
					      NULL);
}

/**
 * afd_copy_begin() - start a run of afd_copy() calls
 *
 * Until afd_copy_end() the caller must not sleep (the vector registers
 * are the kernel's; preemption is off).
 */
void afd_copy_begin(void)
{
	if (afd_copy_use_avx2)
		kernel_fpu_begin();
}

/**
 * afd_copy() - copy between kernel mappings, inside afd_copy_begin()/_end()
 * @dst: destination
 * @src: source; the two do not overlap (two mappings of the same pages may,
 *	which garbles only the process's own data, as its own memcpy() would)
 * @len: bytes
 */
void afd_copy(void *dst, const void *src, size_t len)
{
	size_t vector = afd_copy_use_avx2 ? len & ~(size_t)127 : 0;

	if (vector)
		afd_copy_avx2(dst, src, vector);
	memcpy(dst + vector, src + vector, len - vector);
}

/**
 * afd_copy_end() - end a run of afd_copy() calls
 */
void afd_copy_end(void)
{
	if (!afd_copy_use_avx2)
		return;
	/* Leaves no dirty upper halves to slow down SSE code after us. */
	asm volatile("vzeroupper" ::: "memory");
	kernel_fpu_end();
}

#else /* !CONFIG_X86_64 */

void afd_copy_init(void)
{
}

void afd_copy_begin(void)
{
}

void afd_copy(void *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
}

void afd_copy_end(void)
{
}

#endif /* CONFIG_X86_64 */
