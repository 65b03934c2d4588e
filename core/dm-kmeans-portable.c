/* dm-kmeans-portable.c: k-means kernels in C for every CPU: no popcount
 * instruction assumed, 16-byte generic vectors the compiler maps to SSE2,
 * NEON or scalar code.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-kmeans-kernels.h"

#include <math.h>
#include <string.h>

/* GCC/Clang generic vectors of 16 bytes: SSE2 on x86-64, NEON on ARM, and
 * plain scalar code elsewhere, all from the same C. */
typedef guint64 U64x2 __attribute__ ((vector_size (16)));
typedef guint32 U32x4 __attribute__ ((vector_size (16)));
typedef guint16 U16x8 __attribute__ ((vector_size (16)));

/* Nibble counts add up over 3 words (at most 12), byte counts over 10
 * such groups (at most 240). */
#define WORDS_PER_NIBBLE 3
#define WORDS_PER_FLUSH  30

/* The 16 bytes at @p, of any alignment, as a vector. A caller adding
 * other lanes casts it to their vector type: a cast between vectors of one
 * size keeps the bits. */
static inline U64x2
load_16 (const void *p)
{
  U64x2 v;

  memcpy (&v, p, sizeof v);
  return v;
}

/* Per-nibble popcounts (0..4) of each 64-bit lane, by SWAR: no popcount
 * instruction is assumed. Three of them still fit in a nibble. */
static inline U64x2
popcount_nibbles (U64x2 v)
{
  const U64x2 m1 = { 0x5555555555555555u, 0x5555555555555555u };
  const U64x2 m2 = { 0x3333333333333333u, 0x3333333333333333u };

  v = v - ((v >> 1) & m1);
  return (v & m2) + ((v >> 2) & m2);
}

/* Nibble counts (0..15) to byte counts. */
static inline U64x2
nibbles_to_bytes (U64x2 v)
{
  const U64x2 m4 = { 0x0f0f0f0f0f0f0f0fu, 0x0f0f0f0f0f0f0f0fu };

  return (v & m4) + ((v >> 4) & m4);
}

/* Sum of the byte counts of each lane. */
static inline U64x2
sum_bytes (U64x2 v)
{
  const U64x2 m8 = { 0x00ff00ff00ff00ffu, 0x00ff00ff00ff00ffu };
  const U64x2 m16 = { 0x0000ffff0000ffffu, 0x0000ffff0000ffffu };

  v = (v & m8) + ((v >> 8) & m8);
  v = (v & m16) + ((v >> 16) & m16);
  return (v + (v >> 32)) & (U64x2) { 0xffffffffu, 0xffffffffu };
}

/* Distances of the 8 points of a block to one candidate over words
 * [w_begin, w_end), added to distance[] (lanes 0-1, 2-3, 4-5, 6-7). */
static inline __attribute__ ((always_inline)) void
block_distances (const guint64 *block, gsize w_begin, gsize w_end, const guint64 *candidate,
                 U64x2 distance[4])
{
  /* Nibble and byte counts, in named variables so that they stay in
   * registers. */
  U64x2 n0 = { 0, 0 }, n1 = { 0, 0 }, n2 = { 0, 0 }, n3 = { 0, 0 };
  U64x2 b0 = { 0, 0 }, b1 = { 0, 0 }, b2 = { 0, 0 }, b3 = { 0, 0 };

#pragma GCC unroll 16
  for (gsize w = w_begin; w < w_end; w++)
    {
      const guint64 *row = block + w * DM_KMEANS_POINT_BLOCK;
      U64x2 word = { candidate[w], candidate[w] };
      gsize done = w + 1 - w_begin;

      n0 += popcount_nibbles (load_16 (row) ^ word);
      n1 += popcount_nibbles (load_16 (row + 2) ^ word);
      n2 += popcount_nibbles (load_16 (row + 4) ^ word);
      n3 += popcount_nibbles (load_16 (row + 6) ^ word);
      if (done % WORDS_PER_NIBBLE == 0 || w + 1 == w_end)
        {
          b0 += nibbles_to_bytes (n0);
          b1 += nibbles_to_bytes (n1);
          b2 += nibbles_to_bytes (n2);
          b3 += nibbles_to_bytes (n3);
          n0 = n1 = n2 = n3 = (U64x2) { 0, 0 };
        }
      if (done % WORDS_PER_FLUSH == 0 || w + 1 == w_end)
        {
          distance[0] += sum_bytes (b0);
          distance[1] += sum_bytes (b1);
          distance[2] += sum_bytes (b2);
          distance[3] += sum_bytes (b3);
          b0 = b1 = b2 = b3 = (U64x2) { 0, 0 };
        }
    }
}

