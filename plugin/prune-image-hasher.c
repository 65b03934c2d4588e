/* prune-image-hasher.c: every item's 512-bit image key, cached or computed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gi18n-lib.h>

#include "prune-image-hasher.h"
#include "prune-item-pool.h"

/* The phase prune_image_hasher_keys_for_dataset() reports progress in. */
#define HASHING_PHASE "hashing"

/* The images of the items without a key, hashed on a thread pool. Each
 * worker writes only its own item's key. */
typedef struct {
  DmDataset          *dataset;
  const DmImageKeyer *keyer;
  const guint        *positions;   /* dataset positions of the items to hash */
  guint8             *keys;        /* the output: dataset positions x 64 bytes */
  gboolean            skip_broken; /* an item's error goes to the skipped list, unnamed */
} HashJob;

/**
 * prune_image_hasher_origin:
 *
 * Returns: the version string of the keys this plugin computes, recorded
 *   as their origin in the cache
 */
const char *
prune_image_hasher_origin (void)
{
  return DM_IMAGE_KEY_VERSION;
}

/**
 * prune_image_hasher_add_phase:
 * @klass: the class of a transform that has its keys computed by
 *   prune_image_hasher_keys_for_dataset(), as the @reporter of its progress
 *
 * Declares that progress's phase, so a host shows its label and count.
 */
void
prune_image_hasher_add_phase (DmTransformClass *klass)
{
  /* TRANSLATORS: the phase in which images are decoded into hash keys;
   * "hashing %u images" is announced as it starts. */
  dm_transform_class_add_phase (klass, HASHING_PHASE, N_("hashing"), "hashing %u image", "hashing %u images");
}

/**
 * prune_image_hasher_keys_are_stale:
 * @dataset: a dataset
 *
 * Whether the keys @dataset carries were made by an older version of this
 * plugin's key (an origin "dm-image-key-N" other than the current one).
 * Such keys are not comparable with ours: they are recomputed, never used.
 *
 * Returns: %TRUE when the carried keys must be recomputed
 */
gboolean
prune_image_hasher_keys_are_stale (DmDataset *dataset)
{
  const char *origin = dm_dataset_get_hash_key_origin (dataset);

  return origin != NULL && g_str_has_prefix (origin, DM_IMAGE_KEY_FAMILY)
         && !g_str_equal (origin, DM_IMAGE_KEY_VERSION);
}

/**
 * prune_image_hasher_decode:
 * @path: an image file
 * @error: return location for a #GError
 *
 * Decodes @path the way the hasher does: prune_image_decode() at the
 * smallest JPEG scale that keeps the key's grid.
 *
 * Returns: (transfer full): the pixels, or %NULL with @error set
 */
GdkPixbuf *
prune_image_hasher_decode (const char  *path,
                           GError     **error)
{
  return prune_image_decode (path, DM_IMAGE_KEY_GRID, error);
}

/**
 * prune_image_hasher_key_for_file:
 * @keyer: the key's projection
 * @path: an image file
 * @key: (out caller-allocates): its 64-byte key
 * @error: return location for a #GError
 *
 * Decodes @path with prune_image_hasher_decode() and computes its key.
 *
 * Returns: %TRUE on success; %FALSE with @error set as
 *   prune_image_hasher_decode() does
 */
gboolean
prune_image_hasher_key_for_file (const DmImageKeyer *keyer,
                                 const char         *path,
                                 guint8              key[DM_IMAGE_KEY_BYTES],
                                 GError            **error)
{
  g_autoptr(GdkPixbuf) rgb = prune_image_hasher_decode (path, error);

  if (rgb == NULL)
    return FALSE;

  dm_image_keyer_compute (keyer, gdk_pixbuf_read_pixels (rgb),
                          gdk_pixbuf_get_width (rgb), gdk_pixbuf_get_height (rgb),
                          gdk_pixbuf_get_rowstride (rgb), key);
  return TRUE;
}

static gboolean
hash_one (guint     index,
          gpointer  user_data,
          GError  **error)
{
  HashJob *job = user_data;
  guint position = job->positions[index];
  DmItem *item = dm_dataset_get_item (job->dataset, position);
  g_autoptr(GError) local_error = NULL;

  if (prune_check_image_file (item, error) &&
      prune_image_hasher_key_for_file (job->keyer, dm_item_get_image_path (item),
                                       job->keys + (gsize) position * DM_IMAGE_KEY_BYTES, &local_error))
    return TRUE;

  if (local_error != NULL)
    g_set_error (error, local_error->domain, local_error->code,
                 _("cannot compute its hash key: %s"), local_error->message);
  if (!job->skip_broken)
    prune_name_item (error, item);
  return FALSE;
}


