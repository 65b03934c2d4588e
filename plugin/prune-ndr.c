/* prune-ndr.c: prune's "ndr" method, near-duplicate removal per subset.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gi18n-lib.h>

#include "dm-core-error.h"
#include "dm-quota.h"
#include "prune-core-error.h"
#include "prune-image-decode.h"
#include "prune-image-hasher.h"
#include "prune-item-pool.h"
#include "prune-ndr.h"

/* The phase prune_ndr_select() reports progress in. */
#define NDR_PHASE "ndr"

/* One subset's images, decoded and turned into features on a thread pool.
 * Each worker writes only its own item's feature. */
typedef struct {
  DmDataset         *dataset;
  const DmNdrParams *params;
  const guint       *positions;   /* dataset positions of the subset's items */
  gsize              dim;
  float             *features;    /* n_items * dim */
  gboolean           skip_broken; /* an item's error goes to the skipped list, unnamed */
} DecodeJob;

/* NDR averages the whole image down to a few blocks: it is decoded at full
 * size, as Datumaro does, with the checks every decoding here gets. */
static gboolean
decode_one (guint     index,
            gpointer  user_data,
            GError  **error)
{
  DecodeJob *job = user_data;
  DmItem *item = dm_dataset_get_item (job->dataset, job->positions[index]);
  const char *path = dm_item_get_image_path (item);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GdkPixbuf) rgb = NULL;

  if (path == NULL)
    g_set_error_literal (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                         job->skip_broken
                         ? _("no image, which method “ndr” needs (a point cloud or video has none)")
                         /* The remedy, where the run stops for want of it. */
                         : _("no image, which method “ndr” needs (a point cloud or video has none); "
                             "the parameter skip-broken leaves such items out"));
  else if (prune_check_image_file (item, error) &&
           (rgb = prune_image_decode (path, 0, &local_error)) == NULL)
    g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA, _("its image cannot be used: %s"), local_error->message);
  if (rgb == NULL)
    {
      if (!job->skip_broken)
        prune_name_item (error, item);
      return FALSE;
    }

  dm_ndr_features (gdk_pixbuf_read_pixels (rgb), gdk_pixbuf_get_width (rgb),
                   gdk_pixbuf_get_height (rgb), gdk_pixbuf_get_rowstride (rgb),
                   job->params, job->features + (gsize) index * job->dim);
  return TRUE;
}

static gboolean
propagate_core_error (GError *core_error, GError **error)
{
  if (core_error == NULL)
    return TRUE;

  prune_set_error_from_core (error, core_error, NULL);
  g_error_free (core_error);
  return FALSE;
}

/* The dataset positions of each subset's items, subsets in dataset order. */
static GPtrArray *
positions_by_subset (DmDataset *dataset)
{
  const char * const *subsets = dm_dataset_get_subsets (dataset);
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  guint n_items = dm_dataset_get_n_items (dataset);

  for (gsize s = 0; subsets != NULL && subsets[s] != NULL; s++)
    {
      GArray *group = g_array_new (FALSE, FALSE, sizeof (guint));

      g_ptr_array_add (groups, group);
      g_hash_table_insert (by_name, (gpointer) subsets[s], group);
    }

  for (guint i = 0; i < n_items; i++)
    {
      const char *subset = dm_item_get_subset (dm_dataset_get_item (dataset, i));
      GArray *group = g_hash_table_lookup (by_name, subset);

      if (group == NULL)
        {
          group = g_array_new (FALSE, FALSE, sizeof (guint));
          g_ptr_array_add (groups, group);
          g_hash_table_insert (by_name, (gpointer) subset, group);
        }
      g_array_append_val (group, i);
    }

  return groups;
}

static int
compare_guint (gconstpointer a, gconstpointer b)
{
  guint ua = *(const guint *) a, ub = *(const guint *) b;

  return (ua > ub) - (ua < ub);
}

/* Drops the items that failed from @group and @features, adding them to
 * @broken; returns how many remain. */
static guint
set_aside_broken (GArray     *group,
                  float      *features,
                  gsize       dim,
                  GError    **errors,
                  GPtrArray  *broken)
{
  guint n = 0;

  for (guint i = 0; i < group->len; i++)
    {
      if (errors[i] != NULL)
        {
          g_ptr_array_add (broken, prune_broken_item_new (g_array_index (group, guint, i),
                                                          g_steal_pointer (&errors[i])));
          continue;
        }
      g_array_index (group, guint, n) = g_array_index (group, guint, i);
      if (n != i)
        memcpy (features + (gsize) n * dim, features + (gsize) i * dim, dim * sizeof (float));
      n++;
    }

  g_array_set_size (group, n);
  return n;
}

/**
 * prune_ndr_add_phase:
 * @klass: the class of a transform that runs prune_ndr_select(), as the
 *   @reporter of its progress
 *
 * Declares that progress's phase, so a host shows its label and count.
 */
void
prune_ndr_add_phase (DmTransformClass *klass)
{
  /* TRANSLATORS: the phase of the method ndr (near-duplicate removal),
   * which decodes every image and drops the near-duplicates among them;
   * "deduplicating %u images" is announced as it starts. */
  dm_transform_class_add_phase (klass, NDR_PHASE, N_("deduplicating"), "deduplicating %u image",
                                "deduplicating %u images");
}

