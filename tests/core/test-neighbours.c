/* test-neighbours.c: the exact nearest neighbours' label disagreement
 * against all pairs sorted plainly, on every kernel path and thread count.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "dm-keys.h"
#include "dm-neighbours.h"

/* @n keys, copies of 12 random ones with a bit or two flipped now and
 * then: many exact ties, so the lower index must break them. Labels 0..3
 * at random, every fifth item none. */
static void
make_items (gsize n, gsize key_bytes, guint32 seed, guint8 **keys_out, int **labels_out)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint8 *bases = g_new (guint8, 12 * key_bytes);
  guint8 *keys = g_new (guint8, MAX (n * key_bytes, 1));
  int *labels = g_new (int, MAX (n, 1));

  for (gsize b = 0; b < 12 * key_bytes; b++)
    bases[b] = (guint8) g_rand_int_range (rand, 0, 256);
  for (gsize i = 0; i < n; i++)
    {
      guint8 *key = keys + i * key_bytes;
      guint flips = (guint) g_rand_int_range (rand, 0, 3);

      memcpy (key, bases + (gsize) g_rand_int_range (rand, 0, 12) * key_bytes, key_bytes);
      for (guint f = 0; f < flips; f++)
        {
          guint bit = (guint) g_rand_int_range (rand, 0, (gint32) (8 * key_bytes));
          key[bit / 8] ^= (guint8) (1u << (bit % 8));
        }
      labels[i] = i % 5 == 2 ? -1 : g_rand_int_range (rand, 0, 4);
    }
  *keys_out = keys;
  *labels_out = labels;
}

typedef struct {
  guint distance, item;
} Pair;

static int
compare_pairs (gconstpointer a, gconstpointer b)
{
  const Pair *x = a, *y = b;

  if (x->distance != y->distance)
    return x->distance < y->distance ? -1 : 1;
  return (x->item > y->item) - (x->item < y->item);
}

/* The documented count, plainly: every other item, sorted by (distance,
 * index), the first k. */
static void
count_plainly (const guint8 *keys, gsize n, gsize key_bytes, const int *labels, guint k,
               guint *disagreeing)
{
  g_autofree Pair *others = g_new (Pair, MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    {
      gsize m = 0;

      for (gsize j = 0; j < n; j++)
        if (j != i)
          others[m++] = (Pair) { dm_keys_hamming (keys + i * key_bytes, keys + j * key_bytes, key_bytes),
                                 (guint) j };
      qsort (others, m, sizeof *others, compare_pairs);
      disagreeing[i] = 0;
      for (gsize r = 0; r < MIN ((gsize) k, m); r++)
        disagreeing[i] += labels[others[r].item] != labels[i];
    }
}

/* Several key widths (one word, the generic path, image and image + text
 * keys), sizes (none, one, a partial block, several tiles, odd and even),
 * k below and above n; each on every kernel path this CPU runs, 1 to 3
 * threads (tiles of other sizes), the plain count exactly. */
static void
test_matches_plain_count (void)
{
  const gsize widths[] = { 8, 24, 64, 128 };
  const gsize sizes[] = { 0, 1, 2, 7, 300, 1100 };
  const guint ks[] = { 1, 5, 20, 1000 };
  const DmKmeansKernel kernels[] = {
    DM_KMEANS_KERNEL_PORTABLE, DM_KMEANS_KERNEL_AVX2, DM_KMEANS_KERNEL_AVX512,
  };
  guint compared = 0;

  for (gsize w = 0; w < G_N_ELEMENTS (widths); w++)
    for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        gsize n = sizes[s], key_bytes = widths[w];
        g_autofree guint8 *keys = NULL;
        g_autofree int *labels = NULL;

        /* The largest size on the widest keys only: the plain count is
         * quadratic in memory traffic. */
        if (n > 300 && key_bytes != 64 && key_bytes != 8)
          continue;
        make_items (n, key_bytes, (guint32) (7 * w + s), &keys, &labels);
        for (gsize q = 0; q < G_N_ELEMENTS (ks); q++)
          {
            g_autofree guint *expected = NULL;

            /* The longest lists on few items only: a distance entering
             * a list moves up to the list's length of entries. */
            if (ks[q] > 300 && n > 300)
              continue;
            expected = g_new (guint, MAX (n, 1));

            count_plainly (keys, n, key_bytes, labels, ks[q], expected);
            for (gsize p = 0; p < G_N_ELEMENTS (kernels); p++)
              for (guint threads = 1; threads <= 3; threads++)
                {
                  DmNeighboursRequest request = {
                    .keys = keys, .n_items = n, .key_bytes = key_bytes, .labels = labels,
                    .k = ks[q], .n_threads = threads, .kernel = kernels[p],
                  };
                  g_autofree guint *got = g_new (guint, MAX (n, 1));
                  g_autoptr(GError) error = NULL;

                  if (dm_kmeans_kernel_name (kernels[p], NULL) == NULL)
                    continue;
                  g_assert_true (dm_neighbours_count_disagreeing (&request, got, &error));
                  g_assert_no_error (error);
                  for (gsize i = 0; i < n; i++)
                    if (got[i] != expected[i])
                      g_error ("%" G_GSIZE_FORMAT " items of %" G_GSIZE_FORMAT " bytes, k %u, "
                               "%u threads, kernel %d: item %" G_GSIZE_FORMAT " has %u, not %u",
                               n, key_bytes, ks[q], threads, (int) kernels[p], i, got[i], expected[i]);
                  compared++;
                }
          }
      }
  g_assert_cmpuint (compared, >, 0);
}

