/* dm-kmeans-avx512.c: k-means kernels for AVX-512 (F, BW, VPOPCNTDQ).
 *
 * Built with AVX-512 code generation; only called after
 * dm_kmeans_simd_available() checked the CPU.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-kmeans-kernels.h"

#include <immintrin.h>

/* Distances of the 8 points of a block to one candidate over words
 * [w_begin, w_end), as 8 x 64 bits. */
static inline __attribute__((always_inline)) __m512i
block_distances (const guint64 *block, gsize w_begin, gsize w_end, const __m512i *words,
                 const guint64 *candidate)
{
  /* Two sums keep the adds from waiting on each other. */
  __m512i sums[2] = { _mm512_setzero_si512 (), _mm512_setzero_si512 () };

#pragma GCC unroll 16
  for (gsize w = w_begin; w < w_end; w++)
    {
      __m512i word = words != NULL ? words[w] : _mm512_set1_epi64 ((long long) candidate[w]);
      sums[w % 2] = _mm512_add_epi64 (sums[w % 2], _mm512_popcnt_epi64 (_mm512_xor_si512 (
                        _mm512_loadu_si512 (block + w * 8), word)));
    }
  return _mm512_add_epi64 (sums[0], sums[1]);
}

/* One candidate against a run of point blocks, its words held in
 * registers up to 16 (else read from memory); bounded: see
 * DmKmeansKernels.hamming_bounded. */
static inline __attribute__((always_inline)) guint64
hamming_candidate (const guint64 *points_t, gsize n_words,
                   gsize block_begin, gsize block_end,
                   const guint64 *candidate, const guint16 *nearest, guint16 *out,
                   gboolean bounded)
{
  __m512i held[16];
  const __m512i *words = n_words <= G_N_ELEMENTS (held) ? held : NULL;
  __m512i potential = _mm512_setzero_si512 ();
  gsize checked = bounded ? dm_kmeans_bound_words (n_words) : n_words;

#pragma GCC unroll 16
  for (gsize w = 0; w < MIN (n_words, G_N_ELEMENTS (held)); w++)
    held[w] = _mm512_set1_epi64 ((long long) candidate[w]);
  for (gsize b = block_begin; b < block_end; b++)
    {
      const guint64 *block = points_t + b * n_words * DM_KMEANS_POINT_BLOCK;
      gsize first = (b - block_begin) * DM_KMEANS_POINT_BLOCK;
      __m512i near = _mm512_cvtepu16_epi64 (_mm_loadu_si128 ((const __m128i *) (nearest + first)));
      __m512i distance = block_distances (block, 0, checked, words, candidate);

      if (checked < n_words && _mm512_cmplt_epu64_mask (distance, near) != 0)
        distance = _mm512_add_epi64 (distance, block_distances (block, checked, n_words, words,
                                                                candidate));
      potential = _mm512_add_epi64 (potential, _mm512_min_epu64 (distance, near));
      _mm_storeu_si128 ((__m128i *) (out + first), _mm512_cvtepi64_epi16 (distance));
    }
  return (guint64) _mm512_reduce_add_epi64 (potential);
}

DM_KMEANS_DEFINE_HAMMING (hamming_avx512, hamming_candidate)

static inline void
store_distances (__m512i sums, gsize first_centre, guint popcount,
                 const double *inv_members, const double *norm_term, double *out,
                 double *block_min)
{
  __m512d pc = _mm512_set1_pd ((double) popcount);
  __m512d two = _mm512_set1_pd (2.0);
  __m512d halves[2];

  for (guint half = 0; half < 2; half++)
    {
      __m256i part = half == 0 ? _mm512_castsi512_si256 (sums)
                               : _mm512_extracti64x4_epi64 (sums, 1);
      gsize j = first_centre + 8 * half;
      __m512d twice = _mm512_mul_pd (two, _mm512_cvtepu32_pd (part));
      __m512d cross = _mm512_mul_pd (twice, _mm512_loadu_pd (inv_members + j));
      __m512d partial = _mm512_sub_pd (pc, cross);
      halves[half] = _mm512_add_pd (partial, _mm512_loadu_pd (norm_term + j));
      _mm512_storeu_pd (out + 8 * half, halves[half]);
    }
  /* min is exact: any order gives the portable kernel's value. */
  *block_min = _mm512_reduce_min_pd (_mm512_min_pd (halves[0], halves[1]));
}

