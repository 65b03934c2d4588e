/* dm-cluster-select.c: the clustering prune methods on top of k-means.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-cluster-select.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dm-keys.h"
#include "dm-kmeans.h"
#include "dm-quota.h"
#include "dm-select-beyond.h"

/* Key distance evaluations (about half a second on two cores) the quota
 * methods may spend on extra k-means++ local trials. */
#define SELECT_EXTRA_SEEDING 1e9
/* The extra trials are screened on a quarter of the items, the best 3 then
 * scored on all (DmKmeansRequest.seed_screen): 2.5 to 3 times less seeding
 * for the same inertia (cluster_random 0.5 on 50k keys, 16 trials, AVX2:
 * 0.9916-0.9952 of scikit-learn's against 0.9928-0.9945 scoring every
 * trial on every item, 4 seeds; 10k keys, 48 trials: 0.9911-0.9915 against
 * 0.9910-0.9918). Centroid keeps exact scoring: there it cost inertia
 * (1.0010-1.0022 against 1.0004-1.0014) and saved little. */
#define SELECT_SCREEN_STRIDE 4
#define SELECT_SCREEN_FINALISTS 3
/* Where clusters average this many items, an eighth of them is screened:
 * a candidate's screened potential comes mostly from the items of its own
 * cluster, and an eighth still samples 12 of them, as a quarter does at
 * 50 a cluster (10k keys, 100 clusters, 6 seeds: inertia 0.9872-0.9914 of
 * scikit-learn's either way, seeding 20-40 % shorter; at 50 a cluster an
 * eighth gave 0.9942-0.9994 against 0.9925-0.9952 and saved nothing). */
#define SELECT_WIDE_SCREEN_ITEMS 96
/* However large the data, at least twice scikit-learn's trials, screened:
 * they cost less seeding than its trials scored on every item (a quarter
 * of the items times 16, then 3 times the rest, against 8), and the
 * better seeds save Lloyd more than the screening costs: 1.28M keys,
 * 1000 clusters, AVX2, two seeds: 41.7 and 46.1 s of k-means became 37.6
 * and 33.8 s, 47 and 48 iterations 33 and 26, inertia 0.37-0.41 % lower.
 * (8 trials screened alone saved 11 % of seeding and nothing in Lloyd.) */
#define SELECT_MIN_TRIALS_FACTOR 2

/* Key distance evaluations (about 0.2 s on two cores) centroid may spend
 * on more trials and restarts; see dm_select_centroid_effort(). */
#define CENTROID_EXTRA_EFFORT 4e8
#define CENTROID_MAX_TRIALS_FACTOR 8
#define CENTROID_MAX_RESTARTS 4

/* Items of each cluster in ascending item order (compressed rows). */
typedef struct {
  guint *offsets;   /* n_clusters + 1 */
  guint *items;     /* n_items */
} Members;

static void
members_init (Members *members, const DmKmeansResult *clusters)
{
  g_autofree guint *fill = g_new0 (guint, clusters->k);

  members->offsets = g_new0 (guint, clusters->k + 1);
  members->items = g_new (guint, clusters->n_items);
  for (guint j = 0; j < clusters->k; j++)
    members->offsets[j + 1] = members->offsets[j] + clusters->sizes[j];
  for (gsize i = 0; i < clusters->n_items; i++)
    {
      guint j = clusters->labels[i];
      members->items[members->offsets[j] + fill[j]++] = (guint) i;
    }
}

static void
members_clear (Members *members)
{
  g_free (members->offsets);
  g_free (members->items);
}

int
dm_ranked_compare (gconstpointer a, gconstpointer b)
{
  const DmRanked *ra = a, *rb = b;

  if (ra->key != rb->key)
    return ra->key < rb->key ? -1 : 1;
  return ra->item < rb->item ? -1 : ra->item > rb->item;
}

/* The class of an item for the label methods: its label, or, for an item
 * without one, the "unlabelled" class n_labels. */
static guint
class_of (const DmSelectRequest *request, guint item)
{
  int label = request->labels[item];

  return label >= 0 ? (guint) label : request->n_labels;
}