PruneBrokenItem *
prune_broken_item_new (guint   position,
                       GError *error)
{
  PruneBrokenItem *broken = g_new (PruneBrokenItem, 1);

  broken->position = position;
  broken->error = error;
  return broken;
}

void
prune_broken_item_free (PruneBrokenItem *broken)
{
  g_clear_error (&broken->error);
  g_free (broken);
}

int
prune_broken_item_compare (gconstpointer a,
                           gconstpointer b)
{
  guint x = (*(PruneBrokenItem * const *) a)->position;
  guint y = (*(PruneBrokenItem * const *) b)->position;

  return (x > y) - (x < y);
}

static const char *
dataset_name (DmDataset *dataset)
{
  const char *path = dm_dataset_get_source_path (dataset);

  return path != NULL ? path : _("the dataset");
}


/* Why @item, without an image, has no key to be used: only a @stale one
 * (made by the hasher @origin), or none. When the run stops on it
 * (@stopping), the remedies too; in the skipped list, where skip-broken
 * was the one taken, not. */
static GError *
no_key_error (DmItem     *item,
              gboolean    stale,
              const char *origin,
              gboolean    stopping)
{
  if (stale && dm_item_get_hash_key (item) != NULL)
    return g_error_new (DM_ERROR, DM_ERROR_INVALID_DATA,
                        _("only a “%s” hash key, made by an older version of this plugin and not "
                          "comparable with “%s” keys, and no image to compute one from"),
                        origin, DM_IMAGE_KEY_VERSION);
  if (!stopping)
    return g_error_new_literal (DM_ERROR, DM_ERROR_INVALID_DATA,
                                _("neither a hash key nor an image to compute one from (a point cloud "
                                  "or video has none)"));
  return g_error_new_literal (DM_ERROR, DM_ERROR_INVALID_DATA,
                              _("neither a hash key nor an image to compute one from (a point cloud "
                                "or video has none); the parameter skip-broken leaves such items out, "
                                "use the method “random”, or cache its key in hash_key_meta/hash_keys.json"));
}

/* Copies the carried keys into @keys and lists the items to hash, or says
 * why the dataset's keys cannot be completed. */
static gboolean
collect_carried_keys (DmDataset  *dataset,
                      guint8     *keys,
                      GArray     *to_hash,
                      GPtrArray  *broken,
                      GError    **error)
{
  guint n = dm_dataset_get_n_items (dataset);
  guint n_carried = 0;   /* not n - to_hash->len: broken items carry none */
  const char *origin = dm_dataset_get_hash_key_origin (dataset);
  gboolean stale = prune_image_hasher_keys_are_stale (dataset);

  for (guint i = 0; i < n; i++)
    {
      DmItem *item = dm_dataset_get_item (dataset, i);
      GBytes *key = stale ? NULL : dm_item_get_hash_key (item);

      if (key == NULL)
        {
          if (dm_item_get_image_path (item) == NULL)
            {
              GError *no_image = no_key_error (item, stale, origin, broken == NULL);

              if (broken == NULL)
                {
                  prune_name_item (&no_image, item);
                  g_propagate_error (error, no_image);
                  return FALSE;
                }
              g_ptr_array_add (broken, prune_broken_item_new (i, no_image));
              continue;
            }
          g_array_append_val (to_hash, i);
          continue;
        }

      if (g_bytes_get_size (key) != DM_IMAGE_KEY_BYTES)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                       _("Item “%s” of subset “%s” has a hash key of %zu bytes; image keys have %d"),
                       dm_item_get_id (item), dm_item_get_subset (item),
                       g_bytes_get_size (key), DM_IMAGE_KEY_BYTES);
          return FALSE;
        }
      memcpy (keys + (gsize) i * DM_IMAGE_KEY_BYTES, g_bytes_get_data (key, NULL), DM_IMAGE_KEY_BYTES);
      n_carried++;
    }

  if (to_hash->len > 0 && n_carried > 0 && g_strcmp0 (origin, DM_IMAGE_KEY_VERSION) != 0)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   g_dngettext (GETTEXT_PACKAGE,
                                "%u of the %u items of %s have hash keys made by “%s” and %u has none; "
                                "this plugin computes only “%s” keys, which cannot be mixed with those: "
                                "compute the missing keys with the same hasher (for “datumaro-clip”, Datumaro's "
                                "CLIP hashing), or delete hash_key_meta/hash_keys.json to compute every key here",
                                "%u of the %u items of %s have hash keys made by “%s” and %u have none; "
                                "this plugin computes only “%s” keys, which cannot be mixed with those: "
                                "compute the missing keys with the same hasher (for “datumaro-clip”, Datumaro's "
                                "CLIP hashing), or delete hash_key_meta/hash_keys.json to compute every key here",
                                to_hash->len),
                   n_carried, n, dataset_name (dataset),
                   origin != NULL ? origin : _("an unknown hasher"), to_hash->len,
                   DM_IMAGE_KEY_VERSION);
      return FALSE;
    }

  return TRUE;
}