/* Ties at one distance go to the lower index: item 0's one neighbour,
 * among three copies of its key, is item 1, of another label. */
static void
test_ties_to_lower_index (void)
{
  guint8 keys[4 * 8] = { 0 };
  const int labels[4] = { 0, 1, 0, 0 };
  guint got[4];
  DmNeighboursRequest request = { .keys = keys, .n_items = 4, .key_bytes = 8, .labels = labels, .k = 1 };
  g_autoptr(GError) error = NULL;

  keys[3 * 8] = 0xff;   /* item 3: 8 bits away from the others */
  g_assert_true (dm_neighbours_count_disagreeing (&request, got, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (got[0], ==, 1);   /* item 1 */
  g_assert_cmpuint (got[1], ==, 1);   /* item 0 */
  g_assert_cmpuint (got[2], ==, 0);   /* item 0, not 1 */
  g_assert_cmpuint (got[3], ==, 0);   /* item 0 */
}

typedef struct {
  guint calls, stop_at;
} Progress;

static gboolean
progress_stop (double fraction, gpointer data, GError **error)
{
  Progress *progress = data;

  g_assert_cmpfloat (fraction, >, 0.0);
  g_assert_cmpfloat (fraction, <=, 1.0);
  if (++progress->calls < progress->stop_at)
    return TRUE;
  g_set_error_literal (error, DM_CORE_ERROR, DM_CORE_ERROR_CANCELLED, "stop");
  return FALSE;
}

/* Progress comes between rounds, ends at 1, and stops the search. */
static void
test_progress_and_cancel (void)
{
  g_autofree guint8 *keys = NULL;
  g_autofree int *labels = NULL;
  g_autofree guint *got = g_new (guint, 2000);
  Progress progress = { 0, G_MAXUINT };
  DmNeighboursRequest request = { .n_items = 2000, .key_bytes = 64, .k = 20, .n_threads = 2,
                                  .progress = progress_stop, .progress_data = &progress };
  g_autoptr(GError) error = NULL;

  make_items (2000, 64, 5, &keys, &labels);
  request.keys = keys;
  request.labels = labels;
  g_assert_true (dm_neighbours_count_disagreeing (&request, got, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (progress.calls, >, 2);

  progress = (Progress) { 0, 2 };
  g_assert_false (dm_neighbours_count_disagreeing (&request, got, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_CANCELLED);
  g_assert_cmpuint (progress.calls, ==, 2);
}

static void
test_bad_requests (void)
{
  guint8 keys[2 * 12] = { 0 };
  const int labels[2] = { 0, 1 };
  guint got[2];
  const struct { gsize key_bytes; guint k; } bad[] = { { 8, 0 }, { 8, DM_NEIGHBOURS_MAX + 1 }, { 12, 1 } };

  for (gsize b = 0; b < G_N_ELEMENTS (bad); b++)
    {
      DmNeighboursRequest request = { .keys = keys, .n_items = 2, .key_bytes = bad[b].key_bytes,
                                      .labels = labels, .k = bad[b].k };
      g_autoptr(GError) error = NULL;

      g_assert_false (dm_neighbours_count_disagreeing (&request, got, &error));
      g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/neighbours/matches-plain-count", test_matches_plain_count);
  g_test_add_func ("/neighbours/ties-to-lower-index", test_ties_to_lower_index);
  g_test_add_func ("/neighbours/progress-and-cancel", test_progress_and_cancel);
  g_test_add_func ("/neighbours/bad-requests", test_bad_requests);

  return g_test_run ();
}