/* Whether some point of the block is still below its nearest distance. */
static inline gboolean
any_below (const U64x2 distance[4], const guint16 *nearest)
{
  for (guint lane = 0; lane < DM_KMEANS_POINT_BLOCK; lane++)
    if (distance[lane / 2][lane % 2] < nearest[lane])
      return TRUE;
  return FALSE;
}

/* One candidate against a run of point blocks; n_words is a constant in
 * the common instantiations, so the word loops unroll, and bounded one
 * (see DmKmeansKernels.hamming_bounded). */
static inline __attribute__ ((always_inline)) guint64
hamming_candidate (const guint64 *points_t, gsize n_words,
                   gsize block_begin, gsize block_end,
                   const guint64 *candidate, const guint16 *nearest, guint16 *out,
                   gboolean bounded)
{
  gsize checked = bounded ? dm_kmeans_bound_words (n_words) : n_words;
  guint64 potential = 0;

  for (gsize b = block_begin; b < block_end; b++)
    {
      const guint64 *block = points_t + b * n_words * DM_KMEANS_POINT_BLOCK;
      gsize first = (b - block_begin) * DM_KMEANS_POINT_BLOCK;
      U64x2 distance[4] = { { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 } };

      block_distances (block, 0, checked, candidate, distance);
      if (checked < n_words && any_below (distance, nearest + first))
        block_distances (block, checked, n_words, candidate, distance);
      for (guint lane = 0; lane < DM_KMEANS_POINT_BLOCK; lane++)
        {
          guint d = (guint) distance[lane / 2][lane % 2];
          out[first + lane] = (guint16) d;
          potential += MIN (d, nearest[first + lane]);
        }
    }
  return potential;
}

DM_KMEANS_DEFINE_HAMMING (hamming_portable, hamming_candidate)

/* The 16 sums of a block from 32-bit counts. */
static inline void
wide_sums (const guint32 *block, const guint16 *set_features, guint n_set, guint32 *sum)
{
  /* The block's 16 sums in four vectors, two features at a time so that
   * the loads overlap; named, so they stay in registers. */
  U32x4 a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };
  U32x4 b0 = { 0 }, b1 = { 0 }, b2 = { 0 }, b3 = { 0 };
  guint s = 0;

  for (; s + 1 < n_set; s += 2)
    {
      const guint32 *row = block + (gsize) set_features[s] * DM_KMEANS_CENTRE_BLOCK;
      const guint32 *next = block + (gsize) set_features[s + 1] * DM_KMEANS_CENTRE_BLOCK;
      a0 += (U32x4) load_16 (row);
      a1 += (U32x4) load_16 (row + 4);
      a2 += (U32x4) load_16 (row + 8);
      a3 += (U32x4) load_16 (row + 12);
      b0 += (U32x4) load_16 (next);
      b1 += (U32x4) load_16 (next + 4);
      b2 += (U32x4) load_16 (next + 8);
      b3 += (U32x4) load_16 (next + 12);
    }
  if (s < n_set)
    {
      const guint32 *row = block + (gsize) set_features[s] * DM_KMEANS_CENTRE_BLOCK;
      a0 += (U32x4) load_16 (row);
      a1 += (U32x4) load_16 (row + 4);
      a2 += (U32x4) load_16 (row + 8);
      a3 += (U32x4) load_16 (row + 12);
    }
  U32x4 total[4] = { a0 + b0, a1 + b1, a2 + b2, a3 + b3 };
  memcpy (sum, total, DM_KMEANS_CENTRE_BLOCK * sizeof *sum);
}