/* How many classes the items fall into: the labels, and one more when
 * some item has none. */
static guint
count_classes (const DmSelectRequest *request)
{
  if (request->labels != NULL)
    for (gsize i = 0; i < request->n_items; i++)
      if (request->labels[i] < 0)
        return request->n_labels + 1;
  return request->n_labels;
}

static gboolean
any_labelled (const DmSelectRequest *request)
{
  for (gsize i = 0; i < request->n_items; i++)
    if (request->labels[i] >= 0)
      return TRUE;
  return FALSE;
}

static void
keep_nearest (const DmKmeansResult *clusters, const Members *members,
              const guint *quotas, gboolean *kept)
{
  for (guint j = 0; j < clusters->k; j++)
    {
      guint size = members->offsets[j + 1] - members->offsets[j];
      g_autofree DmRanked *ranked = g_new (DmRanked, MAX (size, 1));
      for (guint m = 0; m < size; m++)
        {
          guint item = members->items[members->offsets[j] + m];
          ranked[m] = (DmRanked) { clusters->distance[item], item };
        }
      qsort (ranked, size, sizeof *ranked, dm_ranked_compare);
      for (guint m = 0; m < quotas[j]; m++)
        kept[ranked[m].item] = TRUE;
    }
}

static void
keep_random (const DmKmeansResult *clusters, const Members *members,
             const guint *quotas, guint32 seed, gboolean *kept)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint j = 0; j < clusters->k; j++)
    {
      guint *items = members->items + members->offsets[j];
      guint size = members->offsets[j + 1] - members->offsets[j];
      for (guint m = size; m > 1; m--)
        {
          guint other = (guint) g_rand_int_range (rand, 0, (gint32) m);
          guint swap = items[m - 1];
          items[m - 1] = items[other];
          items[other] = swap;
        }
      for (guint m = 0; m < quotas[j]; m++)
        kept[items[m]] = TRUE;
    }
}

/* Weighted sampling without replacement (Efraimidis-Spirakis): the items
 * with the largest u^(1/w), i.e. the smallest -ln(u) / w, w = 1 / count. */
static void
keep_entropy (const DmKmeansResult *clusters, const Members *members,
              const guint *quotas, const DmSelectRequest *request,
              gboolean *kept)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (request->seed);
  g_autofree guint *class_count = g_new0 (guint, request->n_labels + 1);

  for (guint j = 0; j < clusters->k; j++)
    {
      const guint *items = members->items + members->offsets[j];
      guint size = members->offsets[j + 1] - members->offsets[j];
      g_autofree DmRanked *ranked = g_new (DmRanked, MAX (size, 1));

      for (guint m = 0; m < size; m++)
        class_count[class_of (request, items[m])]++;
      for (guint m = 0; m < size; m++)
        {
          double u = 1.0 - g_rand_double (rand);   /* (0, 1] */
          ranked[m] = (DmRanked) { -log (u) * class_count[class_of (request, items[m])], items[m] };
        }
      for (guint m = 0; m < size; m++)
        class_count[class_of (request, items[m])] = 0;
      qsort (ranked, size, sizeof *ranked, dm_ranked_compare);
      for (guint m = 0; m < quotas[j]; m++)
        kept[ranked[m].item] = TRUE;
    }
}

/* One item per non-empty cluster, then (duplicate keys only) the nearest
 * remaining items overall. */