/* Block c's 16 sums over features, from the 32-bit counts: a 512-bit add
 * takes a whole block's 16 of them, as many adds as 16-bit lanes would
 * take in 256 bits. */
static inline __m512i
block_sums (const DmKmeansCounts *counts, gsize c, const guint16 *features, guint n)
{
  const guint32 *block = counts->wide + c * counts->n_features * DM_KMEANS_CENTRE_BLOCK;
  __m512i a0 = _mm512_setzero_si512 (), a1 = _mm512_setzero_si512 ();
  __m512i a2 = _mm512_setzero_si512 (), a3 = _mm512_setzero_si512 ();
  guint s = 0;

  /* Four accumulators keep the adds from waiting on each other. */
  for (; s + 3 < n; s += 4)
    {
      a0 = _mm512_add_epi32 (a0, _mm512_loadu_si512 (block + (gsize) features[s] * DM_KMEANS_CENTRE_BLOCK));
      a1 = _mm512_add_epi32 (a1, _mm512_loadu_si512 (block + (gsize) features[s + 1] * DM_KMEANS_CENTRE_BLOCK));
      a2 = _mm512_add_epi32 (a2, _mm512_loadu_si512 (block + (gsize) features[s + 2] * DM_KMEANS_CENTRE_BLOCK));
      a3 = _mm512_add_epi32 (a3, _mm512_loadu_si512 (block + (gsize) features[s + 3] * DM_KMEANS_CENTRE_BLOCK));
    }
  for (; s < n; s++)
    a0 = _mm512_add_epi32 (a0, _mm512_loadu_si512 (block + (gsize) features[s] * DM_KMEANS_CENTRE_BLOCK));
  return _mm512_add_epi32 (_mm512_add_epi32 (a0, a1), _mm512_add_epi32 (a2, a3));
}

static void
distances_avx512 (const DmKmeansCounts *counts, const DmKmeansKey *key,
                  gsize cblock_begin, gsize cblock_end,
                  const double *inv_members, const double *norm_term,
                  double *out, double *block_min)
{
  for (gsize c = cblock_begin; c < cblock_end; c++)
    {
      __m512i sums = block_sums (counts, c, key->plus, key->n_plus);

      /* Modulo 2^32, exact: the dot products are below 2^32. */
      if (key->base != NULL)
        sums = _mm512_sub_epi32 (_mm512_add_epi32 (sums, _mm512_loadu_si512 (key->base + c * DM_KMEANS_CENTRE_BLOCK)),
                                 block_sums (counts, c, key->minus, key->n_minus));
      store_distances (sums, c * DM_KMEANS_CENTRE_BLOCK, key->popcount, inv_members, norm_term,
                       out + (c - cblock_begin) * DM_KMEANS_CENTRE_BLOCK,
                       block_min + (c - cblock_begin));
    }
}

static void
sums_avx512 (const DmKmeansCounts *counts, const guint16 *features, guint n, gsize c,
             guint32 *out)
{
  _mm512_storeu_si512 (out, block_sums (counts, c, features, n));
}

static void
apply_centre_avx512 (const guint16 *distance, guint16 *nearest, guint16 *second,
                     guint *label, gsize count, guint centre)
{
  __m512i centre_v = _mm512_set1_epi32 ((int) centre);
  gsize i = 0;

  for (; i + 32 <= count; i += 32)
    {
      __m512i d = _mm512_loadu_si512 (distance + i);
      __m512i n = _mm512_loadu_si512 (nearest + i);
      __m512i s = _mm512_loadu_si512 (second + i);
      __mmask32 closer = _mm512_cmplt_epu16_mask (d, n);

      if (closer == 0 && _mm512_cmplt_epu16_mask (d, s) == 0)
        continue;
      _mm512_storeu_si512 (second + i, _mm512_mask_blend_epi16 (closer, _mm512_min_epu16 (s, d), n));
      _mm512_storeu_si512 (nearest + i, _mm512_min_epu16 (n, d));
      _mm512_mask_storeu_epi32 (label + i, (__mmask16) closer, centre_v);
      _mm512_mask_storeu_epi32 (label + i + 16, (__mmask16) (closer >> 16), centre_v);
    }
  dm_kmeans_apply_centre_range (distance, nearest, second, label, i, count, centre);
}

DM_KMEANS_DEFINE_KERNELS (avx512);
