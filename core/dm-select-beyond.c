/* dm-select-beyond.c: prototype, herding's label filter and label
 * stratification (herding itself: dm-herding.c; dedup: dm-dedup.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-select-beyond.h"

#include <math.h>
#include <string.h>

#include "dm-neighbours.h"
#include "dm-quota.h"

gboolean
dm_select_beyond_check (const DmSelectRequest *request, GError **error)
{
  if (request->method == DM_SELECT_DEDUP
      && !(request->dedup_threshold >= 0 && request->dedup_threshold <= 1))
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "the dedup threshold must be in [0, 1], not %g", request->dedup_threshold);
      return FALSE;
    }
  if (request->method == DM_SELECT_HERDING && !(request->herding_bandwidth > 0 && isfinite (request->herding_bandwidth)))
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "the herding bandwidth must be a number greater than 0, not %g",
                   request->herding_bandwidth);
      return FALSE;
    }
  if (request->method == DM_SELECT_HERDING
      && !(request->herding_max_disagreement >= 0 && request->herding_max_disagreement <= 1))
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "the herding filter's largest disagreement must be in [0, 1], not %g",
                   request->herding_max_disagreement);
      return FALSE;
    }
  if (request->method == DM_SELECT_HERDING && request->herding_neighbours > DM_NEIGHBOURS_MAX)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "the herding filter takes at most %u neighbours, not %u",
                   DM_NEIGHBOURS_MAX, request->herding_neighbours);
      return FALSE;
    }
  if (request->method == DM_SELECT_PROTOTYPE && request->prototype_keep > DM_PROTOTYPE_KEEP_HARD)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "unknown prototype choice %d", (int) request->prototype_keep);
      return FALSE;
    }
  if (request->n_kept > request->n_items)
    {
      g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
                   "cannot keep %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " items",
                   request->n_kept, request->n_items);
      return FALSE;
    }
  return TRUE;
}

gboolean
dm_select_herding_filter_on (const DmSelectRequest *request)
{
  return request->method == DM_SELECT_HERDING && request->herding_neighbours > 0
         && request->herding_max_disagreement < 1 && request->herding_candidates == NULL;
}

static gboolean
report_filtering (double fraction, gpointer request, GError **error)
{
  return dm_select_report_phase (request, "filtering", fraction, "herding's label filter", error);
}

gboolean
dm_select_herding_candidates (const DmSelectRequest *request,
                              gboolean              *candidates,
                              guint                 *n_left_out,
                              GError               **error)
{
  g_autofree guint *disagreeing = g_new (guint, MAX (request->n_items, 1));
  DmNeighboursRequest search = {
    .keys = request->keys, .n_items = request->n_items, .key_bytes = request->key_bytes,
    .labels = request->labels, .k = request->herding_neighbours, .n_threads = request->n_threads,
    .kernel = dm_select_kernel (request),
    .progress = report_filtering, .progress_data = (gpointer) request,
  };
  /* Fewer neighbours when there are fewer other items. */
  double k = (double) MIN (request->herding_neighbours, MAX (request->n_items, 1) - 1);

  if (!dm_neighbours_count_disagreeing (&search, disagreeing, error))
    return FALSE;
  *n_left_out = 0;
  for (gsize i = 0; i < request->n_items; i++)
    {
      /* A fraction, as the filter's parameter is: d / k <= t, not
       * d <= t k, whose product may round above a whole d. */
      candidates[i] = request->labels[i] < 0 || k == 0
                      || (double) disagreeing[i] / k <= request->herding_max_disagreement;
      *n_left_out += !candidates[i];
    }
  return TRUE;
}

DmPrototypeKeep
dm_prototype_resolve (DmPrototypeKeep keep, double ratio)
{
  if (keep != DM_PROTOTYPE_KEEP_AUTO)
    return keep;
  return ratio < DM_PROTOTYPE_HARD_FROM ? DM_PROTOTYPE_KEEP_EASY : DM_PROTOTYPE_KEEP_HARD;
}

DmRanked *
dm_select_farthest_first_by_cluster (const DmKmeansResult *clusters, guint **offsets_out)
{
  guint *offsets = g_new0 (guint, clusters->k + 1);
  g_autofree guint *fill = g_new0 (guint, clusters->k);
  DmRanked *scored = g_new (DmRanked, MAX (clusters->n_items, 1));

  for (guint j = 0; j < clusters->k; j++)
    offsets[j + 1] = offsets[j] + clusters->sizes[j];
  for (gsize i = 0; i < clusters->n_items; i++)
    {
      guint j = clusters->labels[i];
      scored[offsets[j] + fill[j]++] = (DmRanked) { -clusters->distance[i], (guint) i };
    }
  for (guint j = 0; j < clusters->k; j++)
    qsort (scored + offsets[j], offsets[j + 1] - offsets[j], sizeof *scored, dm_ranked_compare);

  *offsets_out = offsets;
  return scored;
}

void
dm_select_keep_hardest (const DmKmeansResult *clusters,
                        const guint          *quotas,
                        gboolean             *kept)
{
  g_autofree guint *offsets = NULL;
  g_autofree DmRanked *scored = dm_select_farthest_first_by_cluster (clusters, &offsets);

  for (guint j = 0; j < clusters->k; j++)
    for (guint m = 0; m < quotas[j]; m++)
      kept[scored[offsets[j] + m].item] = TRUE;
}

