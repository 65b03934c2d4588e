/* dm-kmeans-portable.c: k-means kernels in plain C.
 *
 * dm-kmeans-avx2.c builds this same source again for CPUs with AVX2 and
 * POPCNT, under another name.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-kmeans-kernels.h"

#include <math.h>


static void
hamming_portable (const guint64 *points_t, gsize n_words,
                  gsize block_begin, gsize block_end,
                  const guint64 *candidates, guint n_candidates,
                  const guint16 *nearest,
                  guint16 *out, gsize out_stride, guint64 *potentials)
{
  for (guint t = 0; t < n_candidates; t++)
    {
      const guint64 *candidate = candidates + t * n_words;
      guint64 potential = 0;

      for (gsize b = block_begin; b < block_end; b++)
        {
          const guint64 *block = points_t + b * n_words * DM_KMEANS_POINT_BLOCK;
          gsize first = (b - block_begin) * DM_KMEANS_POINT_BLOCK;
          guint distance[DM_KMEANS_POINT_BLOCK] = { 0 };

          for (gsize w = 0; w < n_words; w++)
            for (guint lane = 0; lane < DM_KMEANS_POINT_BLOCK; lane++)
              distance[lane] += (guint) __builtin_popcountll (
                  block[w * DM_KMEANS_POINT_BLOCK + lane] ^ candidate[w]);
          for (guint lane = 0; lane < DM_KMEANS_POINT_BLOCK; lane++)
            {
              out[t * out_stride + first + lane] = (guint16) distance[lane];
              potential += MIN (distance[lane], nearest[first + lane]);
            }
        }
      potentials[t] = potential;
    }
}

static void
distances_portable (const guint32 *counts_t, gsize n_features,
                    const guint16 *set_features, guint n_set,
                    gsize cblock_begin, gsize cblock_end,
                    guint popcount, const double *inv_members,
                    const double *norm_term, double *out, double *block_min)
{
  for (gsize c = cblock_begin; c < cblock_end; c++)
    {
      const guint32 *block = counts_t + c * n_features * DM_KMEANS_CENTRE_BLOCK;
      guint32 sum[DM_KMEANS_CENTRE_BLOCK] = { 0 };
      double *distance = out + (c - cblock_begin) * DM_KMEANS_CENTRE_BLOCK;

      for (guint s = 0; s < n_set; s++)
        {
          const guint32 *row = block + (gsize) set_features[s] * DM_KMEANS_CENTRE_BLOCK;
          for (guint lane = 0; lane < DM_KMEANS_CENTRE_BLOCK; lane++)
            sum[lane] += row[lane];
        }
      double smallest = INFINITY;
      for (guint lane = 0; lane < DM_KMEANS_CENTRE_BLOCK; lane++)
        {
          gsize j = c * DM_KMEANS_CENTRE_BLOCK + lane;
          double twice = 2.0 * (double) sum[lane];
          double cross = twice * inv_members[j];
          double partial = (double) popcount - cross;
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
  for (gsize i = 0; i < count; i++)
    {
      guint16 d = distance[i], n = nearest[i];
      gboolean closer = d < n;
      second[i] = closer ? n : MIN (second[i], d);
      nearest[i] = closer ? d : n;
      label[i] = closer ? centre : label[i];
    }
}

#ifndef DM_KMEANS_KERNELS_NAME
#define DM_KMEANS_KERNELS_NAME dm_kmeans_kernels_portable
#endif

const DmKmeansKernels DM_KMEANS_KERNELS_NAME = {
  hamming_portable,
  distances_portable,
  apply_centre_portable,
};