/**
 * prune_image_hasher_keys_for_dataset:
 * @dataset: the dataset; never modified
 * @reporter: (nullable): receives "hashing" progress, from the calling
 *   thread; its class declares that phase with prune_image_hasher_add_phase()
 * @n_threads: how many images are decoded at once; 0 means one per core
 * @n_decoded_out: (out) (optional): how many images were decoded, those
 *   that could not be (left out with @broken) not counted
 * @broken: (nullable) (element-type PruneBrokenItem): for skip-broken,
 *   where to add the items whose key cannot be had (without key and image,
 *   or whose image cannot be decoded), in dataset order, instead of
 *   failing; their keys are left as zeros. %NULL fails at the first such
 *   item.
 * @cancellable: (nullable): stops the work with %G_IO_ERROR_CANCELLED
 * @error: return location for a #GError
 *
 * Every item's image key, in dataset order: the key it carries, or the one
 * computed from its image (see prune-image-hasher.h for which keys are
 * used and how images are decoded). The result does not depend on
 * @n_threads.
 *
 * Returns: (transfer full): 64 bytes per item; %NULL with @error set:
 *   %DM_ERROR_INVALID_DATA naming the item (and file) without a key and an
 *   image (without @broken), with a key of the wrong size, or whose image
 *   cannot be decoded (without @broken), or when carried keys of another
 *   hasher would have to be completed; %G_IO_ERROR_CANCELLED
 */
GBytes *
prune_image_hasher_keys_for_dataset (DmDataset     *dataset,
                                     DmTransform   *reporter,
                                     guint          n_threads,
                                     guint         *n_decoded_out,
                                     GPtrArray     *broken,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  guint n = 0, n_failed = 0;
  g_autofree guint8 *keys = NULL;
  g_autoptr(GArray) to_hash = NULL;
  g_autoptr(DmImageKeyer) keyer = NULL;
  HashJob job = { 0 };
  PruneItemBatch batch;
  PruneItemProgress progress = { reporter, HASHING_PHASE, 0, 0 };
  g_autofree GError **errors = NULL;
  gboolean ok;

  g_return_val_if_fail (DM_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (reporter == NULL || DM_IS_TRANSFORM (reporter), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_decoded_out != NULL)
    *n_decoded_out = 0;

  n = dm_dataset_get_n_items (dataset);
  keys = g_malloc0 ((gsize) MAX (n, 1) * DM_IMAGE_KEY_BYTES);
  to_hash = g_array_new (FALSE, FALSE, sizeof (guint));

  if (!collect_carried_keys (dataset, keys, to_hash, broken, error))
    return NULL;

  if (to_hash->len > 0)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (reporter != NULL)
        dm_transform_report_item_progress (reporter, HASHING_PHASE, 0, to_hash->len);

      keyer = dm_image_keyer_new ();
      job.dataset = dataset;
      job.keyer = keyer;
      job.positions = (const guint *) (gpointer) to_hash->data;
      job.keys = keys;
      job.skip_broken = broken != NULL;
      progress.total = to_hash->len;
      if (broken != NULL)
        errors = g_new0 (GError *, to_hash->len);

      batch = (PruneItemBatch) { .n_items = to_hash->len, .n_threads = n_threads,
                                 .work = hash_one, .user_data = &job };
      ok = prune_item_pool_run (&batch, &progress, errors, cancellable, error);

      for (guint i = 0; errors != NULL && i < to_hash->len; i++)
        {
          if (ok && errors[i] != NULL)
            {
              g_ptr_array_add (broken, prune_broken_item_new (job.positions[i], g_steal_pointer (&errors[i])));
              n_failed++;
            }
          g_clear_error (&errors[i]);
        }
      if (broken != NULL)
        g_ptr_array_sort (broken, prune_broken_item_compare);
      if (!ok && prune_image_hasher_keys_are_stale (dataset)
          && !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (error, _("The cached hash keys were made by “%s”, an older version of this plugin's key, "
                                 "so every image is read again: "),
                        dm_dataset_get_hash_key_origin (dataset));
      if (!ok)
        return NULL;

      if (reporter != NULL)
        dm_transform_report_item_progress (reporter, HASHING_PHASE, to_hash->len, to_hash->len);
    }

  if (n_decoded_out != NULL)
    *n_decoded_out = to_hash->len - n_failed;

  return g_bytes_new_take (g_steal_pointer (&keys), (gsize) n * DM_IMAGE_KEY_BYTES);
}