/**
 * prune_ndr_select:
 * @request: what to prune and how:
 * - @dataset: the dataset to prune
 * - @params: the NDR parameters, which the caller checked: prune's
 *   properties hold each to its range, and its check_parameters the
 *   hash to the grid (the core refuses others, once the images are
 *   decoded)
 * - @ratio: the fraction of each subset to KEEP, from 0 to 1. Datumaro's
 *   prune passes 1 − ratio to NDR as the number to keep (so its "ndr"
 *   keeps the complement of what the other methods keep); ours keeps
 *   ceil(subset size × @ratio) of each subset, like the other methods.
 * - @seed: seeds the projection, visiting order and sampling of every subset
 * - @reporter: (nullable): receives "ndr" progress while images are
 *   decoded; its class declares that phase with prune_ndr_add_phase()
 * - @broken: (nullable) (element-type PruneBrokenItem): for skip-broken,
 *   where to add, in dataset order, the items whose image cannot be used,
 *   instead of failing; each subset then keeps its share of its usable
 *   items. %NULL fails at the first such item: every item then needs a
 *   readable image.
 * - @seconds: (nullable): receives the time spent on each phase
 * @cancellable: (nullable): stops the work with %G_IO_ERROR_CANCELLED
 * @kept_out: (out) (transfer full): the kept items' dataset positions,
 *   ascending, as a #GArray of guint
 * @error: return location for a #GError
 *
 * Runs near-duplicate removal (see dm-ndr.h) on each subset on its own, in
 * dataset order. Images are decoded with GdkPixbuf on all cores, turned
 * upright by their embedded orientation, alpha composited over black.
 *
 * Returns: %TRUE on success; %FALSE with @error set: %DM_ERROR_INVALID_DATA
 *   naming the item and file of a missing or undecodable image (without
 *   @broken), %DM_ERROR_INVALID_ARGUMENT for parameters the core
 *   refuses, %G_IO_ERROR_CANCELLED
 */
gboolean
prune_ndr_select (const PruneNdrRequest *request,
                  GCancellable          *cancellable,
                  GArray               **kept_out,
                  GError               **error)
{
  g_return_val_if_fail (request != NULL, FALSE);

  DmDataset *dataset = request->dataset;
  const DmNdrParams *params = request->params;
  const double ratio = request->ratio;
  DmTransform *reporter = request->reporter;
  GPtrArray *broken = request->broken;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GArray) kept = NULL;
  GError *core_error = NULL;
  PruneNdrSeconds seconds = { 0 };
  guint n_total, n_before = 0;
  gsize dim;

  g_return_val_if_fail (DM_IS_DATASET (dataset), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (reporter == NULL || DM_IS_TRANSFORM (reporter), FALSE);
  g_return_val_if_fail (ratio >= 0.0 && ratio <= 1.0, FALSE);
  g_return_val_if_fail (kept_out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dim = dm_ndr_feature_dim (params);
  n_total = dm_dataset_get_n_items (dataset);
  groups = positions_by_subset (dataset);
  kept = g_array_sized_new (FALSE, FALSE, sizeof (guint), n_total);

  if (reporter != NULL)
    dm_transform_report_item_progress (reporter, NDR_PHASE, 0, n_total);

  for (guint s = 0; s < groups->len; s++)
    {
      GArray *group = g_ptr_array_index (groups, s);
      g_autofree float *features = NULL;
      g_autofree GError **errors = NULL;
      g_autofree guint *subset_kept = NULL;
      DecodeJob job = { dataset, params, (const guint *) (gpointer) group->data, dim, NULL, broken != NULL };
      PruneItemProgress progress = { reporter, NDR_PHASE, n_before, n_total };
      guint n_items = group->len, n_keep;
      DmNdrRequest subset_request;
      gint64 phase_start = g_get_monotonic_time ();
      gboolean ok;

      if (n_items == 0)
        continue;

      job.features = features = g_new (float, (gsize) n_items * dim);
      if (broken != NULL)
        errors = g_new0 (GError *, n_items);
      ok = prune_item_pool_run (&(PruneItemBatch) { .n_items = n_items, .n_threads = request->n_threads,
                                                    .work = decode_one, .user_data = &job },
                                &progress, errors, cancellable, error);
      seconds.features += (g_get_monotonic_time () - phase_start) / 1e6;
      n_before += n_items;
      if (errors != NULL)
        {
          guint n_decoded = n_items;

          if (ok)
            n_items = set_aside_broken (group, features, dim, errors, broken);
          for (guint i = 0; i < n_decoded; i++)
            g_clear_error (&errors[i]);
        }
      if (!ok)
        return FALSE;
      if (n_items == 0)
        continue;

      phase_start = g_get_monotonic_time ();
      n_keep = (guint) dm_quota_total (n_items, ratio);
      subset_kept = g_new (guint, MAX (n_keep, 1));
      subset_request = (DmNdrRequest) { .features = features, .n_items = n_items, .dim = dim,
                                        .n_keep = n_keep, .params = params, .seed = request->seed };
      if (!dm_ndr_select (&subset_request, subset_kept, NULL, &core_error))
        return propagate_core_error (core_error, error);

      for (guint k = 0; k < n_keep; k++)
        g_array_append_val (kept, g_array_index (group, guint, subset_kept[k]));
      seconds.selecting += (g_get_monotonic_time () - phase_start) / 1e6;
    }

  if (broken != NULL)
    g_ptr_array_sort (broken, prune_broken_item_compare);
  g_array_sort (kept, compare_guint);
  if (reporter != NULL)
    dm_transform_report_item_progress (reporter, NDR_PHASE, n_total, n_total);

  if (request->seconds != NULL)
    *request->seconds = seconds;
  *kept_out = g_steal_pointer (&kept);
  return TRUE;
}