static void
keep_centroids (const DmKmeansResult *clusters, gsize total,
                guint *quotas, gboolean *kept)
{
  g_autofree guint *nearest = g_new (guint, clusters->k);
  gsize n_kept = 0;

  for (guint j = 0; j < clusters->k; j++)
    nearest[j] = G_MAXUINT;
  for (gsize i = 0; i < clusters->n_items; i++)
    {
      guint j = clusters->labels[i];
      if (nearest[j] == G_MAXUINT || clusters->distance[i] < clusters->distance[nearest[j]])
        nearest[j] = (guint) i;
    }
  for (guint j = 0; j < clusters->k; j++)
    {
      quotas[j] = nearest[j] != G_MAXUINT;
      if (quotas[j])
        {
          kept[nearest[j]] = TRUE;
          n_kept++;
        }
    }
  if (n_kept == total)
    return;

  g_autofree DmRanked *ranked = g_new (DmRanked, clusters->n_items);
  gsize n_ranked = 0;
  for (gsize i = 0; i < clusters->n_items; i++)
    if (!kept[i])
      ranked[n_ranked++] = (DmRanked) { clusters->distance[i], (guint) i };
  qsort (ranked, n_ranked, sizeof *ranked, dm_ranked_compare);
  for (gsize r = 0; n_kept < total; r++, n_kept++)
    {
      kept[ranked[r].item] = TRUE;
      quotas[clusters->labels[ranked[r].item]]++;
    }
}

gboolean
dm_select_check_label_ids (const DmSelectRequest *request, GError **error)
{
  g_return_val_if_fail (request->labels != NULL, FALSE);

  for (gsize i = 0; i < request->n_items; i++)
    {
      int label = request->labels[i];
      if (label < -1 || (label >= 0 && (guint) label >= request->n_labels))
        {
          g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                       "item %" G_GSIZE_FORMAT " has label id %d, outside the "
                       "dataset's %u labels", i, label, request->n_labels);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_labels (const DmSelectRequest *request, gboolean required, GError **error)
{
  if (request->labels == NULL)
    {
      if (!required)
        return TRUE;
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_MISSING_LABEL,
                   "this prune method needs item labels, and none were given");
      return FALSE;
    }
  return dm_select_check_label_ids (request, error);
}

/* Herding's label filter looks at all items and every label at once, so
 * it runs before stratifying or clustering splits them up: then the
 * request again, with the candidates it found. */
static gboolean
select_herding_filtered (const DmSelectRequest  *request,
                         DmSelectResult        **result_out,
                         GError                **error)
{
  g_autofree gboolean *candidates = g_new (gboolean, request->n_items);
  DmSelectRequest filtered = *request;
  guint n_left_out;
  gint64 start = g_get_monotonic_time ();
  double seconds;

  if (request->labels == NULL || !any_labelled (request))
    {
      g_set_error_literal (error, DM_CORE_ERROR, DM_CORE_ERROR_MISSING_LABEL,
                           "herding's label filter needs item labels, and no item has one");
      return FALSE;
    }
  if (!dm_select_check_label_ids (request, error)
      || !dm_select_herding_candidates (request, candidates, &n_left_out, error))
    return FALSE;
  seconds = (g_get_monotonic_time () - start) / 1e6;
  filtered.herding_candidates = candidates;
  if (!dm_cluster_select (&filtered, result_out, error))
    return FALSE;
  (*result_out)->n_filtered_out = n_left_out;
  (*result_out)->seconds_filter = seconds;
  return TRUE;
}

/* k per the method; one cluster per class when k comes from the labels,
 * but no more than there are items (classes may be more: labels nobody
 * carries, and the unlabelled). */
static gboolean
choose_k (const DmSelectRequest *request, gsize total, guint *k, GError **error)
{
  gboolean by_class = request->method == DM_SELECT_QUERY_CLUST || request->n_clusters == 0;

  switch (request->method)
    {
    case DM_SELECT_CENTROID:
      *k = (guint) total;
      break;
    case DM_SELECT_QUERY_CLUST:
    case DM_SELECT_CLUSTER_RANDOM:
    case DM_SELECT_ENTROPY:
    default:
      *k = by_class ? count_classes (request) : request->n_clusters;
      if (by_class && request->n_labels == 0)
        *k = 0;
      if (by_class && *k > request->n_items)
        *k = (guint) request->n_items;
      break;
    }
  if (*k == 0)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   request->method == DM_SELECT_QUERY_CLUST
                   ? "the dataset has no labels, which query_clust needs as centres"
                   : "the dataset has no labels to take the number of clusters "
                     "from: pass the clusters parameter");
      return FALSE;
    }
  if (*k > request->n_items)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "cannot make %u clusters from %" G_GSIZE_FORMAT " items",
                   *k, request->n_items);
      return FALSE;
    }
  return TRUE;
}

