/* dm-cluster-select.h: the clustering prune methods.
 *
 * Picks a representative subset of items by k-means over their hash keys,
 * the way Datumaro's prune does, but always keeping exactly
 * ceil(n_items * ratio) items (see dm_quota_total()).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "dm-core-error.h"
#include "dm-kmeans.h"

G_BEGIN_DECLS

/* The label methods see classes: the labels 0 .. n_labels - 1 and, when
 * some item has no label (-1), the "unlabelled" class n_labels. "k = the
 * classes" below means that number, at most the number of items; it is an
 * error when n_labels is 0. */
typedef enum {
  /* k = n_clusters or the classes; quotas by cluster size; within each
   * cluster a seeded shuffle (GRand seeded with the seed, clusters in
   * index order), keeping the first quota items. */
  DM_SELECT_CLUSTER_RANDOM,
  /* k = ceil(n_items * ratio), clustered as dm_select_centroid_effort()
   * says (the lowest inertia of its restarts); each cluster keeps the item
   * nearest its centre by squared distance (ties: lowest item index). When
   * k-means ends with fewer non-empty clusters than k (only with duplicate
   * keys), the rest is filled with the not yet kept items in ascending order of
   * (squared distance to own centre, item index). */
  DM_SELECT_CENTROID,
  /* k = the classes; a centre per class, in class order, starts at the
   * key of the first item (in item order) of the class, or by k-means++
   * when the class has no item (such classes are left out first when
   * there are more classes than items);
   * quotas by cluster size; each cluster keeps the items nearest its centre
   * (ascending squared distance, ties lowest item index). */
  DM_SELECT_QUERY_CLUST,
  /* k = n_clusters or the classes; quotas by cluster size; within a
   * cluster a seeded sample without replacement, with probability
   * proportional to 1 / (number of items of the item's class in that
   * cluster), drawn as
   * the quota largest Efraimidis-Spirakis keys u^(1/w). */
  DM_SELECT_ENTROPY,
  /* Self-supervised prototypes (Sorscher et al. 2022): k = n_clusters or
   * n_labels; quotas by cluster size; each cluster keeps its easiest items
   * (nearest its centre) or its hardest (farthest), see #DmPrototypeKeep.
   * Ties: lowest item index. See dm-select-beyond.h. */
  DM_SELECT_PROTOTYPE,
  /* Semantic deduplication (Abbas et al. 2023, SemDeDup): k = n_clusters
   * or n_labels; within each cluster, items are taken farthest from the
   * centre first and dropped when within dedup_threshold of an item kept
   * before; the kept count is then brought to exactly the total, see
   * dm-select-beyond.h. */
  DM_SELECT_DEDUP,
  /* Kernel herding (Chen, Welling, Smola 2010): k = n_clusters or
   * n_labels; quotas by cluster size; within each cluster, items are taken
   * one at a time so that the kept items' mean kernel embedding follows
   * the cluster's, see dm-select-beyond.h. Its label filter, when asked
   * for, first finds the items whose nearest neighbours over the whole
   * dataset mostly carry another label, which herding keeps last. */
  DM_SELECT_HERDING,
} DmSelectMethod;

/* Which items the prototype method keeps in each cluster. */
typedef enum {
  DM_PROTOTYPE_KEEP_AUTO,   /* easy below DM_PROTOTYPE_HARD_FROM kept, else hard */
  DM_PROTOTYPE_KEEP_EASY,   /* nearest the centre: the most prototypical */
  DM_PROTOTYPE_KEEP_HARD,   /* farthest from the centre */
} DmPrototypeKeep;

typedef struct {
  const guint8 *keys;      /* n_items * key_bytes, packbits order */
  gsize n_items;
  gsize key_bytes;         /* 64 or 128 */
  const int *labels;       /* n_items entries: the item's label, 0 .. n_labels - 1, or -1 = none */
  guint n_labels;          /* number of labels */
  DmSelectMethod method;
  double ratio;            /* fraction kept, (0, 1] */
  guint32 seed;
  guint n_clusters;        /* 0 = n_labels (ignored by centroid and query_clust) */
  guint n_threads;         /* 0 = all cores */
  gboolean force_portable; /* no SIMD, for tests */
  DmCoreProgressFunc progress; gpointer progress_data;   /* may be NULL */
  DmPrototypeKeep prototype_keep;  /* prototype only */
  double dedup_threshold;  /* dedup only: duplicates differ in at most this fraction of key bits, [0, 1] */
  double herding_bandwidth; /* herding only: the kernel's width, times the median distance, > 0 */
  /* Herding only, its label-noise filter (see dm_select_herding_candidates()):
   * with herding_neighbours > 0 and herding_max_disagreement below 1, an
   * item whose herding_neighbours nearest keys (over all items) carry
   * another label than its own more than that fraction of the time is
   * kept only when its cluster has no candidate left to keep. A zeroed
   * request runs no filter. */
  double herding_max_disagreement;   /* [0, 1]; 1: no filter */
  guint herding_neighbours;          /* 0: no filter; else 1 .. DM_NEIGHBOURS_MAX */
  /* Herding only: NULL, or n_items flags, the items herding keeps first
   * (the filter's candidates: dm_cluster_select() sets them on the
   * request it passes on). When set, the filter does not run again. */
  const gboolean *herding_candidates;
  /* Any method: each label (items without one form a group of their own)
   * keeps its largest-remainder share of the total, and the method runs
   * within each label, see dm_select_stratified(). */
  gboolean stratify;
  gsize n_kept;            /* 0: ceil(n_items * ratio); else exactly this many, at most n_items */
} DmSelectRequest;

