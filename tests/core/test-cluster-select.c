/* test-cluster-select.c: the clustering prune methods.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include "dm-kmeans.h"
#include "dm-quota.h"
#include "select-test-data.h"

/* keys.py in small: per label a probability per bit, items drawn from
 * their label's probabilities. */
static void
data_init (Data *data, gsize n, guint n_labels, guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree double *p = g_new (double, n_labels * 8 * KEY_BYTES);

  data->n = n;
  data->n_labels = n_labels;
  data->keys = g_new0 (guint8, n * KEY_BYTES);
  data->labels = g_new (int, n);
  for (gsize f = 0; f < n_labels * 8 * KEY_BYTES; f++)
    p[f] = g_rand_double_range (rand, 0.05, 0.95);
  for (gsize i = 0; i < n; i++)
    {
      int label = g_rand_int_range (rand, 0, (gint32) n_labels);
      data->labels[i] = label;
      for (gsize f = 0; f < 8 * KEY_BYTES; f++)
        if (g_rand_double (rand) < p[label * 8 * KEY_BYTES + f])
          data->keys[i * KEY_BYTES + f / 8] |= (guint8) (0x80u >> (f % 8));
    }
}

/* data_init() then request_for(): a request on new items. */
static DmSelectRequest
request_on_new_data (Data *data, gsize n, guint n_labels, guint32 seed,
                     DmSelectMethod method, double ratio)
{
  data_init (data, n, n_labels, seed);
  return request_for (data, method, ratio);
}

/* Runs @request, asserting it succeeds, makes @n_clusters clusters (0:
 * however many) and keeps ceil(n * ratio) by check_counts(). */
static DmSelectResult *
select_counted (const DmSelectRequest *request, guint n_clusters)
{
  DmSelectResult *result = select_ok (request);

  if (n_clusters > 0)
    g_assert_cmpuint (result->n_clusters, ==, n_clusters);
  check_counts (result, request->n_items, (gsize) ceil ((double) request->n_items * request->ratio));
  return result;
}

static void
test_counts (gconstpointer method_data)
{
  DmSelectMethod method = GPOINTER_TO_INT (method_data);
  static const double ratios[] = { 0.01, 0.1, 1.0 / 3.0, 0.5, 0.7, 0.93, 1.0 };
  g_auto(Data) data = { 0 };

  data_init (&data, 600, 12, 4);
  for (gsize r = 0; r < G_N_ELEMENTS (ratios); r++)
    {
      DmSelectRequest request = request_for (&data, method, ratios[r]);
      guint expected_k = method == DM_SELECT_CENTROID
                         ? (guint) dm_quota_total (data.n, ratios[r]) : data.n_labels;

      dm_select_result_free (select_counted (&request, expected_k));
    }
}

/* The seeded methods, each on items of its own. */
typedef struct {
  DmSelectMethod method;
  gsize n;
  guint n_labels;
  guint32 data_seed;
  double ratio;
  guint32 other_seed;
} SeedCase;

static void
test_seeds (gconstpointer case_data)
{
  const SeedCase *c = case_data;
  g_auto(Data) data = { 0 };

  DmSelectRequest request = request_on_new_data (&data, c->n, c->n_labels, c->data_seed,
                                                 c->method, c->ratio);
  assert_seed_decides (&request, c->other_seed);
}

/* The clusters parameter overrides the number of labels. */
static void
test_cluster_random_clusters (void)
{
  g_auto(Data) data = { 0 };
  DmSelectRequest request = request_on_new_data (&data, 1000, 10, 6, DM_SELECT_CLUSTER_RANDOM, 0.3);

  request.n_clusters = 4;
  dm_select_result_free (select_counted (&request, 4));
}

/* Entropy favours rare labels within a cluster: a label with one item in
 * a cluster of many of another label is kept far more often than chance. */
/* Keeping 5% of @data by entropy in one cluster, 40 times with different
 * seeds, asserts that @item, alone in its class, is kept nearly always:
 * uniform sampling would keep it 5% of the time; weight 399 : 1 nearly
 * always. */
static void
assert_entropy_keeps_rare_item (const Data *data, guint item)
{
  guint rare_kept = 0, rounds = 40;

  for (guint32 seed = 0; seed < rounds; seed++)
    {
      DmSelectRequest request = request_for (data, DM_SELECT_ENTROPY, 0.05);
      request.seed = seed;
      request.n_clusters = 1;
      g_autoptr(DmSelectResult) result = select_ok (&request);
      for (guint m = 0; m < result->n_kept; m++)
        rare_kept += result->kept[m] == item;
    }
  g_assert_cmpuint (rare_kept, >=, rounds * 9 / 10);
}

