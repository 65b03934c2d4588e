/* dm-kmeans-kernels.h: the inner loops of k-means on keys, in portable C,
 * AVX2 and AVX-512. All compute the same numbers, so which one runs never
 * changes a result (dm_kmeans_kernel_name() and DM_KERNEL choose).
 *
 * Layouts (private to the core):
 * - points, transposed in blocks of 8: word w (64 bits, little-endian load
 *   of key bytes 8w..8w+7) of points 8b..8b+7 is points_t[(b * n_words + w) * 8 + lane];
 * - centre counts, transposed in blocks of 16 centres: the number of members
 *   of centre 16c+lane with internal feature f set is
 *   counts_t[(c * n_features + f) * 16 + lane], where internal feature
 *   f = 64w + bit position in word w; the same counts in 16 bits, same
 *   layout, for the centre blocks whose counts fit (see DmKmeansCounts).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "dm-kmeans.h"

G_BEGIN_DECLS

#define DM_KMEANS_POINT_BLOCK  8
#define DM_KMEANS_CENTRE_BLOCK 16

/* Defines the hamming kernels name () and name##_bounded () from body (),
 * an always-inline function of the same arguments and a last one, bounded
 * (see DmKmeansKernels.hamming_bounded): n_words is a constant for image
 * keys (8 words) and image + text keys (16), so that body's word loops
 * unroll for them; any other width gets the generic code. */
#define DM_KMEANS_DEFINE_HAMMING(name, body)                                                 \
  static guint64                                                                             \
  name (const guint64 *points_t, gsize n_words, gsize block_begin, gsize block_end,          \
        const guint64 *candidate, const guint16 *nearest, guint16 *out)                      \
  {                                                                                          \
    DM_KMEANS_HAMMING_BY_WIDTH (body, FALSE)                                                 \
  }                                                                                          \
  static guint64                                                                             \
  name##_bounded (const guint64 *points_t, gsize n_words, gsize block_begin,                 \
                  gsize block_end, const guint64 *candidate, const guint16 *nearest,         \
                  guint16 *out)                                                              \
  {                                                                                          \
    DM_KMEANS_HAMMING_BY_WIDTH (body, TRUE)                                                  \
  }

/* The width dispatch of DM_KMEANS_DEFINE_HAMMING's kernels. */
#define DM_KMEANS_HAMMING_BY_WIDTH(body, bounded)                                            \
  if (n_words == 8)                                                                          \
    return body (points_t, 8, block_begin, block_end, candidate, nearest, out, bounded);     \
  if (n_words == 16)                                                                         \
    return body (points_t, 16, block_begin, block_end, candidate, nearest, out, bounded);    \
  return body (points_t, n_words, block_begin, block_end, candidate, nearest, out, bounded);

/* Where hamming_bounded looks at a block's partial distances: after the
 * first three quarters of the words (6 of 8 for 512-bit keys); keys of
 * fewer than 4 words are never cut short. */
static inline gsize
dm_kmeans_bound_words (gsize n_words)
{
  return n_words >= 4 ? n_words - n_words / 4 : n_words;
}

/* The centre counts as the distance kernels read them. A kernel may sum a
 * block's counts in 16-bit lanes (half the adds and the cache footprint of
 * 32-bit ones) over at most runs[c] features at a time before it widens
 * the sums: runs[c] times the block's largest count stays below 2^16, so
 * the sums are exact and every kernel gives the same numbers. runs[c] = 0:
 * the block's counts may not fit in 16 bits; use the 32-bit ones. */
typedef struct {
  const guint32 *wide;
  const guint16 *narrow;
  const guint16 *runs;        /* per centre block */
  gsize n_features;
} DmKmeansCounts;

/* A key as the distance kernels read it: its dot product with a centre's
 * counts is base[j] + (sum over plus of the counts) - (sum over minus).
 * With base NULL (0), plus lists the key's set features and minus is
 * empty; with base the dot products of a reference key (its own centre's
 * majority bits), plus and minus list where the key differs from it:
 * fewer features to sum when the key lies near its centre. */
typedef struct {
  const guint16 *plus, *minus;
  guint n_plus, n_minus;
  const guint32 *base;        /* per centre, 16 per block, or NULL */
  guint popcount;
} DmKmeansKey;

