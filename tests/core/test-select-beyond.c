/* test-select-beyond.c: prototype, dedup, herding and label stratification.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include "dm-keys.h"
#include "dm-neighbours.h"
#include "dm-quota.h"
#include "dm-select-beyond.h"
#include "select-test-data.h"

/* Per label a random key; items are copies with each bit flipped with
 * probability 1/8. Labels are skewed: label l is drawn about (l + 1) times
 * as often as label 0, and every seventh item has none when @unlabelled. */
static void
data_init (Data *data, gsize n, guint n_labels, gboolean unlabelled, guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint8 *centres = g_new (guint8, n_labels * KEY_BYTES);
  guint weight_sum = n_labels * (n_labels + 1) / 2;

  data->n = n;
  data->n_labels = n_labels;
  data->keys = g_new0 (guint8, n * KEY_BYTES);
  data->labels = g_new (int, n);
  for (gsize b = 0; b < n_labels * KEY_BYTES; b++)
    centres[b] = (guint8) g_rand_int_range (rand, 0, 256);
  for (gsize i = 0; i < n; i++)
    {
      guint draw = (guint) g_rand_int_range (rand, 0, (gint32) weight_sum);
      guint label = 0;

      while (draw >= label + 1)
        {
          draw -= label + 1;
          label++;
        }
      data->labels[i] = unlabelled && i % 7 == 3 ? -1 : (int) label;
      for (gsize b = 0; b < KEY_BYTES; b++)
        {
          guint8 flips = 0;
          for (guint bit = 0; bit < 8; bit++)
            flips |= (guint8) ((g_rand_int_range (rand, 0, 8) == 0) << bit);
          data->keys[i * KEY_BYTES + b] = centres[label * KEY_BYTES + b] ^ flips;
        }
    }
}

/* Asserts that @request is refused with @code, making no result. */
static void
assert_refused (const DmSelectRequest *request, gint code)
{
  DmSelectResult *result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (dm_cluster_select (request, &result, &error));
  g_assert_error (error, DM_CORE_ERROR, code);
  g_assert_null (result);
}

static void
test_prototype_resolve (void)
{
  g_assert_cmpint (dm_prototype_resolve (DM_PROTOTYPE_KEEP_AUTO, 0.05), ==, DM_PROTOTYPE_KEEP_EASY);
  g_assert_cmpint (dm_prototype_resolve (DM_PROTOTYPE_KEEP_AUTO, 0.29), ==, DM_PROTOTYPE_KEEP_EASY);
  g_assert_cmpint (dm_prototype_resolve (DM_PROTOTYPE_KEEP_AUTO, DM_PROTOTYPE_HARD_FROM), ==,
                   DM_PROTOTYPE_KEEP_HARD);
  g_assert_cmpint (dm_prototype_resolve (DM_PROTOTYPE_KEEP_AUTO, 0.9), ==, DM_PROTOTYPE_KEEP_HARD);
  g_assert_cmpint (dm_prototype_resolve (DM_PROTOTYPE_KEEP_HARD, 0.05), ==, DM_PROTOTYPE_KEEP_HARD);
  g_assert_cmpint (dm_prototype_resolve (DM_PROTOTYPE_KEEP_EASY, 0.9), ==, DM_PROTOTYPE_KEEP_EASY);
}

/* Easy: within each cluster no dropped item is nearer the centre than a
 * kept one; hard: none is farther. Quotas are the clusters' shares. */
static void
check_prototype (DmPrototypeKeep keep, double ratio)
{
  g_auto(Data) data = { 0 };
  DmSelectRequest request;
  g_autoptr(DmSelectResult) result = NULL;
  g_autofree gboolean *kept = NULL;
  g_autofree guint *quotas = NULL;
  gboolean easy;

  data_init (&data, 500, 5, FALSE, 3);
  request = request_for (&data, DM_SELECT_PROTOTYPE, ratio);
  request.prototype_keep = keep;
  easy = dm_prototype_resolve (keep, ratio) == DM_PROTOTYPE_KEEP_EASY;
  result = select_ok (&request);
  check_counts (result, data.n, dm_quota_total (data.n, ratio));
  g_assert_cmpuint (result->n_clusters, ==, 5);

  quotas = g_new (guint, result->n_clusters);
  g_assert_true (dm_quota_compute (result->cluster_sizes, result->n_clusters, result->n_kept, quotas, NULL));
  for (guint j = 0; j < result->n_clusters; j++)
    g_assert_cmpuint (quotas[j], ==, result->quotas[j]);

  kept = kept_flags (result, data.n);
  for (gsize a = 0; a < data.n; a++)
    for (gsize b = 0; b < data.n; b++)
      if (kept[a] && !kept[b] && result->cluster_of_item[a] == result->cluster_of_item[b])
        {
          if (easy)
            g_assert_cmpfloat (result->distance[a], <=, result->distance[b]);
          else
            g_assert_cmpfloat (result->distance[a], >=, result->distance[b]);
        }
}

static void
test_prototype_easy (void)
{
  check_prototype (DM_PROTOTYPE_KEEP_EASY, 0.1);
}

static void
test_prototype_hard (void)
{
  check_prototype (DM_PROTOTYPE_KEEP_HARD, 0.1);
}

static void
test_prototype_auto (void)
{
  check_prototype (DM_PROTOTYPE_KEEP_AUTO, 0.05);
  check_prototype (DM_PROTOTYPE_KEEP_AUTO, 0.5);
}

/* 40 distinct keys, each 5 times: at threshold 0, only exact copies are
 * duplicates. */
static void
duplicates_init (Data *data)
{
  data_init (data, 40, 4, FALSE, 9);
  data->keys = g_realloc (data->keys, 200 * KEY_BYTES);
  data->labels = g_realloc (data->labels, 200 * sizeof (int));
  for (gsize i = 40; i < 200; i++)
    {
      memcpy (data->keys + i * KEY_BYTES, data->keys + (i % 40) * KEY_BYTES, KEY_BYTES);
      data->labels[i] = data->labels[i % 40];
    }
  data->n = 200;
}

/* Which of the 40 distinct keys the kept items carry, each at most once. */
static guint
count_distinct_kept (const Data *data, const DmSelectResult *result)
{
  gboolean seen[40] = { FALSE };
  guint distinct = 0;

  for (guint m = 0; m < result->n_kept; m++)
    {
      guint original = result->kept[m] % 40;
      distinct += !seen[original];
      seen[original] = TRUE;
    }
  return distinct;
}