static void
test_entropy_weights (void)
{
  g_auto(Data) data = { 0 };

  data_init (&data, 400, 1, 3);
  data.n_labels = 2;
  data.labels[17] = 1;   /* the only item of label 1 */
  assert_entropy_keeps_rare_item (&data, 17);
}

static void
test_centroid_nearest (void)
{
  g_auto(Data) data = { 0 };
  DmSelectRequest request = request_on_new_data (&data, 500, 5, 8, DM_SELECT_CENTROID, 0.2);
  g_autoptr(DmSelectResult) result = select_counted (&request, 0);

  for (guint m = 0; m < result->n_kept; m++)
    {
      guint kept = result->kept[m];
      guint j = result->cluster_of_item[kept];
      g_assert_cmpuint (result->quotas[j], ==, 1);
      for (gsize i = 0; i < data.n; i++)
        if (result->cluster_of_item[i] == j)
          g_assert_cmpfloat (result->distance[kept], <=, result->distance[i]);
    }
}

static void
test_centroid_duplicates (void)
{
  g_auto(Data) data = { 0 };
  data_init (&data, 40, 2, 1);
  /* Five distinct keys, eight copies each: k = 20 > 5 distinct. */
  for (gsize i = 0; i < data.n; i++)
    memcpy (data.keys + i * KEY_BYTES, data.keys + (i % 5) * KEY_BYTES, KEY_BYTES);
  DmSelectRequest request = request_for (&data, DM_SELECT_CENTROID, 0.5);
  g_autoptr(DmSelectResult) result = select_counted (&request, 0);

  g_assert_cmpuint (result->n_kept, ==, 20);
}

/* Small runs get more trials, then restarts; the speed benchmark's
 * centroid (10 000 keys, ratio 0.5) and larger runs keep the default. */
static void
test_centroid_effort (void)
{
  static const struct { gsize n; guint k; guint trials, restarts; } cases[] = {
    { 1198, 60, 8 * 6, 4 },     /* digits at 5 % */
    { 10000, 500, 8 * 8, 1 },   /* Fashion-MNIST's first 10 000 at 5 % */
    { 10000, 1000, 5 * 8, 1 },  /* room for 5 times the trials only */
    { 10000, 5000, 10, 1 },     /* bench-cluster.py's centroid10k */
    { 60000, 3000, 10, 1 },
    { 100000, 50000, 2, 1 },
  };
  static const gsize sizes[] = { 1, 10, 1000, 20000, 300000, 3000000 };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      guint trials, restarts;

      dm_select_centroid_effort (cases[c].n, cases[c].k, &trials, &restarts);
      g_assert_cmpuint (trials, ==, cases[c].trials);
      g_assert_cmpuint (restarts, ==, cases[c].restarts);
      if (cases[c].restarts == 1)
        g_assert_cmpuint (trials % dm_kmeans_default_trials (cases[c].n, cases[c].k), ==, 0);
    }
  /* Never less than the default, never past the budget unless the default is. */
  for (gsize a = 0; a < G_N_ELEMENTS (sizes); a++)
    for (gsize b = 0; b <= a; b++)
      {
        guint k = (guint) sizes[b], trials, restarts;
        guint base = dm_kmeans_default_trials (sizes[a], k);
        double work;

        dm_select_centroid_effort (sizes[a], k, &trials, &restarts);
        work = (double) sizes[a] * k * trials * restarts;
        g_assert_cmpuint (trials, >=, base);
        g_assert_cmpuint (trials, <=, 8 * base);
        g_assert_cmpuint (restarts, >=, 1);
        g_assert_cmpuint (restarts, <=, 4);
        g_assert_true (work <= MAX (4e8, (double) sizes[a] * k * base));
      }
}

/* The quota methods' seeding: the trials within their budget, and an
 * eighth of the items screened only where clusters average 96 items. */
