/* dm-kmeans-avx2.c: the plain C kernels built for AVX2 and POPCNT, for
 * CPUs without AVX-512; the compiler vectorises the same loops, so the
 * results are the portable kernels' to the bit (no FMA is enabled).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define DM_KMEANS_KERNELS_NAME dm_kmeans_kernels_avx2
#include "dm-kmeans-portable.c"