/* Query_clust's k initial centres: the first item of each class, in class
 * order; k-means++ (-1) for a class without items. When k is short of the
 * classes (more classes than items), classes without items give way. */
static gint64 *
query_clust_centres (const DmSelectRequest *request, guint k)
{
  guint n_classes = count_classes (request);
  g_autofree gint64 *first = g_new (gint64, n_classes);
  gint64 *initial = g_new (gint64, k);
  guint n_to_drop = n_classes - k;
  guint n = 0;

  for (guint c = 0; c < n_classes; c++)
    first[c] = -1;
  for (gsize i = request->n_items; i-- > 0;)
    first[class_of (request, (guint) i)] = (gint64) i;
  for (guint c = 0; c < n_classes; c++)
    {
      if (first[c] < 0 && n_to_drop > 0)
        {
          n_to_drop--;
          continue;
        }
      initial[n++] = first[c];
    }
  g_assert (n == k);
  return initial;
}

void
dm_select_centroid_effort (gsize n_items, guint k, guint *local_trials, guint *restarts)
{
  guint trials = dm_kmeans_default_trials (n_items, k);
  double room = CENTROID_EXTRA_EFFORT / MAX ((double) n_items * k * trials, 1.0);
  guint factor = (guint) CLAMP (room, 1, CENTROID_MAX_TRIALS_FACTOR);

  /* Trials first: on digits at 5 % kept, 8 times the trials gain more
   * (about 0.6 points of 1-NN accuracy) than 10 restarts (0.3). */
  *local_trials = trials * factor;
  *restarts = (guint) CLAMP (room / factor, 1, CENTROID_MAX_RESTARTS);
}

void
dm_select_quota_effort (gsize n_items, guint k, guint *local_trials, guint *screen,
                        guint *finalists)
{
  guint trials = dm_kmeans_default_trials (n_items, k);
  double seeding_work = (double) n_items * k * trials;
  guint factor = (guint) CLAMP (SELECT_EXTRA_SEEDING / MAX (seeding_work, 1.0),
                                SELECT_MIN_TRIALS_FACTOR, 8);

  *local_trials = trials * factor;
  *screen = n_items >= (gsize) SELECT_WIDE_SCREEN_ITEMS * k ? 2 * SELECT_SCREEN_STRIDE
                                                            : SELECT_SCREEN_STRIDE;
  *finalists = SELECT_SCREEN_FINALISTS;
}

gboolean
dm_select_relay_progress (const char *phase, double fraction, gpointer share)
{
  DmSelectProgressShare *part = share;
  double whole = part->done + part->share * CLAMP (fraction, 0.0, 1.0);

  if (part->phase == NULL)
    return part->request->progress (phase, whole, part->request->progress_data);
  /* The part's phases, one after the other, each from 0 to 1, under one
   * name: the fraction holds where it was until the next passes it. */
  part->reached = MAX (part->reached, whole);
  return part->request->progress (part->phase, part->reached, part->request->progress_data);
}

/* Runs @kmeans @restarts times, the first from its own seed, the others
 * from seeds a GRand seeded with it draws; keeps the lowest inertia (ties:
 * the earlier run), which the exact integer sums make the same on every
 * kernel and thread count. */
static gboolean
run_kmeans_restarts (const DmSelectRequest *request, DmKmeansRequest *kmeans,
                     guint restarts, DmKmeansResult **best, GError **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (kmeans->seed);
  DmSelectProgressShare part = { request, 0, 1.0 / restarts, NULL, 0 };
  double seconds_seeding = 0, seconds_lloyd = 0;

  /* The restarts report one "clustering" phase from 0 to 1. */
  if (restarts > 1 && request->progress != NULL)
    {
      kmeans->progress = dm_select_relay_progress;
      kmeans->progress_data = &part;
    }
  for (guint r = 0; r < restarts; r++)
    {
      g_autoptr(DmKmeansResult) run = NULL;

      part.done = (double) r / restarts;
      if (r > 0)
        kmeans->seed = g_rand_int (rand);
      if (!dm_kmeans_run (kmeans, &run, error))
        return FALSE;
      seconds_seeding += run->seconds_seeding;
      seconds_lloyd += run->seconds_lloyd;
      if (*best == NULL || run->inertia < (*best)->inertia)
        {
          g_clear_pointer (best, dm_kmeans_result_free);
          *best = g_steal_pointer (&run);
        }
    }
  (*best)->seconds_seeding = seconds_seeding;
  (*best)->seconds_lloyd = seconds_lloyd;
  return TRUE;
}