/* The same sums from 16-bit counts, in 16-bit lanes over runs of at most
 * run features (exact, see DmKmeansCounts): half the vectors per feature. */
static inline void
narrow_sums (const guint16 *block, const guint16 *set_features, guint n_set, guint run,
             guint32 *sum)
{
  memset (sum, 0, DM_KMEANS_CENTRE_BLOCK * sizeof *sum);
  for (guint first = 0; first < n_set; first += run)
    {
      guint end = first + MIN (run, n_set - first), s = first;
      U16x8 a0 = { 0 }, a1 = { 0 }, b0 = { 0 }, b1 = { 0 };
      guint16 part[DM_KMEANS_CENTRE_BLOCK];

      for (; s + 1 < end; s += 2)
        {
          const guint16 *row = block + (gsize) set_features[s] * DM_KMEANS_CENTRE_BLOCK;
          const guint16 *next = block + (gsize) set_features[s + 1] * DM_KMEANS_CENTRE_BLOCK;
          a0 += (U16x8) load_16 (row);
          a1 += (U16x8) load_16 (row + 8);
          b0 += (U16x8) load_16 (next);
          b1 += (U16x8) load_16 (next + 8);
        }
      if (s < end)
        {
          const guint16 *row = block + (gsize) set_features[s] * DM_KMEANS_CENTRE_BLOCK;
          a0 += (U16x8) load_16 (row);
          a1 += (U16x8) load_16 (row + 8);
        }
      /* Together one run's sum: below 2^16. */
      U16x8 total[2] = { a0 + b0, a1 + b1 };
      memcpy (part, total, sizeof part);
      for (guint lane = 0; lane < DM_KMEANS_CENTRE_BLOCK; lane++)
        sum[lane] += part[lane];
    }
}

static void
sums_portable (const DmKmeansCounts *counts, const guint16 *features, guint n, gsize c,
               guint32 *out)
{
  gsize block_size = counts->n_features * DM_KMEANS_CENTRE_BLOCK;

  if (counts->runs[c] > 0)
    narrow_sums (counts->narrow + c * block_size, features, n, counts->runs[c], out);
  else
    wide_sums (counts->wide + c * block_size, features, n, out);
}

static void
distances_portable (const DmKmeansCounts *counts, const DmKmeansKey *key,
                    gsize cblock_begin, gsize cblock_end,
                    const double *inv_members, const double *norm_term,
                    double *out, double *block_min)
{
  for (gsize c = cblock_begin; c < cblock_end; c++)
    {
      guint32 sum[DM_KMEANS_CENTRE_BLOCK], minus[DM_KMEANS_CENTRE_BLOCK];
      double *distance = out + (c - cblock_begin) * DM_KMEANS_CENTRE_BLOCK;
      double smallest = INFINITY;

      sums_portable (counts, key->plus, key->n_plus, c, sum);
      if (key->base != NULL)
        {
          sums_portable (counts, key->minus, key->n_minus, c, minus);
          /* Modulo 2^32, exact: the dot products are below 2^32. */
          for (guint lane = 0; lane < DM_KMEANS_CENTRE_BLOCK; lane++)
            sum[lane] = sum[lane] + key->base[c * DM_KMEANS_CENTRE_BLOCK + lane] - minus[lane];
        }
      for (guint lane = 0; lane < DM_KMEANS_CENTRE_BLOCK; lane++)
        {
          gsize j = c * DM_KMEANS_CENTRE_BLOCK + lane;
          double twice = 2.0 * (double) sum[lane];
          double cross = twice * inv_members[j];
          double partial = (double) key->popcount - cross;
          distance[lane] = partial + norm_term[j];
          smallest = MIN (smallest, distance[lane]);
        }
      block_min[c - cblock_begin] = smallest;
    }
}

static void
apply_centre_portable (const guint16 *distance, guint16 *nearest, guint16 *second,
                       guint *label, gsize count, guint centre)
{
  dm_kmeans_apply_centre_range (distance, nearest, second, label, 0, count, centre);
}

DM_KMEANS_DEFINE_KERNELS (portable);