typedef struct {
  /* Hamming distances of points in blocks [block_begin, block_end) to one
   * key (n_words): point i's distance goes to out[i - 8 * block_begin].
   * Returns the sum over those points of min(distance,
   * nearest[i - 8 * block_begin]). */
  guint64 (*hamming) (const guint64 *points_t, gsize n_words,
                      gsize block_begin, gsize block_end,
                      const guint64 *candidate, const guint16 *nearest, guint16 *out);
  /* hamming, except that where the distances over a block's first
   * dm_kmeans_bound_words() words already reach nearest for all its 8
   * points, the block stops there: out gets those partial distances (each
   * at least nearest, at most the distance), and the sum the same
   * min(distance, nearest) = nearest. For k-means++'s potentials, where
   * a candidate leaves most items' nearest distances as they are. */
  guint64 (*hamming_bounded) (const guint64 *points_t, gsize n_words,
                              gsize block_begin, gsize block_end,
                              const guint64 *candidate, const guint16 *nearest, guint16 *out);
  /* For centre blocks [cblock_begin, cblock_end): the squared distance of
   * a key to each centre, to out[(c - cblock_begin) * 16 + lane]. With
   * S the key's dot product with the centre's counts (see DmKmeansKey),
   * it is (popcount - (2 S) * inv_members) + norm_term, evaluated in
   * exactly that order in double precision (no fused multiply-add), so
   * every kernel gives the same bits. block_min[c - cblock_begin] gets
   * the smallest of each block's 16 distances. */
  void (*distances) (const DmKmeansCounts *counts, const DmKmeansKey *key,
                     gsize cblock_begin, gsize cblock_end,
                     const double *inv_members, const double *norm_term,
                     double *out, double *block_min);
  /* The 16 sums of block c's counts over features, to out. */
  void (*sums) (const DmKmeansCounts *counts, const guint16 *features, guint n_features,
                gsize c, guint32 *out);
  /* A new centre's distances to count items: where closer than the
   * nearest centre so far, that becomes second and the new one nearest
   * (label = centre); else where closer than the second, it becomes second. */
  void (*apply_centre) (const guint16 *distance, guint16 *nearest, guint16 *second,
                        guint *label, gsize count, guint centre);
} DmKmeansKernels;

/* apply_centre on items [begin, end), one at a time: the portable kernel,
 * and the SIMD kernels' tail. */
static inline void
dm_kmeans_apply_centre_range (const guint16 *distance, guint16 *nearest, guint16 *second,
                              guint *label, gsize begin, gsize end, guint centre)
{
  for (gsize i = begin; i < end; i++)
    {
      guint16 d = distance[i], n = nearest[i];
      gboolean closer = d < n;
      second[i] = closer ? n : MIN (second[i], d);
      nearest[i] = closer ? d : n;
      label[i] = closer ? centre : label[i];
    }
}

/* Defines dm_kmeans_kernels_ISA from the kernels hamming_ISA,
 * distances_ISA, sums_ISA and apply_centre_ISA of one instruction set. */
#define DM_KMEANS_DEFINE_KERNELS(isa)           \
  const DmKmeansKernels dm_kmeans_kernels_##isa = { \
    hamming_##isa,                              \
    hamming_##isa##_bounded,                    \
    distances_##isa,                            \
    sums_##isa,                                 \
    apply_centre_##isa,                         \
  }

extern const DmKmeansKernels dm_kmeans_kernels_portable;
/* Only defined when the build compiled these kernels. */
extern const DmKmeansKernels dm_kmeans_kernels_avx2;
extern const DmKmeansKernels dm_kmeans_kernels_avx512;

/* The kernels of the path @kernel, as dm_kmeans_run() chooses them (AUTO:
 * DM_KERNEL, else the first path, fastest first, this CPU runs), for the
 * core's other users of the Hamming kernel; @name gets the path's name.
 * NULL with DM_CORE_ERROR_INVALID_ARGUMENT as dm_kmeans_kernel_name(). */
const DmKmeansKernels *dm_kmeans_kernels_choose (DmKmeansKernel   kernel,
                                                 const char     **name,
                                                 GError         **error);

/* @n keys of @key_bytes bytes (a multiple of 8) in the points layout above,
 * zero-padded to whole blocks of 8: the hamming kernel's input. Free with
 * g_free(). */
guint64 *dm_kmeans_transpose_points (const guint8 *keys,
                                     gsize         n,
                                     gsize         key_bytes);

/* A key's words as the layout above has them (little-endian loads of
 * bytes 8w..8w+7), to @words: the hamming kernel's candidate. */
void dm_kmeans_key_words (const guint8 *key,
                          gsize         key_bytes,
                          guint64      *words);

/* Point @item's @n_words words from @points_t (the layout above) to
 * @words: its key as the hamming kernel's candidate. */
void dm_kmeans_point_words (const guint64 *points_t,
                            gsize          n_words,
                            gsize          item,
                            guint64       *words);

/* The inverse: @words become point @item's in @points_t. */
void dm_kmeans_set_point_words (guint64       *points_t,
                                gsize          n_words,
                                gsize          item,
                                const guint64 *words);

G_END_DECLS
