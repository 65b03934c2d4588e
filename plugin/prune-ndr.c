/* prune-ndr.c: prune's "ndr" method, near-duplicate removal per subset.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gi18n-lib.h>

#include "dm-core-error.h"
#include "prune-image-hasher.h"
#include "prune-ndr.h"

/* How often the waiting thread wakes to report progress and check for
 * cancellation while the workers decode. */
#define POLL_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)

/* One subset's images, decoded and turned into features by a thread pool.
 * Each worker writes only its own item's feature and error slot. */
typedef struct {
  DmDataset         *dataset;
  const DmNdrParams *params;
  const guint       *positions;   /* dataset positions of the subset's items */
  guint              n_items;
  gsize              dim;
  float             *features;    /* n_items * dim */
  GError           **errors;      /* n_items, NULL where decoding worked */

  GMutex             mutex;
  GCond              done_changed;
  guint              n_done;      /* guarded by mutex */
  gint               stop;        /* atomic: an error or a cancellation */
} DecodeJob;

/* Datumaro drops the alpha channel; transparent pixels are commonly stored
 * black, so compositing over black gives the same image there and a
 * defined one wherever the colour under transparency is arbitrary. */
static guint8 *
composite_over_black (const guint8 *rgba, int width, int height, int rowstride)
{
  guint8 *rgb = g_new (guint8, (gsize) width * height * 3);

  for (int y = 0; y < height; y++)
    {
      const guint8 *in = rgba + (gsize) y * rowstride;
      guint8 *out = rgb + (gsize) y * width * 3;

      for (int x = 0; x < width; x++, in += 4, out += 3)
        for (int ch = 0; ch < 3; ch++)
          out[ch] = (guint8) ((in[ch] * in[3] + 127) / 255);
    }

  return rgb;
}

static gboolean
item_features (DmItem            *item,
               const DmNdrParams *params,
               float             *feature,
               GError           **error)
{
  const char *path = dm_item_get_image_path (item);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GdkPixbuf) loaded = NULL;
  g_autoptr(GdkPixbuf) oriented = NULL;
  g_autofree guint8 *composited = NULL;
  const guint8 *pixels;
  int width, height, rowstride;

  if (path == NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("Item “%s” of subset “%s” has no image, which method “ndr” needs"),
                   dm_item_get_id (item), dm_item_get_subset (item));
      return FALSE;
    }

  /* A decompression bomb is refused from its header, before decoding. */
  if (gdk_pixbuf_get_file_info (path, &width, &height) != NULL
      && (gint64) width * height > PRUNE_IMAGE_HASHER_MAX_PIXELS)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("Image “%s” of item “%s” (subset “%s”) declares %d×%d pixels; images over %d megapixels are not decoded"),
                   path, dm_item_get_id (item), dm_item_get_subset (item), width, height,
                   (int) (PRUNE_IMAGE_HASHER_MAX_PIXELS / 1000000));
      return FALSE;
    }

  loaded = gdk_pixbuf_new_from_file (path, &local_error);
  if (loaded == NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("Image “%s” of item “%s” (subset “%s”) cannot be read: %s"),
                   path, dm_item_get_id (item), dm_item_get_subset (item),
                   local_error->message);
      return FALSE;
    }

  oriented = gdk_pixbuf_apply_embedded_orientation (loaded);
  width = gdk_pixbuf_get_width (oriented);
  height = gdk_pixbuf_get_height (oriented);
  rowstride = gdk_pixbuf_get_rowstride (oriented);

  if (gdk_pixbuf_get_colorspace (oriented) != GDK_COLORSPACE_RGB
      || gdk_pixbuf_get_bits_per_sample (oriented) != 8
      || gdk_pixbuf_get_n_channels (oriented) != (gdk_pixbuf_get_has_alpha (oriented) ? 4 : 3)
      || width <= 0 || height <= 0)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("Image “%s” of item “%s” (subset “%s”) is not 8-bit RGB"),
                   path, dm_item_get_id (item), dm_item_get_subset (item));
      return FALSE;
    }

  pixels = gdk_pixbuf_read_pixels (oriented);
  if (gdk_pixbuf_get_has_alpha (oriented))
    {
      composited = composite_over_black (pixels, width, height, rowstride);
      pixels = composited;
      rowstride = width * 3;
    }

  dm_ndr_features (pixels, width, height, rowstride, params, feature);
  return TRUE;
}

static void
decode_one (gpointer data,
            gpointer user_data)
{
  DecodeJob *job = user_data;
  guint index = GPOINTER_TO_UINT (data) - 1;

  if (!g_atomic_int_get (&job->stop))
    {
      DmItem *item = dm_dataset_get_item (job->dataset, job->positions[index]);

      if (!item_features (item, job->params, job->features + (gsize) index * job->dim,
                          &job->errors[index]))
        g_atomic_int_set (&job->stop, TRUE);
    }

  g_mutex_lock (&job->mutex);
  job->n_done++;
  g_cond_signal (&job->done_changed);
  g_mutex_unlock (&job->mutex);
}

/* Fills job->features for every item of the subset, on all cores. The
 * result does not depend on scheduling: each feature is a pure function of
 * its image. */