gboolean
dm_select_report_phase (const DmSelectRequest *request, const char *phase, double fraction,
                        const char *what, GError **error)
{
  if (request->progress == NULL
      || request->progress (phase, fraction, request->progress_data))
    return TRUE;
  g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_CANCELLED, "%s was cancelled", what);
  return FALSE;
}

DmKmeansKernel
dm_select_kernel (const DmSelectRequest *request)
{
  return request->force_portable ? DM_KMEANS_KERNEL_PORTABLE : DM_KMEANS_KERNEL_AUTO;
}

gboolean
dm_select_report_selecting (const DmSelectRequest *request, double fraction, const char *what,
                            GError **error)
{
  return dm_select_report_phase (request, "selecting", fraction, what, error);
}

gboolean
dm_cluster_select (const DmSelectRequest *request,
                   DmSelectResult       **result_out,
                   GError               **error)
{
  gboolean by_label;
  gsize total;
  guint k;
  g_autofree gint64 *initial = NULL;
  g_autoptr(DmKmeansResult) clusters = NULL;
  g_autoptr(DmSelectResult) result = NULL;
  g_autofree gboolean *kept = NULL;
  DmKmeansRequest kmeans;
  guint restarts = 1;
  Members members;
  gint64 start;

  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (request->keys != NULL || request->n_items == 0, FALSE);
  g_return_val_if_fail (result_out != NULL, FALSE);

  if (!dm_keys_check_size (request->key_bytes, error))
    return FALSE;
  if (!(request->ratio > 0 && request->ratio <= 1))
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "the ratio must be in (0, 1], not %g", request->ratio);
      return FALSE;
    }
  if (request->method > DM_SELECT_HERDING)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "unknown clustering method %d", (int) request->method);
      return FALSE;
    }
  if (!dm_select_beyond_check (request, error))
    return FALSE;
  if (dm_select_herding_filter_on (request) && request->n_items > 0)
    return select_herding_filtered (request, result_out, error);
  /* Stratified, unlabelled items are a group of their own: no method
   * meets an item without a label. */
  if (request->stratify)
    return dm_select_stratified (request, result_out, error);
  by_label = request->method == DM_SELECT_QUERY_CLUST || request->method == DM_SELECT_ENTROPY;
  if (!check_labels (request, by_label, error))
    return FALSE;
  /* Unlabelled items are a class beside the labelled; alone they give
   * these methods nothing to go by. */
  if (by_label && request->n_items > 0 && !any_labelled (request))
    {
      g_set_error_literal (error, DM_CORE_ERROR, DM_CORE_ERROR_MISSING_LABEL,
                           "no item has a label, which this method needs "
                           "(cluster_random, centroid and ndr do not)");
      return FALSE;
    }

  result = g_new0 (DmSelectResult, 1);
  if (request->n_items == 0)
    {
      *result_out = g_steal_pointer (&result);
      return TRUE;
    }
  total = request->n_kept > 0 ? request->n_kept
                              : dm_quota_total (request->n_items, request->ratio);
  if (!choose_k (request, total, &k, error))
    return FALSE;

  dm_kmeans_request_init (&kmeans);
  kmeans.keys = request->keys;
  kmeans.n_items = request->n_items;
  kmeans.key_bytes = request->key_bytes;
  kmeans.k = k;
  kmeans.seed = request->seed;
  kmeans.n_threads = request->n_threads;
  kmeans.force_portable = request->force_portable;
  /* Every method's quality is the clustering's: twice scikit-learn's
   * k-means++ trials, screened, and up to 8 times where seeding is cheap
   * (for centroid, more trials and restarts), buy a lower inertia. */
  kmeans.local_trials = dm_kmeans_default_trials (request->n_items, k);
  if (request->method == DM_SELECT_CENTROID)
    dm_select_centroid_effort (request->n_items, k, &kmeans.local_trials, &restarts);
  else
    dm_select_quota_effort (request->n_items, k, &kmeans.local_trials, &kmeans.seed_screen,
                            &kmeans.seed_finalists);
  kmeans.progress = request->progress;
  kmeans.progress_data = request->progress_data;
  if (request->method == DM_SELECT_QUERY_CLUST)
    {
      initial = query_clust_centres (request, k);
      kmeans.initial_items = initial;
    }
  if (!run_kmeans_restarts (request, &kmeans, restarts, &clusters, error))
    return FALSE;

  start = g_get_monotonic_time ();
  if (!dm_select_report_selecting (request, 0.0, "selection", error))
    return FALSE;
  result->n_clusters = k;
  result->cluster_sizes = g_memdup2 (clusters->sizes, k * sizeof (guint));
  result->quotas = g_new0 (guint, k);
  kept = g_new0 (gboolean, request->n_items);
  members_init (&members, clusters);
  if (request->method == DM_SELECT_CENTROID)
    keep_centroids (clusters, total, result->quotas, kept);
  else if (request->method == DM_SELECT_DEDUP)
    {
      if (!dm_select_keep_deduplicated (clusters, request, total, result->quotas, kept,
                                        &result->n_duplicates, error))
        {
          members_clear (&members);
          return FALSE;
        }
    }
  else if (!dm_quota_compute (clusters->sizes, k, total, result->quotas, error))
    {
      members_clear (&members);
      return FALSE;
    }
  else if (request->method == DM_SELECT_CLUSTER_RANDOM)
    keep_random (clusters, &members, result->quotas, request->seed, kept);
  else if (request->method == DM_SELECT_QUERY_CLUST
           || (request->method == DM_SELECT_PROTOTYPE
               && dm_prototype_resolve (request->prototype_keep, request->ratio) == DM_PROTOTYPE_KEEP_EASY))
    keep_nearest (clusters, &members, result->quotas, kept);
  else if (request->method == DM_SELECT_PROTOTYPE)
    dm_select_keep_hardest (clusters, result->quotas, kept);
  else if (request->method == DM_SELECT_HERDING)
    {
      if (!dm_select_keep_herded (clusters, request, result->quotas, kept, error))
        {
          members_clear (&members);
          return FALSE;
        }
    }
  else
    keep_entropy (clusters, &members, result->quotas, request, kept);
  members_clear (&members);

  result->kept = g_new (guint, total);
  for (gsize i = 0; i < request->n_items; i++)
    if (kept[i])
      result->kept[result->n_kept++] = (guint) i;
  g_assert (result->n_kept == total);

  result->cluster_of_item = g_steal_pointer (&clusters->labels);
  result->distance = g_new (float, request->n_items);
  for (gsize i = 0; i < request->n_items; i++)
    result->distance[i] = (float) clusters->distance[i];
  result->inertia = clusters->inertia;
  result->iterations = clusters->iterations;
  result->used_simd = clusters->used_simd;
  result->seconds_seeding = clusters->seconds_seeding;
  result->seconds_lloyd = clusters->seconds_lloyd;
  if (!dm_select_report_selecting (request, 1.0, "selection", error))
    return FALSE;
  result->seconds_select = (g_get_monotonic_time () - start) / 1e6;
  *result_out = g_steal_pointer (&result);
  return TRUE;
}

void
dm_select_result_free (DmSelectResult *result)
{
  if (result == NULL)
    return;
  g_free (result->kept);
  g_free (result->cluster_of_item);
  g_free (result->distance);
  g_free (result->cluster_sizes);
  g_free (result->quotas);
  g_free (result);
}
