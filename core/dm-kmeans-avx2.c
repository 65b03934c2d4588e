/* dm-kmeans-avx2.c: k-means kernels written for AVX2, for CPUs without
 * AVX-512 VPOPCNTDQ.
 *
 * Built with AVX2 code generation (no FMA, so the double arithmetic is the
 * portable kernels' to the bit); only called after
 * dm_kmeans_avx2_available() checked the CPU.
 *
 * - hamming: XOR, then Muła's byte-shuffle popcount (a 16-entry nibble
 *   table in VPSHUFB); byte counts add up over the words of a key and one
 *   VPSADBW per 4 points turns them into distances.
 * - distances: the 16 counts of a centre block are one 256-bit row of
 *   16 x 16 bits (two rows of 8 x 32 bits where counts may not fit),
 *   summed over the key's set features; the doubles in 4 lanes.
 * - apply_centre: 16 points per step in 16-bit lanes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-kmeans-kernels.h"

#include <immintrin.h>

/* Byte counts add up to at most 8 per word: 31 words fit in a byte. */
#define WORDS_PER_FLUSH 31

static inline __m256i
popcount_bytes (__m256i x, __m256i table, __m256i low_nibbles)
{
  __m256i low = _mm256_and_si256 (x, low_nibbles);
  __m256i high = _mm256_and_si256 (_mm256_srli_epi16 (x, 4), low_nibbles);
  return _mm256_add_epi8 (_mm256_shuffle_epi8 (table, low), _mm256_shuffle_epi8 (table, high));
}

/* Distances of the 8 points of a block to one candidate over words
 * [w_begin, w_end), as 8 x 32 bits in point order. */
static inline __attribute__((always_inline)) __m256i
block_distances (const guint64 *block, gsize w_begin, gsize w_end, const __m256i *words,
                 const guint64 *candidate, __m256i table, __m256i low_nibbles)
{
  __m256i sum0 = _mm256_setzero_si256 (), sum1 = _mm256_setzero_si256 ();
  __m256i zero = _mm256_setzero_si256 ();

  for (gsize w0 = w_begin; w0 < w_end; w0 += WORDS_PER_FLUSH)
    {
      gsize w_flush = MIN (w0 + WORDS_PER_FLUSH, w_end);
      __m256i bytes0 = _mm256_setzero_si256 (), bytes1 = _mm256_setzero_si256 ();

#pragma GCC unroll 16
      for (gsize w = w0; w < w_flush; w++)
        {
          const __m256i *row = (const __m256i *) (block + w * DM_KMEANS_POINT_BLOCK);
          /* Held in registers for the common widths, else from memory. */
          __m256i word = words != NULL ? words[w] : _mm256_set1_epi64x ((long long) candidate[w]);
          bytes0 = _mm256_add_epi8 (bytes0, popcount_bytes (
                       _mm256_xor_si256 (_mm256_loadu_si256 (row), word), table, low_nibbles));
          bytes1 = _mm256_add_epi8 (bytes1, popcount_bytes (
                       _mm256_xor_si256 (_mm256_loadu_si256 (row + 1), word), table, low_nibbles));
        }
      /* Points 0-3 and 4-7, one 64-bit sum each. */
      sum0 = _mm256_add_epi64 (sum0, _mm256_sad_epu8 (bytes0, zero));
      sum1 = _mm256_add_epi64 (sum1, _mm256_sad_epu8 (bytes1, zero));
    }
  /* Sums are below 2^16: pack the low halves of the 64-bit lanes to
   * [d0 d1 d4 d5 | d2 d3 d6 d7] as 32 bits, then put them in order. */
  __m256i packed = _mm256_castps_si256 (_mm256_shuffle_ps (_mm256_castsi256_ps (sum0),
                                                           _mm256_castsi256_ps (sum1),
                                                           _MM_SHUFFLE (2, 0, 2, 0)));
  return _mm256_permute4x64_epi64 (packed, _MM_SHUFFLE (3, 1, 2, 0));
}

/* One candidate against a run of point blocks; n_words is a constant in
 * the common instantiations, bounded one in each. */