static gboolean
decode_subset (DecodeJob     *job,
               DmTransform   *reporter,
               guint          n_before,
               guint          n_total,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GError) pool_error = NULL;
  GThreadPool *pool;
  guint n_done = 0;
  gboolean cancelled = FALSE;

  pool = g_thread_pool_new (decode_one, job, (int) MAX (g_get_num_processors (), 1),
                            TRUE, &pool_error);
  if (pool == NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_FAILED,
                   _("Cannot start the NDR image decoding threads: %s"), pool_error->message);
      return FALSE;
    }

  for (guint i = 0; i < job->n_items; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);

  g_mutex_lock (&job->mutex);
  while (job->n_done < job->n_items)
    {
      g_cond_wait_until (&job->done_changed, &job->mutex,
                         g_get_monotonic_time () + POLL_INTERVAL_US);
      n_done = job->n_done;

      g_mutex_unlock (&job->mutex);
      if (reporter != NULL)
        dm_transform_report_progress (reporter, "ndr", (double) (n_before + n_done) / n_total);
      if (!cancelled && g_cancellable_is_cancelled (cancellable))
        {
          cancelled = TRUE;
          g_atomic_int_set (&job->stop, TRUE);
        }
      g_mutex_lock (&job->mutex);
    }
  g_mutex_unlock (&job->mutex);

  g_thread_pool_free (pool, FALSE, TRUE);

  if (cancelled)
    return !g_cancellable_set_error_if_cancelled (cancellable, error);

  /* The first failing item in dataset order, when several failed. */
  for (guint i = 0; i < job->n_items; i++)
    if (job->errors[i] != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&job->errors[i]));
        return FALSE;
      }

  return TRUE;
}

static void
decode_job_clear (DecodeJob *job)
{
  if (job->errors != NULL)
    for (guint i = 0; i < job->n_items; i++)
      g_clear_error (&job->errors[i]);
  g_clear_pointer (&job->errors, g_free);
  g_clear_pointer (&job->features, g_free);
  g_mutex_clear (&job->mutex);
  g_cond_clear (&job->done_changed);
}

static gboolean
propagate_core_error (GError *core_error, GError **error)
{
  if (core_error == NULL)
    return TRUE;

  g_set_error_literal (error, DM_ERROR,
                       g_error_matches (core_error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT)
                         ? DM_ERROR_INVALID_ARGUMENT : DM_ERROR_FAILED,
                       core_error->message);
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

/**
 * prune_ndr_select:
 * @dataset: the dataset to prune; every item needs a readable image
 * @params: the NDR parameters
 * @ratio: the fraction of each subset to KEEP, from 0 to 1. Datumaro's
 *   prune passes 1 − ratio to NDR as the number to keep (so its "ndr"
 *   keeps the complement of what the other methods keep); ours keeps
 *   ceil(subset size × @ratio) of each subset, like the other methods.
 * @seed: seeds the projection, visiting order and sampling of every subset
 * @reporter: (nullable): receives "ndr" progress while images are decoded
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
 *   naming the item and file of a missing or undecodable image,
 *   %DM_ERROR_INVALID_ARGUMENT for bad parameters, %G_IO_ERROR_CANCELLED
 */
gboolean
prune_ndr_select (DmDataset          *dataset,
                  const DmNdrParams  *params,
                  double              ratio,
                  guint32             seed,
                  DmTransform        *reporter,
                  GCancellable       *cancellable,
                  GArray            **kept_out,
                  GError            **error)
{
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(GArray) kept = NULL;
  GError *core_error = NULL;
  guint n_total, n_before = 0;
  gsize dim;

  g_return_val_if_fail (DM_IS_DATASET (dataset), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (reporter == NULL || DM_IS_TRANSFORM (reporter), FALSE);
  g_return_val_if_fail (kept_out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(ratio >= 0.0 && ratio <= 1.0))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                   _("NDR ratio %g: must be between 0 and 1"), ratio);
      return FALSE;
    }
  if (!dm_ndr_params_validate (params, &core_error))
    return propagate_core_error (core_error, error);

  dim = dm_ndr_feature_dim (params);
  n_total = dm_dataset_get_n_items (dataset);
  groups = positions_by_subset (dataset);
  kept = g_array_sized_new (FALSE, FALSE, sizeof (guint), n_total);

  if (reporter != NULL)
    dm_transform_report_progress (reporter, "ndr", 0.0);

  for (guint s = 0; s < groups->len; s++)
    {
      GArray *group = g_ptr_array_index (groups, s);
      guint n_keep = (guint) MIN (ceil ((double) group->len * ratio), (double) group->len);
      DecodeJob job = {
        .dataset = dataset,
        .params = params,
        .positions = (const guint *) group->data,
        .n_items = group->len,
        .dim = dim,
      };
      g_autofree guint *subset_kept = g_new (guint, MAX (n_keep, 1));
      gboolean ok;

      if (group->len == 0)
        continue;
      /* A small subset may be decoded before the first progress poll. */
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      job.features = g_new (float, (gsize) group->len * dim);
      job.errors = g_new0 (GError *, group->len);
      g_mutex_init (&job.mutex);
      g_cond_init (&job.done_changed);

      ok = decode_subset (&job, reporter, n_before, MAX (n_total, 1), cancellable, error);
      if (ok && !dm_ndr_select (job.features, group->len, dim, n_keep, params, seed,
                                subset_kept, NULL, &core_error))
        ok = propagate_core_error (core_error, error);
      decode_job_clear (&job);
      if (!ok)
        return FALSE;

      for (guint k = 0; k < n_keep; k++)
        g_array_append_val (kept, g_array_index (group, guint, subset_kept[k]));
      n_before += group->len;
    }

  g_array_sort (kept, compare_guint);
  if (reporter != NULL)
    dm_transform_report_progress (reporter, "ndr", 1.0);

  *kept_out = g_steal_pointer (&kept);
  return TRUE;
}