gboolean
dm_select_stratified (const DmSelectRequest *request,
                      DmSelectResult       **result_out,
                      GError               **error)
{
  guint n_groups = request->n_labels + 1;   /* the last: items without a label */
  g_autofree guint *group_sizes = g_new0 (guint, n_groups);
  g_autofree guint *group_quotas = g_new0 (guint, n_groups);
  g_autofree guint *members = g_new (guint, MAX (request->n_items, 1));
  g_autofree guint8 *group_keys = g_malloc (MAX (request->n_items, 1) * request->key_bytes);
  g_autofree int *group_labels = g_new0 (int, MAX (request->n_items, 1));
  g_autofree gboolean *group_candidates = request->herding_candidates != NULL
                                          ? g_new (gboolean, MAX (request->n_items, 1)) : NULL;
  g_autoptr(GArray) cluster_sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) quotas = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(DmSelectResult) result = g_new0 (DmSelectResult, 1);
  g_autofree gboolean *kept = g_new0 (gboolean, MAX (request->n_items, 1));
  gsize total = request->n_kept > 0 ? request->n_kept
                                    : dm_quota_total (request->n_items, request->ratio);
  gsize done = 0;

  if (request->labels == NULL)
    {
      g_set_error_literal (error, DM_CORE_ERROR, DM_CORE_ERROR_MISSING_LABEL,
                           "stratifying by label needs item labels, and none were given");
      return FALSE;
    }
  if (!dm_select_check_label_ids (request, error))
    return FALSE;
  for (gsize i = 0; i < request->n_items; i++)
    {
      int label = request->labels[i];
      group_sizes[label >= 0 ? (guint) label : n_groups - 1]++;
    }
  if (!dm_quota_compute (group_sizes, n_groups, total, group_quotas, error))
    return FALSE;

  result->cluster_of_item = g_new (guint, MAX (request->n_items, 1));
  result->distance = g_new0 (float, MAX (request->n_items, 1));
  for (guint g = 0; g < n_groups; g++)
    {
      DmSelectRequest sub = *request;
      g_autoptr(DmSelectResult) part = NULL;
      /* One phase for the whole: each label clusters, then chooses, and
       * two phases a label would print a line each, label by label. */
      DmSelectProgressShare progress = { request, (double) done / request->n_items,
                                         (double) group_sizes[g] / request->n_items,
                                         "selecting", 0 };
      guint n = 0;
      guint first_cluster = cluster_sizes->len;

      if (group_sizes[g] == 0)
        continue;
      for (gsize i = 0; i < request->n_items; i++)
        if ((request->labels[i] >= 0 ? (guint) request->labels[i] : n_groups - 1) == g)
          {
            memcpy (group_keys + (gsize) n * request->key_bytes,
                    request->keys + i * request->key_bytes, request->key_bytes);
            if (group_candidates != NULL)
              group_candidates[n] = request->herding_candidates[i];
            members[n++] = (guint) i;
          }
      done += n;

      if (group_quotas[g] == 0)
        {
          /* Nothing kept: one cluster of quota 0, no clustering. */
          guint zero = 0;
          for (guint m = 0; m < n; m++)
            result->cluster_of_item[members[m]] = first_cluster;
          g_array_append_val (cluster_sizes, n);
          g_array_append_val (quotas, zero);
          continue;
        }

      sub.keys = group_keys;
      sub.n_items = n;
      sub.labels = group_labels;   /* every item of the group: label 0 */
      sub.herding_candidates = group_candidates;
      sub.n_labels = 1;
      sub.n_clusters = MIN (request->n_clusters > 0 ? request->n_clusters : 1, n);
      sub.n_kept = group_quotas[g];
      sub.stratify = FALSE;
      if (request->progress != NULL)
        {
          sub.progress = dm_select_relay_progress;
          sub.progress_data = &progress;
        }
      if (!dm_cluster_select (&sub, &part, error))
        return FALSE;

      for (guint m = 0; m < n; m++)
        {
          result->cluster_of_item[members[m]] = first_cluster + part->cluster_of_item[m];
          result->distance[members[m]] = part->distance[m];
        }
      for (guint m = 0; m < part->n_kept; m++)
        kept[members[part->kept[m]]] = TRUE;
      g_array_append_vals (cluster_sizes, part->cluster_sizes, part->n_clusters);
      g_array_append_vals (quotas, part->quotas, part->n_clusters);
      result->inertia += part->inertia;
      result->iterations = MAX (result->iterations, part->iterations);
      result->used_simd |= part->used_simd;
      result->seconds_seeding += part->seconds_seeding;
      result->seconds_lloyd += part->seconds_lloyd;
      result->seconds_select += part->seconds_select;
      result->n_duplicates += part->n_duplicates;
    }

  result->kept = g_new (guint, MAX (total, 1));
  for (gsize i = 0; i < request->n_items; i++)
    if (kept[i])
      result->kept[result->n_kept++] = (guint) i;
  g_assert (result->n_kept == total);
  result->n_clusters = cluster_sizes->len;
  result->cluster_sizes = (guint *) (gpointer) g_array_free (g_steal_pointer (&cluster_sizes), FALSE);
  result->quotas = (guint *) (gpointer) g_array_free (g_steal_pointer (&quotas), FALSE);
  *result_out = g_steal_pointer (&result);
  return TRUE;
}