static void
test_dedup_exact_copies (void)
{
  g_auto(Data) data = { 0 };
  DmSelectRequest request;
  g_autoptr(DmSelectResult) result = NULL;

  duplicates_init (&data);
  request = request_for (&data, DM_SELECT_DEDUP, 0.2);   /* 40 kept */
  request.dedup_threshold = 0.0;
  result = select_ok (&request);
  check_counts (result, data.n, 40);
  g_assert_cmpuint (result->n_duplicates, ==, 160);
  /* The 40 survivors are the 40 distinct keys: exactly all of them kept. */
  g_assert_cmpuint (count_distinct_kept (&data, result), ==, 40);

  /* Fewer kept than survive: still never a copy twice. */
  g_clear_pointer (&result, dm_select_result_free);
  request.ratio = 0.1;
  result = select_ok (&request);
  check_counts (result, data.n, 20);
  g_assert_cmpuint (count_distinct_kept (&data, result), ==, 20);
}

/* More asked than survive: every survivor, then duplicates, to exactly
 * the total. */
static void
test_dedup_fills_from_dropped (void)
{
  g_auto(Data) data = { 0 };
  DmSelectRequest request;
  g_autoptr(DmSelectResult) result = NULL;

  duplicates_init (&data);
  request = request_for (&data, DM_SELECT_DEDUP, 0.5);
  request.dedup_threshold = 0.0;
  result = select_ok (&request);
  check_counts (result, data.n, 100);
  g_assert_cmpuint (count_distinct_kept (&data, result), ==, 40);

  /* Threshold 1: each cluster's first item catches all others. */
  g_clear_pointer (&result, dm_select_result_free);
  request.dedup_threshold = 1.0;
  result = select_ok (&request);
  check_counts (result, data.n, 100);
  g_assert_cmpuint (result->n_duplicates, ==, data.n - result->n_clusters);
}

/* A larger threshold finds more duplicates; clusters full of them keep
 * fewer items than cluster_random's share. */
static void
test_dedup_threshold_monotone (void)
{
  g_auto(Data) data = { 0 };
  guint previous = 0;

  data_init (&data, 400, 4, FALSE, 21);
  for (double threshold = 0.0; threshold <= 0.5; threshold += 0.05)
    {
      DmSelectRequest request = request_for (&data, DM_SELECT_DEDUP, 0.1);
      g_autoptr(DmSelectResult) result = NULL;

      request.dedup_threshold = threshold;
      result = select_ok (&request);
      check_counts (result, data.n, 40);
      g_assert_cmpuint (result->n_duplicates, >=, previous);
      previous = result->n_duplicates;
    }
  /* Bits flip with probability 1/8 around each label's key: copies of one
   * label differ in about 22 % of the bits, so 0.5 catches most. */
  g_assert_cmpuint (previous, >, data.n / 2);
}

/* Items around one key at many distances: each flips every bit with its
 * own probability, from 1/64 to 1/3, so that some thresholds catch many
 * items and others few. */
static void
spread_init (Data *data, gsize n, guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 centre[KEY_BYTES];

  data->n = n;
  data->n_labels = 1;
  data->keys = g_new0 (guint8, n * KEY_BYTES);
  data->labels = g_new0 (int, n);
  for (gsize b = 0; b < KEY_BYTES; b++)
    centre[b] = (guint8) g_rand_int_range (rand, 0, 256);
  for (gsize i = 0; i < n; i++)
    {
      gint32 one_in = g_rand_int_range (rand, 3, 65);

      for (gsize b = 0; b < KEY_BYTES; b++)
        {
          guint8 flips = 0;
          for (guint bit = 0; bit < 8; bit++)
            flips |= (guint8) ((g_rand_int_range (rand, 0, one_in) == 0) << bit);
          data->keys[i * KEY_BYTES + b] = centre[b] ^ flips;
        }
    }
}

typedef struct {
  double distance;
  guint item;
} Caught;

static int
compare_caught (gconstpointer a, gconstpointer b)
{
  const Caught *ca = a, *cb = b;

  if (ca->distance != cb->distance)
    return ca->distance > cb->distance ? -1 : 1;
  return ca->item < cb->item ? -1 : ca->item > cb->item;
}

/* SemDeDup as documented, comparing every item with every survivor of its
 * cluster before it: the survivor flags, and the dropped items in the
 * order they fill a shortfall. Returns the number of survivors. */
static guint
dedup_all_pairs (const DmKmeansResult *clusters, const guint8 *keys, double threshold,
                 gboolean *survivor, Caught *dropped, guint *n_dropped)
{
  guint max_bits = (guint) (threshold * 8 * KEY_BYTES);
  g_autofree Caught *order = g_new (Caught, clusters->n_items);
  g_autofree guint *kept_before = g_new (guint, clusters->n_items);
  guint n_survivors = 0;

  *n_dropped = 0;
  for (guint j = 0; j < clusters->k; j++)
    {
      guint n = 0, n_kept_before = 0;

      for (gsize i = 0; i < clusters->n_items; i++)
        if (clusters->labels[i] == j)
          order[n++] = (Caught) { clusters->distance[i], (guint) i };
      qsort (order, n, sizeof *order, compare_caught);
      for (guint m = 0; m < n; m++)
        {
          guint caught_at = G_MAXUINT;

          for (guint s = 0; s < n_kept_before && caught_at == G_MAXUINT; s++)
            {
              guint d = dm_keys_hamming (keys + (gsize) order[m].item * KEY_BYTES,
                                         keys + (gsize) kept_before[s] * KEY_BYTES, KEY_BYTES);
              if (d <= max_bits)
                caught_at = d;
            }
          survivor[order[m].item] = caught_at == G_MAXUINT;
          if (caught_at == G_MAXUINT)
            kept_before[n_kept_before++] = order[m].item;
          else
            dropped[(*n_dropped)++] = (Caught) { caught_at, order[m].item };
        }
      n_survivors += n_kept_before;
    }
  qsort (dropped, *n_dropped, sizeof *dropped, compare_caught);
  return n_survivors;
}

static DmKmeansResult *
kmeans_ok (const Data *data, guint k)
{
  DmKmeansRequest request;
  DmKmeansResult *result = NULL;
  g_autoptr(GError) error = NULL;

  dm_kmeans_request_init (&request);
  request.keys = data->keys;
  request.n_items = data->n;
  request.key_bytes = KEY_BYTES;
  request.k = k;
  request.seed = 3;
  dm_kmeans_run (&request, &result, &error);
  g_assert_no_error (error);
  return result;
}

/* The documented algorithm, written plainly: the same survivors,
 * duplicates and filling order. */
/* Every kernel path, for the methods whose request only has
 * force_portable: DM_KERNEL forces one. */
