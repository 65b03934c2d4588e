/* dm-embedding-key.c: sign-of-random-hyperplane keys of centred embeddings.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-embedding-key.h"

#include <math.h>
#include <string.h>

/* Seeds the hyperplanes: fixed, as part of the key's definition. */
#define HYPERPLANE_SEED 0x5eed2023u

/* @dim × DM_EMBEDDING_KEY_BITS standard normal values, row d holding
 * coordinate d of every normal, so a projection is a run of axpy's over
 * contiguous memory. Box-Muller on GRand's doubles. */
static float *
hyperplanes_new (gsize dim)
{
  gsize n = dim * DM_EMBEDDING_KEY_BITS;
  float *normals = g_new (float, n);
  g_autoptr(GRand) rand = g_rand_new_with_seed (HYPERPLANE_SEED);

  for (gsize i = 0; i < n; i += 2)
    {
      double u = 1.0 - g_rand_double (rand);   /* (0, 1]: log is finite */
      double v = g_rand_double (rand);
      double radius = sqrt (-2.0 * log (u));

      normals[i] = (float) (radius * cos (2 * G_PI * v));
      normals[i + 1] = (float) (radius * sin (2 * G_PI * v));   /* n is even */
    }
  return normals;
}

gboolean
dm_embedding_keys (const float *vectors,
                   gsize        n_rows,
                   gsize        dim,
                   guint8      *keys,
                   GError     **error)
{
  g_autofree double *sum = NULL;
  g_autofree float *mean = NULL;
  g_autofree float *centred = NULL;
  g_autofree float *normals = NULL;
  float projection[DM_EMBEDDING_KEY_BITS];

  g_return_val_if_fail (vectors != NULL || n_rows == 0 || dim == 0, FALSE);
  g_return_val_if_fail (keys != NULL || n_rows == 0, FALSE);

  if (n_rows == 0 || dim == 0)
    {
      g_set_error_literal (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                           "there are no embedding vectors to make keys of");
      return FALSE;
    }

  sum = g_new0 (double, dim);
  for (gsize r = 0; r < n_rows; r++)
    for (gsize d = 0; d < dim; d++)
      {
        float value = vectors[r * dim + d];
        if (!isfinite (value))
          {
            g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                         "row %" G_GSIZE_FORMAT ", column %" G_GSIZE_FORMAT " is %s",
                         r, d, isnan (value) ? "NaN" : "infinite");
            return FALSE;
          }
        sum[d] += value;
      }
  mean = g_new (float, dim);
  for (gsize d = 0; d < dim; d++)
    mean[d] = (float) (sum[d] / (double) n_rows);

  normals = hyperplanes_new (dim);
  centred = g_new (float, dim);
  for (gsize r = 0; r < n_rows; r++)
    {
      guint8 *key = keys + r * DM_EMBEDDING_KEY_BYTES;

      for (gsize d = 0; d < dim; d++)
        centred[d] = vectors[r * dim + d] - mean[d];
      memset (projection, 0, sizeof projection);
      for (gsize d = 0; d < dim; d++)
        {
          const float *row = normals + d * DM_EMBEDDING_KEY_BITS;
          float x = centred[d];
          for (guint b = 0; b < DM_EMBEDDING_KEY_BITS; b++)
            projection[b] += x * row[b];
        }
      memset (key, 0, DM_EMBEDDING_KEY_BYTES);
      for (guint b = 0; b < DM_EMBEDDING_KEY_BITS; b++)
        if (projection[b] > 0)
          key[b / 8] |= (guint8) (0x80u >> (b % 8));
    }
  return TRUE;
}