static void
test_quota_effort (void)
{
  static const struct { gsize n; guint k; guint factor, screen; } cases[] = {
    { 10000, 100, 8, 8 },       /* bench-cluster.py's cr10k: 100 a cluster */
    { 9599, 100, 8, 4 },
    { 9600, 100, 8, 8 },
    { 50000, 1000, 2, 4 },      /* cr50k: 50 a cluster */
    { 1280000, 1000, 2, 8 },    /* ImageNet's size */
    { 1000, 1000, 8, 4 },
    { 1, 1, 8, 4 },
  };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      guint trials, screen, finalists;

      dm_select_quota_effort (cases[c].n, cases[c].k, &trials, &screen, &finalists);
      g_assert_cmpuint (trials, ==, cases[c].factor * dm_kmeans_default_trials (cases[c].n, cases[c].k));
      g_assert_cmpuint (screen, ==, cases[c].screen);
      g_assert_cmpuint (finalists, ==, 3);
    }
}

/* Centroid keeps the best of its restarts: never a higher inertia than one
 * k-means run from the request's seed with the same trials, and lower for
 * some data. */
static void
test_centroid_restarts (void)
{
  guint n_lower = 0;

  for (guint32 data_seed = 1; data_seed <= 5; data_seed++)
    {
      g_auto(Data) data = { 0 };
      DmSelectRequest request = request_on_new_data (&data, 400, 4, data_seed,
                                                     DM_SELECT_CENTROID, 0.05);
      g_autoptr(DmSelectResult) result = select_counted (&request, 0);
      g_autoptr(DmKmeansResult) single = NULL;
      g_autoptr(GError) error = NULL;
      DmKmeansRequest kmeans;
      guint restarts;

      dm_kmeans_request_init (&kmeans);
      kmeans.keys = data.keys;
      kmeans.n_items = data.n;
      kmeans.key_bytes = KEY_BYTES;
      kmeans.k = result->n_clusters;
      kmeans.seed = request.seed;
      dm_select_centroid_effort (data.n, kmeans.k, &kmeans.local_trials, &restarts);
      g_assert_cmpuint (restarts, ==, 4);
      g_assert_true (dm_kmeans_run (&kmeans, &single, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat (result->inertia, <=, single->inertia);
      n_lower += result->inertia < single->inertia;
    }
  g_assert_cmpuint (n_lower, >, 0);
}

typedef struct {
  double last;
  guint n_calls;
} Fractions;

static gboolean
record_clustering (const char *phase, double fraction, gpointer data)
{
  Fractions *fractions = data;

  if (g_str_equal (phase, "clustering"))
    {
      g_assert_cmpfloat (fraction, >=, fractions->last);
      g_assert_cmpfloat (fraction, <=, 1.0);
      fractions->last = fraction;
      fractions->n_calls++;
    }
  return TRUE;
}

/* The restarts report one clustering phase: its fractions never go back. */
static void
test_centroid_restart_progress (void)
{
  g_auto(Data) data = { 0 };
  DmSelectRequest request = request_on_new_data (&data, 400, 4, 1, DM_SELECT_CENTROID, 0.05);
  Fractions fractions = { 0 };

  request.progress = record_clustering;
  request.progress_data = &fractions;
  dm_select_result_free (select_counted (&request, 0));
  g_assert_cmpuint (fractions.n_calls, >, 4);
  g_assert_cmpfloat (fractions.last, >, 0.75);
}

static void
test_query_clust_nearest (void)
{
  g_auto(Data) data = { 0 };
  DmSelectRequest request = request_on_new_data (&data, 700, 7, 12, DM_SELECT_QUERY_CLUST, 0.4);
  g_autoptr(DmSelectResult) result = select_counted (&request, 0);
  g_autofree float *farthest_kept = g_new0 (float, 7);
  g_autofree gboolean *kept = g_new0 (gboolean, data.n);

  for (guint m = 0; m < result->n_kept; m++)
    {
      guint i = result->kept[m];
      kept[i] = TRUE;
      farthest_kept[result->cluster_of_item[i]] =
          MAX (farthest_kept[result->cluster_of_item[i]], result->distance[i]);
    }
  for (gsize i = 0; i < data.n; i++)
    if (!kept[i])
      g_assert_cmpfloat (result->distance[i], >=, farthest_kept[result->cluster_of_item[i]]);
}

/* By default the methods that cluster by label make one cluster per class
 * that an item carries (no label being a class of its own): asserts they
 * make @n_clusters, keeping @ratio of @data by the quotas. */
static void
assert_label_methods_make_clusters (const Data *data, double ratio, guint n_clusters)
{
  static const DmSelectMethod methods[] = {
    DM_SELECT_QUERY_CLUST, DM_SELECT_ENTROPY, DM_SELECT_CLUSTER_RANDOM,
  };

  for (gsize m = 0; m < G_N_ELEMENTS (methods); m++)
    {
      DmSelectRequest request = request_for (data, methods[m], ratio);

      dm_select_result_free (select_counted (&request, n_clusters));
    }
}

/* Items without a label are a class of their own for the label methods:
 * one more query_clust centre, started at the first unlabelled item, one
 * more cluster by default, and a lone unlabelled item among many of one
 * label is as rare to entropy as a lone label. */
static void
test_unlabelled_class (void)
{
  g_auto(Data) data = { 0 };

  data_init (&data, 300, 3, 21);
  for (gsize i = 0; i < data.n; i += 10)
    data.labels[i] = -1;
  assert_label_methods_make_clusters (&data, 0.3, 4);
  data_clear (&data);

  data_init (&data, 400, 1, 3);
  data.labels[17] = -1;   /* the only unlabelled item */
  assert_entropy_keeps_rare_item (&data, 17);
}

/* More classes than items (Datumaro's legacy asset: 4 items, 4 labels,
 * one item unlabelled): one cluster per item, the classes nobody carries
 * giving way, and every carried class's first item a centre. */
static void
test_more_classes_than_items (void)
{
  g_auto(Data) data = { 0 };

  data_init (&data, 4, 2, 5);
  data.n_labels = 4;
  data.labels[0] = 0;
  data.labels[1] = 0;
  data.labels[2] = 1;
  data.labels[3] = -1;
  for (gsize i = 0; i < data.n; i++)
    data.keys[i * KEY_BYTES] = (guint8) (0x11 * (i + 1));   /* four distinct keys */
  assert_label_methods_make_clusters (&data, 0.5, 4);
}

static void
test_identical_paths (gconstpointer method_data)
{
  DmSelectMethod method = GPOINTER_TO_INT (method_data);
  g_auto(Data) data = { 0 };
  DmSelectRequest request = request_on_new_data (&data, 3000, 40, 21, method, 0.3);
  request.n_threads = 1;
  g_autoptr(DmSelectResult) one = select_ok (&request);
  request.n_threads = 2;
  g_autoptr(DmSelectResult) two = select_ok (&request);
  request.force_portable = TRUE;
  g_autoptr(DmSelectResult) portable = select_ok (&request);

  g_assert_false (portable->used_simd);
  assert_same_kept (one, two);
  assert_same_kept (one, portable);
  g_assert_cmpmem (one->cluster_of_item, data.n * sizeof (guint),
                   portable->cluster_of_item, data.n * sizeof (guint));
  g_assert_cmpfloat (one->inertia, ==, two->inertia);
  g_assert_cmpfloat (one->inertia, ==, portable->inertia);
}

static void
expect_error (const DmSelectRequest *request, int code, const char *fragment)
{
  DmSelectResult *result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (dm_cluster_select (request, &result, &error));
  g_assert_null (result);
  g_assert_error (error, DM_CORE_ERROR, code);
  if (fragment != NULL)
    g_assert_nonnull (strstr (error->message, fragment));
}

static gboolean
cancel_when_selecting (const char *phase, double fraction, gpointer data)
{
  return !g_str_equal (phase, "selecting");
}

static void
test_errors (void)
{
  g_auto(Data) data = { 0 };
  DmSelectRequest request = request_on_new_data (&data, 50, 3, 2, DM_SELECT_CLUSTER_RANDOM, 0.5);

  request.ratio = 0;
  expect_error (&request, DM_CORE_ERROR_INVALID_ARGUMENT, "ratio");
  request.ratio = 1.5;
  expect_error (&request, DM_CORE_ERROR_INVALID_ARGUMENT, "ratio");
  request.ratio = NAN;
  expect_error (&request, DM_CORE_ERROR_INVALID_ARGUMENT, "ratio");
  request.ratio = 0.5;

  request.n_labels = 0;
  request.labels = NULL;
  expect_error (&request, DM_CORE_ERROR_INVALID_ARGUMENT, "clusters");
  request.n_clusters = 51;
  expect_error (&request, DM_CORE_ERROR_INVALID_ARGUMENT, "51 clusters");
  request.labels = data.labels;
  request.n_labels = 3;
  request.n_clusters = 0;

  /* The label methods need labels; an unlabelled item is another class. */
  request.labels = NULL;
  request.method = DM_SELECT_QUERY_CLUST;
  expect_error (&request, DM_CORE_ERROR_MISSING_LABEL, "labels");
  request.method = DM_SELECT_ENTROPY;
  expect_error (&request, DM_CORE_ERROR_MISSING_LABEL, "labels");
  request.labels = data.labels;
  data.labels[7] = 3;
  expect_error (&request, DM_CORE_ERROR_INVALID_ARGUMENT, "item 7");
  data.labels[7] = -2;
  expect_error (&request, DM_CORE_ERROR_INVALID_ARGUMENT, "item 7");
  {
    g_autofree int *none = g_new (int, data.n);
    for (gsize i = 0; i < data.n; i++)
      none[i] = -1;
    request.labels = none;
    expect_error (&request, DM_CORE_ERROR_MISSING_LABEL, "no item has a label");
    request.method = DM_SELECT_QUERY_CLUST;
    expect_error (&request, DM_CORE_ERROR_MISSING_LABEL, "no item has a label");
    request.labels = data.labels;
  }
  data.labels[7] = -1;
  request.method = DM_SELECT_CLUSTER_RANDOM;
  g_autoptr(DmSelectResult) fine = select_ok (&request);
  g_assert_cmpuint (fine->n_kept, ==, 25);

  request.key_bytes = 20;   /* not whole 64-bit words */
  expect_error (&request, DM_CORE_ERROR_INVALID_ARGUMENT, "20 bytes");
  request.key_bytes = KEY_BYTES;

  request.progress = cancel_when_selecting;
  expect_error (&request, DM_CORE_ERROR_CANCELLED, NULL);
}

int
main (int argc, char **argv)
{
  static const struct { const char *name; DmSelectMethod method; } methods[] = {
    { "cluster_random", DM_SELECT_CLUSTER_RANDOM },
    { "centroid", DM_SELECT_CENTROID },
    { "query_clust", DM_SELECT_QUERY_CLUST },
    { "entropy", DM_SELECT_ENTROPY },
  };
  static const SeedCase cluster_random_seeds = { DM_SELECT_CLUSTER_RANDOM, 1000, 10, 6, 0.3, 1 };
  static const SeedCase entropy_seeds = { DM_SELECT_ENTROPY, 800, 8, 16, 0.25, 99 };
  /* 4 restarts of 48 trials (see test_centroid_effort()) */
  static const SeedCase centroid_seeds = { DM_SELECT_CENTROID, 1200, 10, 3, 0.05, 7 };

  g_test_init (&argc, &argv, NULL);
  for (gsize m = 0; m < G_N_ELEMENTS (methods); m++)
    {
      g_autofree char *counts = g_strdup_printf ("/select/counts/%s", methods[m].name);
      g_autofree char *paths = g_strdup_printf ("/select/identical-paths/%s", methods[m].name);
      g_test_add_data_func (counts, GINT_TO_POINTER (methods[m].method), test_counts);
      g_test_add_data_func (paths, GINT_TO_POINTER (methods[m].method), test_identical_paths);
    }
  g_test_add_data_func ("/select/cluster-random/seeds", &cluster_random_seeds, test_seeds);
  g_test_add_func ("/select/cluster-random/clusters", test_cluster_random_clusters);
  g_test_add_data_func ("/select/entropy/seeds", &entropy_seeds, test_seeds);
  g_test_add_func ("/select/entropy/weights", test_entropy_weights);
  g_test_add_func ("/select/centroid/nearest", test_centroid_nearest);
  g_test_add_func ("/select/centroid/duplicates", test_centroid_duplicates);
  g_test_add_data_func ("/select/centroid/seeds", &centroid_seeds, test_seeds);
  g_test_add_func ("/select/centroid/effort", test_centroid_effort);
  g_test_add_func ("/select/quota-effort", test_quota_effort);
  g_test_add_func ("/select/centroid/restarts", test_centroid_restarts);
  g_test_add_func ("/select/centroid/restart-progress", test_centroid_restart_progress);
  g_test_add_func ("/select/query-clust/nearest", test_query_clust_nearest);
  g_test_add_func ("/select/errors", test_errors);
  g_test_add_func ("/select/unlabelled-class", test_unlabelled_class);
  g_test_add_func ("/select/more-classes-than-items", test_more_classes_than_items);
  return g_test_run ();
}