typedef struct {
  guint n_kept;  guint *kept;              /* item indices, ascending */
  guint n_clusters;
  guint *cluster_of_item;                  /* n_items */
  float *distance;                         /* n_items: squared distance to own centre */
  guint *cluster_sizes, *quotas;           /* n_clusters each; quotas = kept per cluster */
  double inertia; guint iterations;
  gboolean used_simd;
  double seconds_seeding, seconds_lloyd, seconds_select;
  guint n_duplicates;                      /* dedup: items found within the threshold of a kept one */
  guint n_filtered_out;                    /* herding's label filter: items it left out */
  double seconds_filter;                   /* herding's label filter: its time, 0 when off */
} DmSelectResult;

/**
 * dm_cluster_select:
 * @request: the keys, labels and parameters
 * @result: (out) (transfer full): the selection, free with
 *   dm_select_result_free()
 * @error: return location for a #GError in DM_CORE_ERROR
 *
 * Clusters the keys with dm_kmeans_run() and keeps items per the method
 * (see #DmSelectMethod). Reports progress in the phases "clustering"
 * (seeding and Lloyd) and "selecting". Results depend only on the request,
 * never on n_threads or force_portable.
 *
 * Returns: %TRUE on success, else %FALSE with @error set:
 *   DM_CORE_ERROR_INVALID_ARGUMENT when the ratio is not in (0, 1] or NaN,
 *   when k comes from the labels but there are none (pass `clusters`),
 *   when n_clusters exceeds the number of items, for a label outside
 *   -1 .. n_labels - 1 (the message names the item index) or for a bad key
 *   size; DM_CORE_ERROR_MISSING_LABEL when query_clust or entropy, or
 *   herding with its label filter, is given no labels array or no item has
 *   a label;
 *   DM_CORE_ERROR_CANCELLED when the progress callback returned %FALSE
 */
gboolean dm_cluster_select (const DmSelectRequest *request,
                            DmSelectResult       **result,
                            GError               **error);

/**
 * dm_select_centroid_effort:
 * @n_items: number of items clustered
 * @k: number of clusters (the kept count)
 * @local_trials: (out): k-means++ candidates per centre
 * @restarts: (out): k-means runs from different seeds, of which centroid
 *   keeps the one of lowest inertia (ties: the first)
 *
 * How hard centroid clusters. Its kept items are the clustering itself, so
 * where seeding is cheap (n_items * k * dm_kmeans_default_trials() well
 * under a second's work) it buys a lower inertia: up to 8 times the
 * default trials, then up to 4 restarts, within 4e8 key distance
 * evaluations in all. Larger runs get the default trials and one run, so
 * their cost is unchanged.
 */
void dm_select_centroid_effort (gsize  n_items,
                                guint  k,
                                guint *local_trials,
                                guint *restarts);

/**
 * dm_select_quota_effort:
 * @n_items: number of items clustered
 * @k: number of clusters
 * @local_trials: (out): k-means++ candidates per centre
 * @screen: (out): DmKmeansRequest.seed_screen: the candidates are first
 *   scored on every @screen-th block of 8 items
 * @finalists: (out): DmKmeansRequest.seed_finalists: how many of them are
 *   then scored on every item
 *
 * How the methods that keep a quota of each cluster (all but centroid)
 * seed k-means: at least twice the default trials, up to 8 times where
 * seeding is cheap (within 1e9 key distance evaluations), screened on a
 * quarter of the items, or an eighth where clusters average at least 96
 * items (still 12 of each cluster), then 3 finalists.
 */
void dm_select_quota_effort (gsize  n_items,
                             guint  k,
                             guint *local_trials,
                             guint *screen,
                             guint *finalists);

/* A part of a run (a label's group, a restart) whose progress
 * dm_select_relay_progress() passes on to request->progress as the
 * fractions done .. done + share of the whole: under the part's own
 * phases, or all under @phase, never going back. */
typedef struct {
  const DmSelectRequest *request;
  double done, share;
  const char *phase;   /* NULL: the part's own */
  double reached;      /* with @phase: the highest fraction reported */
} DmSelectProgressShare;

/* A #DmCoreProgressFunc; @share is a #DmSelectProgressShare. */
gboolean dm_select_relay_progress (const char *phase,
                                   double      fraction,
                                   gpointer    share);

/* Reports @fraction of @phase to request->progress (if any); %FALSE with
 * DM_CORE_ERROR_CANCELLED ("@what was cancelled") when the caller asked
 * to stop. */
gboolean dm_select_report_phase (const DmSelectRequest *request,
                                 const char            *phase,
                                 double                 fraction,
                                 const char            *what,
                                 GError               **error);

/* The kernel path of @request: the portable one when it forces it, else
 * DM_KMEANS_KERNEL_AUTO (DM_KERNEL, else the best this CPU runs). */
DmKmeansKernel dm_select_kernel (const DmSelectRequest *request);

/* dm_select_report_phase() of the phase "selecting". */
gboolean dm_select_report_selecting (const DmSelectRequest *request,
                                     double                 fraction,
                                     const char            *what,
                                     GError               **error);

/**
 * dm_select_check_label_ids:
 * @request: a request whose @labels is not %NULL
 * @error: DM_CORE_ERROR_INVALID_ARGUMENT naming the first item whose label
 *   id is outside -1 .. n_labels - 1
 *
 * Returns: %TRUE when every label id is in range
 */
gboolean dm_select_check_label_ids (const DmSelectRequest *request,
                                    GError               **error);

/* An item and the value the selections rank it by: sorted with
 * dm_ranked_compare(), ascending value, ties by the lowest item, so that
 * a selection does not depend on the sort's stability. */
typedef struct {
  double key;
  guint item;
} DmRanked;

int dm_ranked_compare (gconstpointer a, gconstpointer b);

void dm_select_result_free (DmSelectResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmSelectResult, dm_select_result_free)

G_END_DECLS