static const DmKmeansKernel kernel_paths[] = {
  DM_KMEANS_KERNEL_PORTABLE, DM_KMEANS_KERNEL_AVX2, DM_KMEANS_KERNEL_AVX512,
};

/* Forces kernel_paths[@p]; FALSE when it is not built or this CPU does
 * not run it. */
static gboolean
force_kernel_path (gsize p)
{
  const char *name = dm_kmeans_kernel_name (kernel_paths[p], NULL);

  if (name != NULL)
    g_setenv ("DM_KERNEL", name, TRUE);
  return name != NULL;
}

/* Keeps exactly what the documented rule does at @threshold: the
 * survivors, then the survivors and the first dropped. */
static void
check_dedup (const Data *data, const DmKmeansResult *clusters, double threshold, guint n_threads)
{
  g_autofree gboolean *survivor = g_new0 (gboolean, data->n);
  g_autofree Caught *dropped = g_new (Caught, data->n);
  guint n_dropped, n_survivors;
  DmSelectRequest request = request_for (data, DM_SELECT_DEDUP, 0.5);

  request.dedup_threshold = threshold;
  request.n_threads = n_threads;
  n_survivors = dedup_all_pairs (clusters, data->keys, threshold, survivor, dropped, &n_dropped);
  g_assert_cmpuint (n_survivors + n_dropped, ==, data->n);
  for (guint extra = 0; extra <= MIN (n_dropped, 25u); extra += 25)
    {
      g_autofree gboolean *kept = g_new0 (gboolean, data->n);
      g_autofree guint *quotas = g_new0 (guint, clusters->k);
      g_autoptr(GError) error = NULL;
      guint n_duplicates = 0;

      g_assert_true (dm_select_keep_deduplicated (clusters, &request, n_survivors + extra,
                                                  quotas, kept, &n_duplicates, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n_duplicates, ==, n_dropped);
      for (guint r = 0; r < extra; r++)
        survivor[dropped[r].item] = TRUE;
      for (gsize i = 0; i < data->n; i++)
        g_assert_cmpint (kept[i], ==, survivor[i]);
    }
}

/* On every kernel path: the survivors are compared with in runs of point
 * blocks (clusters of about 200 items, several runs). On 1 to 4 threads:
 * one cluster of 2000 items takes several batches whose first pass runs
 * on every thread (at threshold 0, every item survives: some 2 million
 * comparisons), with the items it catches and those only the second pass
 * catches where the one-thread scan puts them. */
static void
test_dedup_matches_all_pairs (void)
{
  const double thresholds[] = { 0.0, 0.05, 0.12, 0.2, 0.3 };
  const struct { gsize n; guint k; } shapes[] = { { 600, 3 }, { 2000, 1 } };

  for (gsize c = 0; c < G_N_ELEMENTS (shapes); c++)
    {
      g_auto(Data) data = { 0 };
      g_autoptr(DmKmeansResult) clusters = NULL;

      spread_init (&data, shapes[c].n, 17);
      clusters = kmeans_ok (&data, shapes[c].k);
      for (gsize p = 0; p < G_N_ELEMENTS (kernel_paths); p++)
        {
          if (!force_kernel_path (p))
            continue;
          for (guint threads = 1; threads <= 4; threads++)
            for (gsize t = 0; t < G_N_ELEMENTS (thresholds); t++)
              check_dedup (&data, clusters, thresholds[t], threads);
        }
    }
  g_unsetenv ("DM_KERNEL");
}

typedef struct {
  guint midway;          /* "selecting" reports strictly between 0 and 1 */
  gboolean cancel;       /* answer the first such report with stop */
} DedupProgress;

static gboolean
dedup_progress (const char *phase, double fraction, gpointer user_data)
{
  DedupProgress *progress = user_data;

  if (strcmp (phase, "selecting") != 0 || fraction <= 0.0 || fraction >= 1.0)
    return TRUE;
  progress->midway++;
  return !progress->cancel;
}

/* One cluster of @n keys some 113 bits apart: the method reports progress
 * while it compares them, and stops when asked. */
static void
check_cancel (DmSelectMethod method, gsize n, double ratio, gsize total)
{
  g_auto(Data) data = { 0 };
  DmSelectRequest request;
  DedupProgress progress = { 0, FALSE };
  g_autoptr(DmSelectResult) result = NULL;
  DmSelectResult *none = NULL;
  g_autoptr(GError) error = NULL;

  data_init (&data, n, 1, FALSE, 8);
  request = request_for (&data, method, ratio);
  request.n_clusters = 1;
  request.progress = dedup_progress;
  request.progress_data = &progress;
  result = select_ok (&request);
  check_counts (result, data.n, total);
  g_assert_cmpuint (progress.midway, >, 0);

  progress = (DedupProgress) { 0, TRUE };
  g_assert_false (dm_cluster_select (&request, &none, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_CANCELLED);
  g_assert_null (none);
  g_assert_cmpuint (progress.midway, ==, 1);
}

/* 2000 keys at like distances from the centre: nearly 2 million
 * comparisons. */
static void
test_dedup_cancel (void)
{
  check_cancel (DM_SELECT_DEDUP, 2000, 0.1, 200);
}

/* Several clusters on several threads: progress is reported, the first
 * report answered with stop is the last, and the run ends cancelled.
 * 16 clusters of some 750 items, some 4.5 million comparisons. */
static void
test_dedup_cancel_threads (void)
{
  g_auto(Data) data = { 0 };
  DmSelectRequest request;
  DmSelectResult *none = NULL;
  g_autoptr(GError) error = NULL;

  data_init (&data, 12000, 4, FALSE, 8);
  request = request_for (&data, DM_SELECT_DEDUP, 0.1);
  request.n_clusters = 16;
  request.n_threads = 3;
  for (guint cancel = 0; cancel <= 1; cancel++)
    {
      DedupProgress progress = { 0, cancel };
      g_autoptr(DmSelectResult) result = NULL;

      request.progress = dedup_progress;
      request.progress_data = &progress;
      if (!cancel)
        {
          result = select_ok (&request);
          check_counts (result, data.n, 1200);
          g_assert_cmpuint (progress.midway, >, 0);
          continue;
        }
      g_assert_false (dm_cluster_select (&request, &none, &error));
      g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_CANCELLED);
      g_assert_null (none);
      g_assert_cmpuint (progress.midway, ==, 1);
    }
}

static void
test_dedup_bad_threshold (void)
{
  g_auto(Data) data = { 0 };
  DmSelectRequest request;

  data_init (&data, 50, 2, FALSE, 1);
  request = request_for (&data, DM_SELECT_DEDUP, 0.5);
  request.dedup_threshold = NAN;
  assert_refused (&request, DM_CORE_ERROR_INVALID_ARGUMENT);
  request.dedup_threshold = 1.5;
  assert_refused (&request, DM_CORE_ERROR_INVALID_ARGUMENT);
}

/* Item i of @n: its first 8 * @fill (i) bits set, the others clear. */
static void
thermometer_init (Data *data, gsize n, guint (*fill) (gsize))
{
  data->n = n;
  data->n_labels = 1;
  data->keys = g_new0 (guint8, n * KEY_BYTES);
  data->labels = g_new0 (int, n);
  for (gsize i = 0; i < n; i++)
    memset (data->keys + i * KEY_BYTES, 0xff, fill (i));
}

static guint
fill_by_index (gsize i)
{
  return (guint) i;
}

/* Item i's group: 0 (no bit set) for 4 of each 7, 1 (all set) for 2, 2
 * (half set) for 1. */
static guint
group_of (gsize i)
{
  return i % 7 < 4 ? 0 : i % 7 < 6 ? 1 : 2;
}

static guint
fill_by_group (gsize i)
{
  const guint fills[] = { 0, KEY_BYTES, KEY_BYTES / 2 };

  return fills[group_of (i)];
}

static DmSelectResult *
herd_ok (const Data *data, gsize n_kept)
{
  DmSelectRequest request = request_for (data, DM_SELECT_HERDING, 0.5);

  request.n_clusters = 1;
  request.n_kept = n_kept;
  return select_ok (&request);
}

/* Keys on a line (item i has 8i bits set, so the Hamming distance is 8
 * times the index difference): the first item kept is the middle one,
 * the densest; the next ones spread out to either side. */
static void
test_herding_line (void)
{
  g_auto(Data) data = { 0 };
  g_autoptr(DmSelectResult) one = NULL;
  g_autoptr(DmSelectResult) three = NULL;

  thermometer_init (&data, 9, fill_by_index);
  one = herd_ok (&data, 1);
  check_counts (one, data.n, 1);
  g_assert_cmpuint (one->kept[0], ==, 4);

  /* The median distance is 24 bits, the kernel exp(-h / 6): after the
   * middle, items 1 and 7, where the density left uncovered is largest. */
  three = herd_ok (&data, 3);
  check_counts (three, data.n, 3);
  g_assert_cmpuint (three->kept[0], ==, 1);
  g_assert_cmpuint (three->kept[1], ==, 4);
  g_assert_cmpuint (three->kept[2], ==, 7);
}

/* Three far-apart groups of identical keys, 40, 20 and 10 items,
 * interleaved: 7 kept are 4, 2 and 1, as the groups' shares, each
 * group's lowest items (identical keys tie). */
static void
test_herding_follows_density (void)
{
  g_auto(Data) data = { 0 };
  g_autoptr(DmSelectResult) result = NULL;
  guint kept_in[3] = { 0 };

  thermometer_init (&data, 70, fill_by_group);
  result = herd_ok (&data, 7);
  check_counts (result, data.n, 7);
  /* Items 0-3 are group 0's first, 4-5 group 1's, 6 group 2's. */
  for (guint m = 0; m < result->n_kept; m++)
    {
      g_assert_cmpuint (result->kept[m], ==, m);
      kept_in[group_of (result->kept[m])]++;
    }
  g_assert_cmpuint (kept_in[0], ==, 4);
  g_assert_cmpuint (kept_in[1], ==, 2);
  g_assert_cmpuint (kept_in[2], ==, 1);
}

static gint
compare_uint (gconstpointer a, gconstpointer b, gpointer unused)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

/* The documented rule, written plainly with the whole kernel matrix:
 * among the candidates (NULL: all) while a cluster has any left. */
static void
herd_all_pairs (const DmKmeansResult *clusters, const guint8 *keys, double bandwidth,
                const gboolean *candidates, const guint *quotas, gboolean *kept)
{
  for (guint j = 0; j < clusters->k; j++)
    {
      g_autofree guint *items = g_new (guint, clusters->n_items);
      g_autofree guint *distances = NULL;
      g_autofree double *kernel = NULL;
      g_autofree double *mean = NULL;
      g_autofree double *herded = NULL;
      guint n = 0, pairs = 0;
      double width;

      for (gsize i = 0; i < clusters->n_items; i++)
        if (clusters->labels[i] == j)
          items[n++] = (guint) i;
      kernel = g_new (double, (gsize) n * n);
      distances = g_new (guint, MAX ((gsize) n * n, 1));
      for (guint a = 0; a < n; a++)
        for (guint b = a + 1; b < n; b++)
          distances[pairs++] = dm_keys_hamming (keys + items[a] * KEY_BYTES, keys + items[b] * KEY_BYTES,
                                                KEY_BYTES);
      g_qsort_with_data (distances, (gint) pairs, sizeof (guint), compare_uint, NULL);
      width = bandwidth * MAX (pairs > 0 ? distances[(pairs + 1) / 2 - 1] : 0, 1u);
      for (guint a = 0; a < n; a++)
        for (guint b = 0; b < n; b++)
          kernel[a * n + b] = exp (-(double) dm_keys_hamming (keys + items[a] * KEY_BYTES,
                                                                 keys + items[b] * KEY_BYTES, KEY_BYTES) / width);
      mean = g_new0 (double, n);
      herded = g_new0 (double, n);
      for (guint a = 0; a < n; a++)
        {
          mean[a] = kernel[a * n + a];
          for (guint b = 0; b < n; b++)
            if (b != a)
              mean[a] += kernel[a * n + b];
        }
      for (guint t = 0; t < quotas[j]; t++)
        {
          guint best = n;
          gboolean any_left = FALSE;

          for (guint a = 0; a < n; a++)
            any_left |= !kept[items[a]] && (candidates == NULL || candidates[items[a]]);
          for (guint a = 0; a < n; a++)
            if (!kept[items[a]] && (!any_left || candidates == NULL || candidates[items[a]])
                && (best == n || mean[a] / n - herded[a] / (t + 1) > mean[best] / n - herded[best] / (t + 1)))
              best = a;
          kept[items[best]] = TRUE;
          for (guint a = 0; a < n; a++)
            herded[a] += kernel[a * n + best];
        }
    }
}

/* @n keys of spread_init() from @seed in @k clusters of k-means, and in
 * @quotas each cluster's share of @n_kept. */
static DmKmeansResult *
herding_clusters (Data *data, gsize n, guint32 seed, guint k, gsize n_kept, guint **quotas)
{
  DmKmeansResult *clusters;

  spread_init (data, n, seed);
  clusters = kmeans_ok (data, k);
  *quotas = g_new (guint, clusters->k);
  g_assert_true (dm_quota_compute (clusters->sizes, clusters->k, n_kept, *quotas, NULL));
  return clusters;
}

/* Asserts that dm_select_keep_herded() runs @request and keeps exactly
 * the items @expected says; returns what it kept. */
static gboolean *
check_herded (const Data *data, const DmKmeansResult *clusters, const DmSelectRequest *request,
              const guint *quotas, const gboolean *expected)
{
  gboolean *kept = g_new0 (gboolean, data->n);
  g_autoptr(GError) error = NULL;

  g_assert_true (dm_select_keep_herded (clusters, request, quotas, kept, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < data->n; i++)
    g_assert_cmpint (kept[i], ==, expected[i]);
  return kept;
}

static void
test_herding_matches_all_pairs (void)
{
  const double bandwidths[] = { 0.05, 0.25, 1.0, 4.0 };
  g_auto(Data) data = { 0 };
  g_autoptr(DmKmeansResult) clusters = NULL;
  g_autofree guint *quotas = NULL;

  clusters = herding_clusters (&data, 400, 23, 3, 37, &quotas);
  for (gsize w = 0; w < G_N_ELEMENTS (bandwidths); w++)
    {
      DmSelectRequest request = request_for (&data, DM_SELECT_HERDING, 0.1);
      g_autofree gboolean *expected = g_new0 (gboolean, data.n);

      request.herding_bandwidth = bandwidths[w];
      herd_all_pairs (clusters, data.keys, bandwidths[w], NULL, quotas, expected);
      g_free (check_herded (&data, clusters, &request, quotas, expected));
    }
}

/* With candidates, the documented rule too: candidates first, and a
 * cluster with fewer candidates than its quota (most of them when one
 * item in 50 is a candidate) still keeps exactly its quota. */
static void
test_herding_candidates_match_all_pairs (void)
{
  const double fractions[] = { 0.02, 0.3, 0.9 };
  g_auto(Data) data = { 0 };
  g_autoptr(DmKmeansResult) clusters = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autofree guint *quotas = NULL;
  guint ran_out = 0;

  clusters = herding_clusters (&data, 400, 29, 3, 37, &quotas);
  for (gsize f = 0; f < G_N_ELEMENTS (fractions); f++)
    {
      DmSelectRequest request = request_for (&data, DM_SELECT_HERDING, 0.1);
      g_autofree gboolean *candidates = g_new (gboolean, data.n);
      g_autofree gboolean *expected = g_new0 (gboolean, data.n);
      g_autofree gboolean *kept = NULL;

      for (gsize i = 0; i < data.n; i++)
        candidates[i] = g_rand_double (rand) < fractions[f];
      request.herding_candidates = candidates;
      herd_all_pairs (clusters, data.keys, DM_HERDING_DEFAULT_BANDWIDTH, candidates, quotas, expected);
      kept = check_herded (&data, clusters, &request, quotas, expected);
      for (guint j = 0; j < clusters->k; j++)
        {
          guint n_kept = 0, n_candidates = 0, candidates_kept = 0;

          for (gsize i = 0; i < data.n; i++)
            if (clusters->labels[i] == j)
              {
                n_kept += kept[i];
                n_candidates += candidates[i];
                candidates_kept += kept[i] && candidates[i];
              }
          g_assert_cmpuint (n_kept, ==, quotas[j]);
          g_assert_cmpuint (candidates_kept, ==, MIN (n_candidates, quotas[j]));
          ran_out += n_candidates < quotas[j];
        }
    }
  g_assert_cmpuint (ran_out, >, 0);
}

/* Clusters large enough for herding's threads (a cluster of n items
 * runs on threads from about 360 items) and sizes that are not whole
 * point blocks: every kernel path and thread count keeps what the
 * documented rule keeps, so the split of the rows among threads and the
 * SIMD distances change no sum. */
static void
test_herding_paths_and_threads (void)
{
  const guint threads[] = { 1, 2, 3 };
  g_auto(Data) data = { 0 };
  g_autoptr(DmKmeansResult) clusters = NULL;
  g_autofree guint *quotas = NULL;
  g_autofree gboolean *expected = NULL;
  gsize largest = 0;

  clusters = herding_clusters (&data, 1203, 31, 2, 61, &quotas);
  for (guint j = 0; j < clusters->k; j++)
    largest = MAX (largest, clusters->sizes[j]);
  g_assert_cmpuint (largest, >, 400);
  g_assert_cmpuint (largest % 8, !=, 0);
  expected = g_new0 (gboolean, data.n);
  herd_all_pairs (clusters, data.keys, DM_HERDING_DEFAULT_BANDWIDTH, NULL, quotas, expected);
  for (gsize p = 0; p < G_N_ELEMENTS (kernel_paths); p++)
    {
      if (!force_kernel_path (p))
        continue;
      for (gsize t = 0; t < G_N_ELEMENTS (threads); t++)
        {
          DmSelectRequest request = request_for (&data, DM_SELECT_HERDING, 0.05);

          request.n_threads = threads[t];
          g_free (check_herded (&data, clusters, &request, quotas, expected));
        }
    }
  g_unsetenv ("DM_KERNEL");
}

/* @n random keys around @centre, each bit flipped with probability
 * 1 / @one_in, from item @first on, of @label. */
static void
scatter (Data *data, gsize first, gsize n, const guint8 *centre, gint32 one_in, int label, GRand *rand)
{
  for (gsize i = first; i < first + n; i++)
    {
      for (gsize b = 0; b < KEY_BYTES; b++)
        {
          guint8 flips = 0;
          for (guint bit = 0; bit < 8; bit++)
            flips |= (guint8) ((one_in > 0 && g_rand_int_range (rand, 0, one_in) == 0) << bit);
          data->keys[i * KEY_BYTES + b] = centre[b] ^ flips;
        }
      data->labels[i] = label;
    }
}

/* Label 0: 6 items spread around one key (items 0-5, some 192 bits
 * apart) and 4 copies of another (6-9), amid label 1's 20 items around
 * that one (16 bits off it). The copies are label 0's densest spot, so
 * plain herding keeps one of them; their 8 nearest are the 3 other copies
 * and 5 of label 1 (5/8 disagree), so at 0.5 the filter leaves them out
 * and herding keeps one of the 6 (at most 3/8 of theirs disagree: the 5
 * others are nearest). Label 1's items have at most the 4 copies among
 * their 8 nearest (4/8). */
static void
mislabelled_init (Data *data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (31);
  guint8 own[KEY_BYTES], other[KEY_BYTES];

  data->n = 30;
  data->n_labels = 2;
  data->keys = g_new0 (guint8, data->n * KEY_BYTES);
  data->labels = g_new0 (int, data->n);
  for (gsize b = 0; b < KEY_BYTES; b++)
    {
      own[b] = (guint8) g_rand_int_range (rand, 0, 256);
      other[b] = (guint8) g_rand_int_range (rand, 0, 256);
    }
  scatter (data, 0, 6, own, 4, 0, rand);
  scatter (data, 6, 4, other, 0, 0, rand);
  scatter (data, 10, 20, other, 32, 1, rand);
}

static DmSelectResult *
herd_mislabelled (const Data *data, double max_disagreement)
{
  DmSelectRequest request = request_for (data, DM_SELECT_HERDING, 0.1);   /* label 0 keeps 1 */

  request.stratify = TRUE;
  request.herding_neighbours = 8;
  request.herding_max_disagreement = max_disagreement;
  return select_ok (&request);
}

static void
test_herding_filter_changes_choice (void)
{
  g_auto(Data) data = { 0 };
  g_autoptr(DmSelectResult) plain = NULL;
  g_autoptr(DmSelectResult) filtered = NULL;
  DmSelectRequest request;
  gboolean candidates[30];
  guint n_left_out = 0;
  g_autoptr(GError) error = NULL;

  mislabelled_init (&data);
  request = request_for (&data, DM_SELECT_HERDING, 0.1);
  request.herding_neighbours = 8;
  request.herding_max_disagreement = 0.5;
  g_assert_true (dm_select_herding_candidates (&request, candidates, &n_left_out, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < data.n; i++)
    g_assert_cmpint (candidates[i], ==, i < 6 || i >= 10);
  g_assert_cmpuint (n_left_out, ==, 4);

  plain = herd_mislabelled (&data, 1.0);
  filtered = herd_mislabelled (&data, 0.5);
  check_counts (plain, data.n, 3);
  check_counts (filtered, data.n, 3);
  g_assert_cmpuint (plain->n_filtered_out, ==, 0);
  g_assert_cmpuint (filtered->n_filtered_out, ==, 4);
  /* Kept in item order: label 0's one first. */
  g_assert_cmpuint (plain->kept[0], >=, 6);
  g_assert_cmpuint (plain->kept[0], <, 10);
  g_assert_cmpuint (filtered->kept[0], <, 6);
}

/* At 1 every item is a candidate, and herding keeps what it keeps
 * without the filter, stratified or not, with unlabelled items. */
static void
test_herding_filter_off_at_one (void)
{
  g_auto(Data) data = { 0 };
  g_autofree gboolean *candidates = NULL;
  guint n_left_out = 1;
  g_autoptr(GError) error = NULL;

  data_init (&data, 300, 4, TRUE, 12);
  candidates = g_new (gboolean, data.n);
  for (guint stratify = 0; stratify < 2; stratify++)
    {
      DmSelectRequest request = request_for (&data, DM_SELECT_HERDING, 0.1);
      DmSelectRequest at_one, all_candidates;
      g_autoptr(DmSelectResult) plain = NULL;
      g_autoptr(DmSelectResult) off = NULL;
      g_autoptr(DmSelectResult) given = NULL;

      request.stratify = stratify;
      request.n_clusters = 3;
      at_one = request;
      at_one.herding_neighbours = DM_HERDING_DEFAULT_NEIGHBOURS;
      at_one.herding_max_disagreement = 1.0;
      g_assert_true (dm_select_herding_candidates (&at_one, candidates, &n_left_out, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n_left_out, ==, 0);
      for (gsize i = 0; i < data.n; i++)
        g_assert_true (candidates[i]);
      all_candidates = request;
      all_candidates.herding_candidates = candidates;

      plain = select_ok (&request);
      off = select_ok (&at_one);
      given = select_ok (&all_candidates);
      assert_same_kept (plain, off);
      assert_same_kept (plain, given);
      g_assert_cmpuint (off->n_filtered_out, ==, 0);
    }
}

/* Items without a label are never left out, and to a labelled item they
 * are of another label: item 0, of label 0, whose 3 nearest are
 * unlabelled, is left out at 0.5; they are not, at 0 either. */
static void
test_herding_filter_unlabelled (void)
{
  g_auto(Data) data = { 0 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (2);
  guint8 centre[KEY_BYTES];
  gboolean candidates[12];
  const double thresholds[] = { 0.5, 0.0 };

  data.n = 12;
  data.n_labels = 1;
  data.keys = g_new0 (guint8, data.n * KEY_BYTES);
  data.labels = g_new0 (int, data.n);
  for (gsize b = 0; b < KEY_BYTES; b++)
    centre[b] = (guint8) g_rand_int_range (rand, 0, 256);
  scatter (&data, 0, 4, centre, 64, 0, rand);
  for (gsize i = 1; i < 4; i++)
    data.labels[i] = -1;
  for (gsize b = 0; b < KEY_BYTES; b++)
    centre[b] = (guint8) ~centre[b];
  scatter (&data, 4, 8, centre, 8, 0, rand);

  for (gsize t = 0; t < G_N_ELEMENTS (thresholds); t++)
    {
      DmSelectRequest request = request_for (&data, DM_SELECT_HERDING, 0.5);
      g_autoptr(DmSelectResult) result = NULL;
      g_autoptr(GError) error = NULL;
      guint n_left_out;

      request.herding_neighbours = 3;
      request.herding_max_disagreement = thresholds[t];
      g_assert_true (dm_select_herding_candidates (&request, candidates, &n_left_out, &error));
      g_assert_no_error (error);
      g_assert_false (candidates[0]);
      for (gsize i = 1; i < 4; i++)
        g_assert_true (candidates[i]);

      /* Stratified, the unlabelled are a group of their own and keep
       * their share. */
      request.stratify = TRUE;
      result = select_ok (&request);
      check_counts (result, data.n, 6);
      g_assert_cmpuint (result->n_filtered_out, ==, n_left_out);
    }
}

/* The filter needs labels: none given, or no item with one, is an error;
 * without the filter herding runs on unlabelled items. */
static void
test_herding_filter_needs_labels (void)
{
  g_auto(Data) data = { 0 };

  data_init (&data, 50, 2, FALSE, 1);
  for (guint c = 0; c < 3; c++)
    {
      DmSelectRequest request = request_for (&data, DM_SELECT_HERDING, 0.5);
      g_autofree int *none = g_new (int, data.n);

      for (gsize i = 0; i < data.n; i++)
        none[i] = -1;
      request.labels = c == 0 ? NULL : none;
      request.n_clusters = 2;
      request.herding_neighbours = 5;
      request.herding_max_disagreement = c == 2 ? 1.0 : 0.3;
      if (c == 2)
        {
          g_autoptr(DmSelectResult) unfiltered = select_ok (&request);
          check_counts (unfiltered, data.n, 25);
          continue;
        }
      assert_refused (&request, DM_CORE_ERROR_MISSING_LABEL);
    }
}

static void
test_herding_filter_bad_parameters (void)
{
  const struct { double max_disagreement; guint neighbours; } bad[] = {
    { NAN, 20 }, { -0.1, 20 }, { 1.5, 20 }, { 0.3, DM_NEIGHBOURS_MAX + 1 },
  };
  g_auto(Data) data = { 0 };

  data_init (&data, 50, 2, FALSE, 1);
  for (gsize b = 0; b < G_N_ELEMENTS (bad); b++)
    {
      DmSelectRequest request = request_for (&data, DM_SELECT_HERDING, 0.5);

      request.herding_max_disagreement = bad[b].max_disagreement;
      request.herding_neighbours = bad[b].neighbours;
      assert_refused (&request, DM_CORE_ERROR_INVALID_ARGUMENT);
    }
}

/* The filter reports progress while it compares all pairs, stops when
 * asked, and chooses the same on one thread without SIMD as on all. */
static void
test_herding_filter_progress_and_paths (void)
{
  g_auto(Data) data = { 0 };
  DmSelectRequest request, portable;
  DedupProgress progress = { 0, TRUE };
  g_autoptr(DmSelectResult) a = NULL;
  g_autoptr(DmSelectResult) b = NULL;

  data_init (&data, 1500, 5, TRUE, 8);
  request = request_for (&data, DM_SELECT_HERDING, 0.05);
  request.stratify = TRUE;
  request.herding_neighbours = DM_HERDING_DEFAULT_NEIGHBOURS;
  request.herding_max_disagreement = 0.3;
  request.progress = dedup_progress;
  request.progress_data = &progress;
  assert_refused (&request, DM_CORE_ERROR_CANCELLED);
  g_assert_cmpuint (progress.midway, ==, 1);

  progress = (DedupProgress) { 0, FALSE };
  portable = request;
  portable.n_threads = 1;
  portable.force_portable = TRUE;
  a = select_ok (&request);
  b = select_ok (&portable);
  g_assert_cmpuint (progress.midway, >, 0);
  check_counts (a, data.n, 75);
  assert_same_kept (a, b);
  g_assert_cmpuint (a->n_filtered_out, ==, b->n_filtered_out);
  g_assert_cmpuint (a->n_filtered_out, >, 0);
}

/* A stratified choice by @method, of a tenth of 300 items of four labels
 * drawn from @data_seed, that the seed @other_seed and, with @portable,
 * one thread without SIMD leave the same. */
typedef struct
{
  DmSelectMethod method;
  guint32 data_seed;
  guint32 other_seed;
  gboolean portable;
} SameChoice;

/* No randomness within a cluster: stratified with one cluster per label,
 * every seed keeps the same items. */
static const SameChoice herding_no_seed = { DM_SELECT_HERDING, 6, 77, FALSE };
/* The same seed chooses the same items on any path. */
static const SameChoice stratify_same_seed = { DM_SELECT_CENTROID, 2, 0, TRUE };

static void
test_same_choice (gconstpointer user_data)
{
  const SameChoice *c = user_data;
  g_auto(Data) data = { 0 };
  DmSelectRequest request, other;
  g_autoptr(DmSelectResult) a = NULL;
  g_autoptr(DmSelectResult) b = NULL;

  data_init (&data, 300, 4, FALSE, c->data_seed);
  request = request_for (&data, c->method, 0.1);
  request.stratify = TRUE;
  other = request;
  other.seed = c->other_seed;
  if (c->portable)
    {
      other.n_threads = 1;
      other.force_portable = TRUE;
    }
  a = select_ok (&request);
  b = select_ok (&other);
  assert_same_kept (a, b);
}

/* 1500 keys: some 2.4 million comparisons. */
static void
test_herding_cancel (void)
{
  check_cancel (DM_SELECT_HERDING, 1500, 0.05, 75);
}

static void
test_herding_bad_bandwidth (void)
{
  const double bad[] = { 0.0, -1.0, NAN, INFINITY };
  g_auto(Data) data = { 0 };

  data_init (&data, 50, 2, FALSE, 1);
  for (gsize b = 0; b < G_N_ELEMENTS (bad); b++)
    {
      DmSelectRequest request = request_for (&data, DM_SELECT_HERDING, 0.5);

      request.herding_bandwidth = bad[b];
      assert_refused (&request, DM_CORE_ERROR_INVALID_ARGUMENT);
    }
}

/* Every label keeps its largest-remainder share (unlabelled items are a
 * group of their own), whatever the method. */
static void
test_stratify (void)
{
  const DmSelectMethod methods[] = {
    DM_SELECT_CLUSTER_RANDOM, DM_SELECT_CENTROID, DM_SELECT_QUERY_CLUST,
    DM_SELECT_ENTROPY, DM_SELECT_PROTOTYPE, DM_SELECT_DEDUP, DM_SELECT_HERDING,
  };
  const double ratios[] = { 0.03, 0.1, 0.37, 1.0 };
  g_auto(Data) data = { 0 };

  data_init (&data, 700, 6, TRUE, 13);
  for (gsize m = 0; m < G_N_ELEMENTS (methods); m++)
    for (gsize r = 0; r < G_N_ELEMENTS (ratios); r++)
      {
        DmSelectRequest request = request_for (&data, methods[m], ratios[r]);
        g_autoptr(DmSelectResult) result = NULL;
        g_autofree gboolean *kept = NULL;
        guint sizes[7] = { 0 }, expected[7], got[7] = { 0 };
        gsize total = dm_quota_total (data.n, ratios[r]);

        request.stratify = TRUE;
        request.n_clusters = methods[m] == DM_SELECT_CENTROID ? 0 : 3;
        result = select_ok (&request);
        check_counts (result, data.n, total);

        kept = kept_flags (result, data.n);
        for (gsize i = 0; i < data.n; i++)
          {
            guint group = data.labels[i] >= 0 ? (guint) data.labels[i] : 6;
            sizes[group]++;
            got[group] += kept[i];
          }
        g_assert_true (dm_quota_compute (sizes, 7, total, expected, NULL));
        for (guint g = 0; g < 7; g++)
          g_assert_cmpuint (got[g], ==, expected[g]);

        /* No cluster mixes labels. */
        for (gsize i = 0; i < data.n; i++)
          for (gsize o = i + 1; o < data.n; o++)
            if (result->cluster_of_item[i] == result->cluster_of_item[o])
              g_assert_cmpint (data.labels[i], ==, data.labels[o]);
      }
}

typedef struct {
  GString *phases;    /* each phase once per run of it: "filtering selecting" */
  char *last;
  double last_fraction;
} PhaseLog;

static gboolean
log_phases (const char *phase, double fraction, gpointer user_data)
{
  PhaseLog *log = user_data;

  if (g_strcmp0 (log->last, phase) != 0)
    {
      g_string_append_printf (log->phases, "%s%s", log->phases->len > 0 ? " " : "", phase);
      g_free (log->last);
      log->last = g_strdup (phase);
      log->last_fraction = 0;
    }
  /* Within a phase the fraction never goes back. */
  g_assert_cmpfloat (fraction, >=, log->last_fraction);
  log->last_fraction = fraction;
  return TRUE;
}

/* A stratified run reports one phase across its labels, not a clustering
 * and a selecting phase a label (a line each in a log, label by label);
 * herding's label filter, before it, a phase of its own. */
static void
test_stratify_one_phase (void)
{
  const DmSelectMethod methods[] = { DM_SELECT_CLUSTER_RANDOM, DM_SELECT_CENTROID, DM_SELECT_HERDING };
  g_auto(Data) data = { 0 };

  data_init (&data, 400, 6, TRUE, 21);
  for (guint filter = 0; filter < 2; filter++)
    for (gsize m = 0; m < G_N_ELEMENTS (methods); m++)
      {
        DmSelectRequest request = request_for (&data, methods[m], 0.2);
        PhaseLog log = { NULL, NULL, 0 };
        g_autoptr(DmSelectResult) result = NULL;

        if (filter && methods[m] != DM_SELECT_HERDING)
          continue;
        log.phases = g_string_new (NULL);
        request.stratify = TRUE;
        request.n_clusters = 2;
        request.progress = log_phases;
        request.progress_data = &log;
        if (filter)
          {
            request.herding_neighbours = DM_HERDING_DEFAULT_NEIGHBOURS;
            request.herding_max_disagreement = 0.3;
          }
        result = select_ok (&request);
        g_assert_cmpstr (log.phases->str, ==, filter ? "filtering selecting" : "selecting");
        g_assert_cmpfloat (log.last_fraction, ==, 1.0);
        g_string_free (log.phases, TRUE);
        g_free (log.last);
      }
}

static void
test_stratify_needs_labels (void)
{
  g_auto(Data) data = { 0 };
  DmSelectRequest request;

  data_init (&data, 50, 2, FALSE, 1);
  request = request_for (&data, DM_SELECT_CLUSTER_RANDOM, 0.5);
  request.stratify = TRUE;
  request.labels = NULL;
  request.n_clusters = 2;
  assert_refused (&request, DM_CORE_ERROR_MISSING_LABEL);
}

/* n_kept overrides the ratio; more than the items is an error. */
static void
test_n_kept (void)
{
  g_auto(Data) data = { 0 };
  DmSelectRequest request;
  g_autoptr(DmSelectResult) result = NULL;
  DmSelectResult *none = NULL;
  g_autoptr(GError) error = NULL;

  data_init (&data, 100, 3, FALSE, 4);
  request = request_for (&data, DM_SELECT_PROTOTYPE, 0.5);
  request.n_kept = 7;
  result = select_ok (&request);
  check_counts (result, data.n, 7);

  request.n_kept = 101;
  g_assert_false (dm_cluster_select (&request, &none, &error));
  g_assert_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/select-beyond/prototype/resolve", test_prototype_resolve);
  g_test_add_func ("/select-beyond/prototype/easy", test_prototype_easy);
  g_test_add_func ("/select-beyond/prototype/hard", test_prototype_hard);
  g_test_add_func ("/select-beyond/prototype/auto", test_prototype_auto);
  g_test_add_func ("/select-beyond/dedup/exact-copies", test_dedup_exact_copies);
  g_test_add_func ("/select-beyond/dedup/fills-from-dropped", test_dedup_fills_from_dropped);
  g_test_add_func ("/select-beyond/dedup/threshold-monotone", test_dedup_threshold_monotone);
  g_test_add_func ("/select-beyond/dedup/bad-threshold", test_dedup_bad_threshold);
  g_test_add_func ("/select-beyond/dedup/matches-all-pairs", test_dedup_matches_all_pairs);
  g_test_add_func ("/select-beyond/dedup/cancel", test_dedup_cancel);
  g_test_add_func ("/select-beyond/dedup/cancel-threads", test_dedup_cancel_threads);
  g_test_add_func ("/select-beyond/herding/line", test_herding_line);
  g_test_add_func ("/select-beyond/herding/follows-density", test_herding_follows_density);
  g_test_add_func ("/select-beyond/herding/matches-all-pairs", test_herding_matches_all_pairs);
  g_test_add_data_func ("/select-beyond/herding/no-seed", &herding_no_seed, test_same_choice);
  g_test_add_func ("/select-beyond/herding/cancel", test_herding_cancel);
  g_test_add_func ("/select-beyond/herding/bad-bandwidth", test_herding_bad_bandwidth);
  g_test_add_func ("/select-beyond/herding/candidates-match-all-pairs", test_herding_candidates_match_all_pairs);
  g_test_add_func ("/select-beyond/herding/paths-and-threads", test_herding_paths_and_threads);
  g_test_add_func ("/select-beyond/herding/filter-changes-choice", test_herding_filter_changes_choice);
  g_test_add_func ("/select-beyond/herding/filter-off-at-one", test_herding_filter_off_at_one);
  g_test_add_func ("/select-beyond/herding/filter-unlabelled", test_herding_filter_unlabelled);
  g_test_add_func ("/select-beyond/herding/filter-needs-labels", test_herding_filter_needs_labels);
  g_test_add_func ("/select-beyond/herding/filter-bad-parameters", test_herding_filter_bad_parameters);
  g_test_add_func ("/select-beyond/herding/filter-progress-and-paths", test_herding_filter_progress_and_paths);
  g_test_add_func ("/select-beyond/stratify/shares", test_stratify);
  g_test_add_data_func ("/select-beyond/stratify/same-seed", &stratify_same_seed, test_same_choice);
  g_test_add_func ("/select-beyond/stratify/needs-labels", test_stratify_needs_labels);
  g_test_add_func ("/select-beyond/stratify/one-phase", test_stratify_one_phase);
  g_test_add_func ("/select-beyond/n-kept", test_n_kept);

  return g_test_run ();
}
