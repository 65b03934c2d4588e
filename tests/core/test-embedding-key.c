/* test-embedding-key.c: keys from embedding vectors.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include "dm-embedding-key.h"
#include "dm-keys.h"

static guint8 *
keys_ok (const float *vectors, gsize n, gsize dim)
{
  guint8 *keys = g_new (guint8, n * DM_EMBEDDING_KEY_BYTES);
  g_autoptr(GError) error = NULL;

  g_assert_true (dm_embedding_keys (vectors, n, dim, keys, &error));
  g_assert_no_error (error);
  return keys;
}

/* The same vectors give the same keys; a common offset (removed by the
 * centring) and a positive scale (a sign does not see it) change nothing.
 * Small integers keep every sum exact. */
static void
test_invariances (void)
{
  enum { N = 8, DIM = 16 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  float vectors[N * DIM], shifted[N * DIM], scaled[N * DIM];
  g_autofree guint8 *keys = NULL, *again = NULL, *keys_shifted = NULL, *keys_scaled = NULL;

  for (gsize i = 0; i < N * DIM; i++)
    {
      vectors[i] = (float) g_rand_int_range (rand, -8, 9);
      shifted[i] = vectors[i] + (float) (i % DIM) * 4.0f;
      scaled[i] = vectors[i] * 4.0f;
    }
  keys = keys_ok (vectors, N, DIM);
  again = keys_ok (vectors, N, DIM);
  keys_shifted = keys_ok (shifted, N, DIM);
  keys_scaled = keys_ok (scaled, N, DIM);
  g_assert_cmpmem (keys, N * DM_EMBEDDING_KEY_BYTES, again, N * DM_EMBEDDING_KEY_BYTES);
  g_assert_cmpmem (keys, N * DM_EMBEDDING_KEY_BYTES, keys_shifted, N * DM_EMBEDDING_KEY_BYTES);
  g_assert_cmpmem (keys, N * DM_EMBEDDING_KEY_BYTES, keys_scaled, N * DM_EMBEDDING_KEY_BYTES);
  /* Opposite centred vectors: every bit differs. Rows 0 and 1 are made
   * opposite around a zero mean. */
  memset (vectors, 0, sizeof vectors);
  for (gsize d = 0; d < DIM; d++)
    {
      vectors[d] = (float) (d + 1);
      vectors[DIM + d] = -(float) (d + 1);
    }
  g_clear_pointer (&keys, g_free);
  keys = keys_ok (vectors, 2, DIM);
  g_assert_cmpuint (dm_keys_hamming (keys, keys + DM_EMBEDDING_KEY_BYTES, DM_EMBEDDING_KEY_BYTES), ==,
                    DM_EMBEDDING_KEY_BITS);
}

static void
normal_vector (GRand *rand, float *v, gsize dim)
{
  for (gsize d = 0; d < dim; d += 2)
    {
      double u = 1.0 - g_rand_double (rand), w = g_rand_double (rand);
      v[d] = (float) (sqrt (-2 * log (u)) * cos (2 * G_PI * w));
      if (d + 1 < dim)
        v[d + 1] = (float) (sqrt (-2 * log (u)) * sin (2 * G_PI * w));
    }
}

static double
angle (const float *a, const float *b, const float *mean, gsize dim)
{
  double dot = 0, na = 0, nb = 0;

  for (gsize d = 0; d < dim; d++)
    {
      double x = a[d] - mean[d], y = b[d] - mean[d];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
  return acos (CLAMP (dot / sqrt (na * nb), -1.0, 1.0));
}

/* Hamming distance / bits estimates the angle between centred vectors
 * over pi (SimHash), and neighbours stay neighbours: each item's nearest
 * key is one of its own group's. */
static void
test_cosine_neighbourhoods (void)
{
  enum { GROUPS = 6, PER_GROUP = 20, N = GROUPS * PER_GROUP, DIM = 96 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree float *vectors = g_new (float, N * DIM);
  g_autofree float *mean = g_new0 (float, DIM);
  float direction[DIM], noise[DIM];
  g_autofree guint8 *keys = NULL;
  double worst = 0;

  for (guint g = 0; g < GROUPS; g++)
    {
      normal_vector (rand, direction, DIM);
      for (guint m = 0; m < PER_GROUP; m++)
        {
          float *v = vectors + (g * PER_GROUP + m) * DIM;
          normal_vector (rand, noise, DIM);
          /* A common offset, which the centring removes. */
          for (gsize d = 0; d < DIM; d++)
            v[d] = 10.0f + direction[d] + 0.5f * noise[d];
        }
    }
  for (gsize i = 0; i < N; i++)
    for (gsize d = 0; d < DIM; d++)
      mean[d] += vectors[i * DIM + d] / N;
  keys = keys_ok (vectors, N, DIM);

  for (gsize i = 0; i < N; i++)
    {
      gsize nearest = i;
      guint nearest_distance = G_MAXUINT;

      for (gsize o = 0; o < N; o++)
        {
          guint distance;
          double expected;

          if (o == i)
            continue;
          distance = dm_keys_hamming (keys + i * DM_EMBEDDING_KEY_BYTES, keys + o * DM_EMBEDDING_KEY_BYTES,
                                      DM_EMBEDDING_KEY_BYTES);
          expected = angle (vectors + i * DIM, vectors + o * DIM, mean, DIM) / G_PI;
          worst = MAX (worst, fabs ((double) distance / DM_EMBEDDING_KEY_BITS - expected));
          if (distance < nearest_distance)
            {
              nearest_distance = distance;
              nearest = o;
            }
        }
      g_assert_cmpuint (nearest / PER_GROUP, ==, i / PER_GROUP);
    }
  /* 512 bits: a standard deviation of at most 0.022; 5 sd over 14 280 pairs. */
  g_assert_cmpfloat (worst, <, 0.11);
}

static void
test_refuses_non_finite (void)
{
  float vectors[6] = { 1, 2, 3, 4, NAN, 6 };
  guint8 keys[3 * DM_EMBEDDING_KEY_BYTES];
  g_autoptr(GError) error = NULL;

  g_assert_false (dm_embedding_keys (vectors, 3, 2, keys, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "row 2, column 0 is NaN"));
  g_clear_error (&error);

  vectors[4] = 5;
  vectors[1] = -INFINITY;
  g_assert_false (dm_embedding_keys (vectors, 3, 2, keys, &error));
  g_assert_nonnull (strstr (error->message, "row 0, column 1 is infinite"));
  g_clear_error (&error);

  g_assert_false (dm_embedding_keys (vectors, 0, 2, keys, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/embedding-key/invariances", test_invariances);
  g_test_add_func ("/embedding-key/cosine-neighbourhoods", test_cosine_neighbourhoods);
  g_test_add_func ("/embedding-key/refuses-non-finite", test_refuses_non_finite);

  return g_test_run ();
}
