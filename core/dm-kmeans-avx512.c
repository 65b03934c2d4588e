/* dm-kmeans-avx512.c: k-means kernels for AVX-512 with VPOPCNTDQ.
 *
 * Built with AVX-512 code generation; only called after
 * dm_kmeans_simd_available() checked the CPU.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-kmeans-kernels.h"

#include <immintrin.h>

static void
hamming_avx512 (const guint64 *points_t, gsize n_words,
                gsize block_begin, gsize block_end,
                const guint64 *candidates, guint n_candidates,
                guint16 *out, gsize out_stride)
{
  for (gsize b = block_begin; b < block_end; b++)
    {
      const guint64 *block = points_t + b * n_words * DM_KMEANS_POINT_BLOCK;
      gsize first = (b - block_begin) * DM_KMEANS_POINT_BLOCK;

      for (guint t = 0; t < n_candidates; t++)
        {
          const guint64 *candidate = candidates + t * n_words;
          __m512i sum0 = _mm512_setzero_si512 ();
          __m512i sum1 = _mm512_setzero_si512 ();
          gsize w = 0;

          for (; w + 1 < n_words; w += 2)
            {
              __m512i x0 = _mm512_xor_si512 (_mm512_loadu_si512 (block + w * 8),
                                             _mm512_set1_epi64 ((long long) candidate[w]));
              __m512i x1 = _mm512_xor_si512 (_mm512_loadu_si512 (block + (w + 1) * 8),
                                             _mm512_set1_epi64 ((long long) candidate[w + 1]));
              sum0 = _mm512_add_epi64 (sum0, _mm512_popcnt_epi64 (x0));
              sum1 = _mm512_add_epi64 (sum1, _mm512_popcnt_epi64 (x1));
            }
          for (; w < n_words; w++)
            {
              __m512i x = _mm512_xor_si512 (_mm512_loadu_si512 (block + w * 8),
                                            _mm512_set1_epi64 ((long long) candidate[w]));
              sum0 = _mm512_add_epi64 (sum0, _mm512_popcnt_epi64 (x));
            }
          _mm_storeu_si128 ((__m128i *) (out + t * out_stride + first),
                            _mm512_cvtepi64_epi16 (_mm512_add_epi64 (sum0, sum1)));
        }
    }
}

static void
dot_avx512 (const guint32 *counts_t, gsize n_features,
            const guint16 *set_features, guint n_set,
            gsize cblock_begin, gsize cblock_end, guint32 *out)
{
  gsize c = cblock_begin;

  /* Two centre blocks at a time share the feature list walk. */
  for (; c + 1 < cblock_end; c += 2)
    {
      const guint32 *block0 = counts_t + c * n_features * DM_KMEANS_CENTRE_BLOCK;
      const guint32 *block1 = block0 + n_features * DM_KMEANS_CENTRE_BLOCK;
      __m512i a0 = _mm512_setzero_si512 (), a1 = _mm512_setzero_si512 ();
      __m512i b0 = _mm512_setzero_si512 (), b1 = _mm512_setzero_si512 ();
      guint s = 0;

      for (; s + 1 < n_set; s += 2)
        {
          gsize f0 = (gsize) set_features[s] * DM_KMEANS_CENTRE_BLOCK;
          gsize f1 = (gsize) set_features[s + 1] * DM_KMEANS_CENTRE_BLOCK;
          a0 = _mm512_add_epi32 (a0, _mm512_loadu_si512 (block0 + f0));
          b0 = _mm512_add_epi32 (b0, _mm512_loadu_si512 (block1 + f0));
          a1 = _mm512_add_epi32 (a1, _mm512_loadu_si512 (block0 + f1));
          b1 = _mm512_add_epi32 (b1, _mm512_loadu_si512 (block1 + f1));
        }
      if (s < n_set)
        {
          gsize f0 = (gsize) set_features[s] * DM_KMEANS_CENTRE_BLOCK;
          a0 = _mm512_add_epi32 (a0, _mm512_loadu_si512 (block0 + f0));
          b0 = _mm512_add_epi32 (b0, _mm512_loadu_si512 (block1 + f0));
        }
      _mm512_storeu_si512 (out + (c - cblock_begin) * DM_KMEANS_CENTRE_BLOCK,
                           _mm512_add_epi32 (a0, a1));
      _mm512_storeu_si512 (out + (c + 1 - cblock_begin) * DM_KMEANS_CENTRE_BLOCK,
                           _mm512_add_epi32 (b0, b1));
    }
  for (; c < cblock_end; c++)
    {
      const guint32 *block = counts_t + c * n_features * DM_KMEANS_CENTRE_BLOCK;
      __m512i a = _mm512_setzero_si512 ();

      for (guint s = 0; s < n_set; s++)
        a = _mm512_add_epi32 (a, _mm512_loadu_si512 (
                block + (gsize) set_features[s] * DM_KMEANS_CENTRE_BLOCK));
      _mm512_storeu_si512 (out + (c - cblock_begin) * DM_KMEANS_CENTRE_BLOCK, a);
    }
}

const DmKmeansKernels dm_kmeans_kernels_avx512 = {
  hamming_avx512,
  dot_avx512,
};