static inline __attribute__((always_inline)) guint64
hamming_candidate (const guint64 *points_t, gsize n_words,
                   gsize block_begin, gsize block_end,
                   const guint64 *candidate, const guint16 *nearest, guint16 *out,
                   gboolean bounded)
{
  const __m256i table = _mm256_setr_epi8 (0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                          0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low_nibbles = _mm256_set1_epi8 (0x0f);
  __m256i held[16];
  const __m256i *words = n_words <= G_N_ELEMENTS (held) ? held : NULL;
  gsize checked = bounded ? dm_kmeans_bound_words (n_words) : n_words;
  guint64 potential = 0;

#pragma GCC unroll 16
  for (gsize w = 0; w < MIN (n_words, G_N_ELEMENTS (held)); w++)
    held[w] = _mm256_set1_epi64x ((long long) candidate[w]);
  for (gsize b = block_begin; b < block_end;)
    {
      /* 32-bit lane sums stay exact for 2^15 blocks of distances < 2^16. */
      gsize b_end = MIN (block_end, b + 32768);
      __m256i lanes = _mm256_setzero_si256 ();

      for (; b < b_end; b++)
        {
          const guint64 *block = points_t + b * n_words * DM_KMEANS_POINT_BLOCK;
          gsize first = (b - block_begin) * DM_KMEANS_POINT_BLOCK;
          __m256i near = _mm256_cvtepu16_epi32 (_mm_loadu_si128 ((const __m128i *) (nearest + first)));
          __m256i distance = block_distances (block, 0, checked, words, candidate, table, low_nibbles);

          /* Distances are below 2^16: signed comparison is exact. */
          if (checked < n_words
              && !_mm256_testz_si256 (_mm256_cmpgt_epi32 (near, distance), _mm256_set1_epi32 (-1)))
            distance = _mm256_add_epi32 (distance, block_distances (block, checked, n_words, words,
                                                                    candidate, table, low_nibbles));
          __m256i as16 = _mm256_packus_epi32 (distance, distance);

          lanes = _mm256_add_epi32 (lanes, _mm256_min_epu32 (distance, near));
          _mm_storeu_si128 ((__m128i *) (out + first),
                            _mm256_castsi256_si128 (_mm256_permute4x64_epi64 (as16, _MM_SHUFFLE (3, 1, 2, 0))));
        }
      __m256i wide = _mm256_add_epi64 (_mm256_cvtepu32_epi64 (_mm256_castsi256_si128 (lanes)),
                                       _mm256_cvtepu32_epi64 (_mm256_extracti128_si256 (lanes, 1)));
      __m128i half = _mm_add_epi64 (_mm256_castsi256_si128 (wide), _mm256_extracti128_si256 (wide, 1));
      potential += (guint64) _mm_cvtsi128_si64 (half) + (guint64) _mm_extract_epi64 (half, 1);
    }
  return potential;
}

DM_KMEANS_DEFINE_HAMMING (hamming_avx2, hamming_candidate)

/* The portable kernel's formula, 4 doubles at a time, in its order. */
static inline __m256d
distance_lanes (__m128i sums, const double *inv_members, const double *norm_term, __m256d pc)
{
  __m256d twice = _mm256_mul_pd (_mm256_set1_pd (2.0), _mm256_cvtepi32_pd (sums));
  __m256d cross = _mm256_mul_pd (twice, _mm256_loadu_pd (inv_members));
  return _mm256_add_pd (_mm256_sub_pd (pc, cross), _mm256_loadu_pd (norm_term));
}

static inline void
store_distances (__m256i sums_low, __m256i sums_high, gsize first_centre, guint popcount,
                 const double *inv_members, const double *norm_term, double *out,
                 double *block_min)
{
  __m256d pc = _mm256_set1_pd ((double) popcount);
  __m256d d[4];
  __m256d smallest;
  __m128d pair;

  /* Counts are below 2^31 (at most DM_KMEANS_MAX_ITEMS members): signed
   * conversion is exact. */
  d[0] = distance_lanes (_mm256_castsi256_si128 (sums_low), inv_members + first_centre,
                         norm_term + first_centre, pc);
  d[1] = distance_lanes (_mm256_extracti128_si256 (sums_low, 1), inv_members + first_centre + 4,
                         norm_term + first_centre + 4, pc);
  d[2] = distance_lanes (_mm256_castsi256_si128 (sums_high), inv_members + first_centre + 8,
                         norm_term + first_centre + 8, pc);
  d[3] = distance_lanes (_mm256_extracti128_si256 (sums_high, 1), inv_members + first_centre + 12,
                         norm_term + first_centre + 12, pc);
  for (guint q = 0; q < 4; q++)
    _mm256_storeu_pd (out + 4 * q, d[q]);
  /* min is exact: any order gives the portable kernel's value. */
  smallest = _mm256_min_pd (_mm256_min_pd (d[0], d[1]), _mm256_min_pd (d[2], d[3]));
  pair = _mm_min_pd (_mm256_castpd256_pd128 (smallest), _mm256_extractf128_pd (smallest, 1));
  *block_min = _mm_cvtsd_f64 (_mm_min_sd (pair, _mm_unpackhi_pd (pair, pair)));
}

/* The 16 sums of a block from 32-bit counts, as two rows of 8. */
static inline void
wide_sums (const guint32 *block, const guint16 *set_features, guint n_set,
           __m256i *low, __m256i *high)
{
  __m256i low0 = _mm256_setzero_si256 (), high0 = _mm256_setzero_si256 ();
  __m256i low1 = _mm256_setzero_si256 (), high1 = _mm256_setzero_si256 ();
  guint s = 0;

  /* Two features at a time keep the adds from waiting on each other. */
  for (; s + 1 < n_set; s += 2)
    {
      const __m256i *row0 = (const __m256i *) (block + (gsize) set_features[s] * DM_KMEANS_CENTRE_BLOCK);
      const __m256i *row1 = (const __m256i *) (block + (gsize) set_features[s + 1] * DM_KMEANS_CENTRE_BLOCK);
      low0 = _mm256_add_epi32 (low0, _mm256_loadu_si256 (row0));
      high0 = _mm256_add_epi32 (high0, _mm256_loadu_si256 (row0 + 1));
      low1 = _mm256_add_epi32 (low1, _mm256_loadu_si256 (row1));
      high1 = _mm256_add_epi32 (high1, _mm256_loadu_si256 (row1 + 1));
    }
  if (s < n_set)
    {
      const __m256i *row = (const __m256i *) (block + (gsize) set_features[s] * DM_KMEANS_CENTRE_BLOCK);
      low0 = _mm256_add_epi32 (low0, _mm256_loadu_si256 (row));
      high0 = _mm256_add_epi32 (high0, _mm256_loadu_si256 (row + 1));
    }
  *low = _mm256_add_epi32 (low0, low1);
  *high = _mm256_add_epi32 (high0, high1);
}

/* The same sums from 16-bit counts: a block's 16 counts of a feature are
 * one row, summed in 16-bit lanes over runs of at most run features (which
 * cannot overflow, see DmKmeansCounts), each run then widened. */
static inline void
narrow_sums (const guint16 *block, const guint16 *set_features, guint n_set, guint run,
             __m256i *low, __m256i *high)
{
  __m256i wide_low = _mm256_setzero_si256 (), wide_high = _mm256_setzero_si256 ();

  for (guint first = 0; first < n_set; first += run)
    {
      guint end = first + MIN (run, n_set - first), s = first;
      __m256i sum0 = _mm256_setzero_si256 (), sum1 = _mm256_setzero_si256 ();

      for (; s + 1 < end; s += 2)
        {
          sum0 = _mm256_add_epi16 (sum0, _mm256_loadu_si256 ((const __m256i *) (block + (gsize) set_features[s] * DM_KMEANS_CENTRE_BLOCK)));
          sum1 = _mm256_add_epi16 (sum1, _mm256_loadu_si256 ((const __m256i *) (block + (gsize) set_features[s + 1] * DM_KMEANS_CENTRE_BLOCK)));
        }
      if (s < end)
        sum0 = _mm256_add_epi16 (sum0, _mm256_loadu_si256 ((const __m256i *) (block + (gsize) set_features[s] * DM_KMEANS_CENTRE_BLOCK)));
      /* Both halves together are one run's sum: below 2^16. */
      sum0 = _mm256_add_epi16 (sum0, sum1);
      wide_low = _mm256_add_epi32 (wide_low, _mm256_cvtepu16_epi32 (_mm256_castsi256_si128 (sum0)));
      wide_high = _mm256_add_epi32 (wide_high, _mm256_cvtepu16_epi32 (_mm256_extracti128_si256 (sum0, 1)));
    }
  *low = wide_low;
  *high = wide_high;
}

/* Block c's 16 sums over features, as two rows of 8 x 32 bits. */
static inline void
block_sums (const DmKmeansCounts *counts, gsize c, const guint16 *features, guint n,
            __m256i *low, __m256i *high)
{
  gsize block_size = counts->n_features * DM_KMEANS_CENTRE_BLOCK;

  if (counts->runs[c] > 0)
    narrow_sums (counts->narrow + c * block_size, features, n, counts->runs[c], low, high);
  else
    wide_sums (counts->wide + c * block_size, features, n, low, high);
}

static void
distances_avx2 (const DmKmeansCounts *counts, const DmKmeansKey *key,
                gsize cblock_begin, gsize cblock_end,
                const double *inv_members, const double *norm_term,
                double *out, double *block_min)
{
  for (gsize c = cblock_begin; c < cblock_end; c++)
    {
      __m256i low, high;

      block_sums (counts, c, key->plus, key->n_plus, &low, &high);
      if (key->base != NULL)
        {
          __m256i minus_low, minus_high;
          const __m256i *base = (const __m256i *) (key->base + c * DM_KMEANS_CENTRE_BLOCK);

          /* Modulo 2^32, exact: the dot products are below 2^32. */
          block_sums (counts, c, key->minus, key->n_minus, &minus_low, &minus_high);
          low = _mm256_sub_epi32 (_mm256_add_epi32 (low, _mm256_loadu_si256 (base)), minus_low);
          high = _mm256_sub_epi32 (_mm256_add_epi32 (high, _mm256_loadu_si256 (base + 1)), minus_high);
        }
      store_distances (low, high, c * DM_KMEANS_CENTRE_BLOCK, key->popcount, inv_members,
                       norm_term, out + (c - cblock_begin) * DM_KMEANS_CENTRE_BLOCK,
                       block_min + (c - cblock_begin));
    }
}

static void
sums_avx2 (const DmKmeansCounts *counts, const guint16 *features, guint n, gsize c,
           guint32 *out)
{
  __m256i low, high;

  block_sums (counts, c, features, n, &low, &high);
  _mm256_storeu_si256 ((__m256i *) out, low);
  _mm256_storeu_si256 ((__m256i *) (out + 8), high);
}

static void
apply_centre_avx2 (const guint16 *distance, guint16 *nearest, guint16 *second,
                   guint *label, gsize count, guint centre)
{
  const __m256i centre_v = _mm256_set1_epi32 ((int) centre);
  gsize i = 0;

  for (; i + 16 <= count; i += 16)
    {
      __m256i d = _mm256_loadu_si256 ((const __m256i *) (distance + i));
      __m256i n = _mm256_loadu_si256 ((const __m256i *) (nearest + i));
      __m256i s = _mm256_loadu_si256 ((const __m256i *) (second + i));
      /* d < n  <=>  min(d, n) != n */
      __m256i not_closer = _mm256_cmpeq_epi16 (_mm256_min_epu16 (d, n), n);
      __m256i not_below_second = _mm256_cmpeq_epi16 (_mm256_min_epu16 (d, s), s);

      if (_mm256_movemask_epi8 (_mm256_and_si256 (not_closer, not_below_second)) == -1)
        continue;
      _mm256_storeu_si256 ((__m256i *) (second + i),
                           _mm256_blendv_epi8 (n, _mm256_min_epu16 (s, d), not_closer));
      _mm256_storeu_si256 ((__m256i *) (nearest + i), _mm256_min_epu16 (n, d));
      /* 16-bit masks widened to the 32-bit labels, low and high 8 points. */
      __m256i closer = _mm256_xor_si256 (not_closer, _mm256_set1_epi32 (-1));
      __m256i mask_low = _mm256_cvtepi16_epi32 (_mm256_castsi256_si128 (closer));
      __m256i mask_high = _mm256_cvtepi16_epi32 (_mm256_extracti128_si256 (closer, 1));
      _mm256_maskstore_epi32 ((int *) (label + i), mask_low, centre_v);
      _mm256_maskstore_epi32 ((int *) (label + i + 8), mask_high, centre_v);
    }
  dm_kmeans_apply_centre_range (distance, nearest, second, label, i, count, centre);
}

DM_KMEANS_DEFINE_KERNELS (avx2);
