/* prune-image-hasher.c: every item's 512-bit image key, cached or computed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gi18n-lib.h>

#include "prune-image-hasher.h"

/* How often the waiting thread wakes to report progress and check for
 * cancellation while the workers hash. */
#define POLL_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)

/* The images of the items without a key, hashed by a thread pool. Each
 * worker writes only its own item's key and error slot. */
typedef struct {
  DmDataset          *dataset;
  const DmImageKeyer *keyer;
  const guint        *positions;   /* dataset positions of the items to hash */
  guint               n_items;
  guint8             *keys;        /* the output: dataset positions x 64 bytes */
  GError            **errors;      /* n_items, NULL where hashing worked */
  gboolean            skip_broken; /* an error does not stop the others */

  GMutex              mutex;
  GCond               done_changed;
  guint               n_done;      /* guarded by mutex */
  gint                stop;        /* atomic: an error or a cancellation */
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

/* The JPEG loader decodes at 1/2, 1/4 or 1/8 scale when asked for a size
 * that small: the largest reduction keeping DM_IMAGE_KEY_GRID pixels on
 * the shorter side, in the loader's own rounding (up). */
static int
jpeg_scale_denominator (int width,
                        int height)
{
  int shorter = MIN (width, height);

  for (int denominator = 8; denominator > 1; denominator /= 2)
    if ((shorter + denominator - 1) / denominator >= DM_IMAGE_KEY_GRID)
      return denominator;

  return 1;
}

/* Datumaro's hashing reads images without their alpha channel; transparent
 * pixels are commonly stored black, so compositing over black gives the
 * same image there and a defined one elsewhere. */
static GdkPixbuf *
composite_over_black (GdkPixbuf *rgba)
{
  int width = gdk_pixbuf_get_width (rgba);
  int height = gdk_pixbuf_get_height (rgba);
  int in_stride = gdk_pixbuf_get_rowstride (rgba);
  const guint8 *in_pixels = gdk_pixbuf_read_pixels (rgba);
  GdkPixbuf *rgb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int out_stride;
  guint8 *out_pixels;

  if (rgb == NULL)
    return NULL;
  out_stride = gdk_pixbuf_get_rowstride (rgb);
  out_pixels = gdk_pixbuf_get_pixels (rgb);

  for (int y = 0; y < height; y++)
    {
      const guint8 *in = in_pixels + (gsize) y * in_stride;
      guint8 *out = out_pixels + (gsize) y * out_stride;

      for (int x = 0; x < width; x++, in += 4, out += 3)
        for (int c = 0; c < 3; c++)
          out[c] = (guint8) ((in[c] * in[3] + 127) / 255);
    }

  return rgb;
}

/* libjpeg pads a JPEG that ends early with grey and only warns, so the
 * JPEG loader "decodes" a truncated file: we look for its end-of-image
 * marker ourselves. Entropy-coded data cannot hold one (0xFF bytes are
 * stuffed), so it is the first FF D9 after the first start-of-scan marker;
 * the segments before it (where an EXIF thumbnail has its own FF D9) are
 * skipped by their lengths. */
static gboolean
jpeg_is_complete (const guint8 *data,
                  gsize         size)
{
  gsize offset = 2;

  while (offset + 4 <= size)
    {
      guint8 marker;

      if (data[offset] != 0xff)
        return FALSE;
      marker = data[offset + 1];
      if (marker == 0xff)
        {
          offset++;   /* fill byte */
          continue;
        }
      if (marker == 0xda)
        break;
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7))
        offset += 2;
      else
        offset += 2 + ((gsize) data[offset + 2] << 8 | data[offset + 3]);
    }

  for (offset += 2; offset + 1 < size; offset++)
    if (data[offset] == 0xff && data[offset + 1] == 0xd9)
      return TRUE;

  return FALSE;
}

/* The loader's message, prefixed with the file name unless it names it. */
static void
set_read_error (GError    **error,
                const char *path,
                const char *message)
{
  if (strstr (message, path) != NULL)
    g_set_error_literal (error, DM_ERROR, DM_ERROR_INVALID_DATA, message);
  else
    g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA, _("Cannot read image “%s”: %s"), path, message);
}

/* A JPEG, read once and decoded from memory at reduced size. */
static GdkPixbuf *
load_jpeg (const char  *path,
           int          width,
           int          height,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autofree char *contents = NULL;
  int denominator = jpeg_scale_denominator (width, height);
  gsize size;
  GdkPixbuf *pixbuf;

  if (!g_file_get_contents (path, &contents, &size, &local_error))
    {
      set_read_error (error, path, local_error->message);
      return NULL;
    }
  if (!jpeg_is_complete ((const guint8 *) contents, size))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("Image “%s” is truncated: the JPEG data ends before its end-of-image marker"), path);
      return NULL;
    }

  loader = gdk_pixbuf_loader_new_with_type ("jpeg", &local_error);
  if (loader == NULL)
    {
      set_read_error (error, path, local_error->message);
      return NULL;
    }
  if (denominator > 1)
    gdk_pixbuf_loader_set_size (loader, (width + denominator - 1) / denominator,
                                (height + denominator - 1) / denominator);

  if (!gdk_pixbuf_loader_write (loader, (const guint8 *) contents, size, &local_error)
      || !gdk_pixbuf_loader_close (loader, &local_error))
    {
      /* Closing is required even after a failed write; its error adds nothing. */
      gdk_pixbuf_loader_close (loader, NULL);
      set_read_error (error, path, local_error->message);
      return NULL;
    }

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL)
    {
      set_read_error (error, path, _("the JPEG loader produced no image"));
      return NULL;
    }

  return g_object_ref (pixbuf);
}

/* Any other format, whole. GdkPixbuf's file loading (not its incremental
 * loader, which accepts a truncated PNG) reports truncation as an error. */
static GdkPixbuf *
load_other (const char  *path,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file (path, &local_error);

  if (pixbuf == NULL)
    set_read_error (error, path, local_error->message);
  return pixbuf;
}

/* Sets @error to why GdkPixbuf cannot read the header of @path. */
static void
explain_unreadable (const char  *path,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree char *contents = NULL;
  gsize size;

  if (!g_file_get_contents (path, &contents, &size, &local_error))
    {
      set_read_error (error, path, local_error->message);
      return;
    }
  /* Loading a truncated JPEG whole would pad it with grey, no error. */
  if (size >= 3 && memcmp (contents, "\xff\xd8\xff", 3) == 0
      && !jpeg_is_complete ((const guint8 *) contents, size))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("Image “%s” is truncated: the JPEG data ends before its end-of-image marker"), path);
      return;
    }

  pixbuf = load_other (path, error);
  if (pixbuf != NULL)
    set_read_error (error, path, _("GdkPixbuf cannot read its header"));
}

/**
 * prune_image_hasher_decode:
 * @path: an image file
 * @error: return location for a #GError
 *
 * Decodes @path the way the hasher does (see prune-image-hasher.h): upright,
 * 8-bit RGB without alpha, at reduced size where the loader supports it.
 *
 * Returns: (transfer full): the pixels; %NULL with @error set to
 *   %DM_ERROR_INVALID_DATA (a missing, unreadable, truncated or
 *   undecodable file, an image over the pixel limit or not in RGB), its
 *   message naming @path
 */
GdkPixbuf *
prune_image_hasher_decode (const char  *path,
                           GError     **error)
{
  g_autoptr(GdkPixbuf) loaded = NULL;
  g_autoptr(GdkPixbuf) upright = NULL;
  g_autofree char *format_name = NULL;
  GdkPixbufFormat *format;
  int width = 0, height = 0;

  g_return_val_if_fail (path != NULL, NULL);

  /* Reads only the header: the size is checked before any decoding. It
   * says nothing of why it fails: then the loader says it. */
  format = gdk_pixbuf_get_file_info (path, &width, &height);
  if (format == NULL)
    {
      explain_unreadable (path, error);
      return NULL;
    }

  if (width <= 0 || height <= 0)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("Image “%s” declares an empty size, %d×%d pixels"), path, width, height);
      return NULL;
    }
  if ((gint64) width * height > PRUNE_IMAGE_HASHER_MAX_PIXELS)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("Image “%s” declares %d×%d pixels; images over %d megapixels are not hashed"),
                   path, width, height, (int) (PRUNE_IMAGE_HASHER_MAX_PIXELS / 1000000));
      return NULL;
    }

  format_name = gdk_pixbuf_format_get_name (format);
  if (g_strcmp0 (format_name, "jpeg") == 0)
    loaded = load_jpeg (path, width, height, error);
  else
    loaded = load_other (path, error);
  if (loaded == NULL)
    return NULL;

  upright = gdk_pixbuf_apply_embedded_orientation (loaded);
  if (upright == NULL
      || gdk_pixbuf_get_colorspace (upright) != GDK_COLORSPACE_RGB
      || gdk_pixbuf_get_bits_per_sample (upright) != 8
      || gdk_pixbuf_get_n_channels (upright) != (gdk_pixbuf_get_has_alpha (upright) ? 4 : 3))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("Image “%s” does not decode to 8-bit RGB"), path);
      return NULL;
    }

  if (gdk_pixbuf_get_has_alpha (upright))
    {
      GdkPixbuf *rgb = composite_over_black (upright);

      if (rgb == NULL)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_FAILED,
                       _("Not enough memory to hash image “%s”"), path);
          return NULL;
        }
      return rgb;
    }

  return g_steal_pointer (&upright);
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

static void
hash_one (gpointer data,
          gpointer user_data)
{
  HashJob *job = user_data;
  guint index = GPOINTER_TO_UINT (data) - 1;

  if (!g_atomic_int_get (&job->stop))
    {
      guint position = job->positions[index];
      DmItem *item = dm_dataset_get_item (job->dataset, position);
      g_autoptr(GError) local_error = NULL;

      if (!prune_image_hasher_key_for_file (job->keyer, dm_item_get_image_path (item),
                                            job->keys + (gsize) position * DM_IMAGE_KEY_BYTES,
                                            &local_error))
        {
          g_set_error (&job->errors[index], local_error->domain, local_error->code,
                       _("Cannot compute the hash key of item “%s” (subset “%s”): %s"),
                       dm_item_get_id (item), dm_item_get_subset (item), local_error->message);
          if (!job->skip_broken)
            g_atomic_int_set (&job->stop, TRUE);
        }
    }

  /* The waiting thread polls for progress: waking it per image would cost
   * a context switch each. */
  g_mutex_lock (&job->mutex);
  if (++job->n_done == job->n_items)
    g_cond_signal (&job->done_changed);
  g_mutex_unlock (&job->mutex);
}

/* Fills the keys of job->positions on n_threads threads. The result does not
 * depend on scheduling: each key is a pure function of its image. */
static gboolean
hash_job_run (HashJob       *job,
              guint          n_threads,
              DmTransform   *reporter,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GError) pool_error = NULL;
  GThreadPool *pool;
  gboolean cancelled = FALSE;

  pool = g_thread_pool_new (hash_one, job, (int) MIN (n_threads, job->n_items), TRUE, &pool_error);
  if (pool == NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_FAILED,
                   _("Cannot start the image hashing threads: %s"), pool_error->message);
      return FALSE;
    }

  for (guint i = 0; i < job->n_items; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);

  g_mutex_lock (&job->mutex);
  while (job->n_done < job->n_items)
    {
      guint n_done;

      g_cond_wait_until (&job->done_changed, &job->mutex,
                         g_get_monotonic_time () + POLL_INTERVAL_US);
      n_done = job->n_done;

      g_mutex_unlock (&job->mutex);
      if (reporter != NULL)
        dm_transform_report_progress (reporter, "hashing", (double) n_done / job->n_items);
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

  if (job->skip_broken)
    return TRUE;

  /* The first failing item in dataset order, when several failed. */
  for (guint i = 0; i < job->n_items; i++)
    if (job->errors[i] != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&job->errors[i]));
        return FALSE;
      }

  return TRUE;
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
  const char *origin = dm_dataset_get_hash_key_origin (dataset);

  for (guint i = 0; i < n; i++)
    {
      DmItem *item = dm_dataset_get_item (dataset, i);
      GBytes *key = dm_item_get_hash_key (item);

      if (key == NULL)
        {
          if (dm_item_get_image_path (item) == NULL)
            {
              GError *no_image = g_error_new (DM_ERROR, DM_ERROR_INVALID_DATA,
                                              _("Item “%s” of subset “%s” has neither a hash key nor an image to compute one from"),
                                              dm_item_get_id (item), dm_item_get_subset (item));

              if (broken == NULL)
                {
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
    }

  if (to_hash->len > 0 && to_hash->len < n && g_strcmp0 (origin, DM_IMAGE_KEY_VERSION) != 0)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("%u of the %u items of %s have hash keys made by “%s” and %u have none; "
                     "this plugin computes only “%s” keys, which cannot be mixed with those: "
                     "compute the missing keys with the same hasher (for “datumaro-clip”, Datumaro's CLIP hashing), "
                     "or delete hash_key_meta/hash_keys.json to compute every key here"),
                   n - to_hash->len, n, dataset_name (dataset),
                   origin != NULL ? origin : _("an unknown hasher"), to_hash->len,
                   DM_IMAGE_KEY_VERSION);
      return FALSE;
    }

  return TRUE;
}

/**
 * prune_image_hasher_keys_for_dataset:
 * @dataset: the dataset; never modified
 * @reporter: (nullable): receives "hashing" progress, from the calling thread
 * @n_threads: how many images are decoded at once; 0 means one per core
 * @n_decoded_out: (out) (optional): how many images were decoded
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
 *   image, with a key of the wrong size, or whose image cannot be decoded,
 *   or when carried keys of another hasher would have to be completed;
 *   %G_IO_ERROR_CANCELLED
 */
GBytes *
prune_image_hasher_keys_for_dataset (DmDataset     *dataset,
                                     DmTransform   *reporter,
                                     guint          n_threads,
                                     guint         *n_decoded_out,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  return prune_image_hasher_keys_skipping_broken (dataset, reporter, n_threads, n_decoded_out,
                                                  NULL, cancellable, error);
}

/**
 * prune_image_hasher_keys_skipping_broken:
 * @dataset: the dataset; never modified
 * @reporter: (nullable): receives "hashing" progress, from the calling thread
 * @n_threads: how many images are decoded at once; 0 means one per core
 * @n_decoded_out: (out) (optional): how many images were decoded
 * @broken: (nullable) (element-type PruneBrokenItem): where to add the
 *   items whose key cannot be had, in dataset order, instead of failing;
 *   their keys are left as zeros. %NULL fails at the first such item.
 * @cancellable: (nullable): stops the work with %G_IO_ERROR_CANCELLED
 * @error: return location for a #GError
 *
 * Like prune_image_hasher_keys_for_dataset(), for `--skip-broken`: an item
 * without key and image, or whose image cannot be decoded, is listed in
 * @broken rather than stopping the run.
 *
 * Returns: (transfer full): 64 bytes per item, or %NULL with @error set
 */
GBytes *
prune_image_hasher_keys_skipping_broken (DmDataset     *dataset,
                                         DmTransform   *reporter,
                                         guint          n_threads,
                                         guint         *n_decoded_out,
                                         GPtrArray     *broken,
                                         GCancellable  *cancellable,
                                         GError       **error)
{
  guint n = 0;
  g_autofree guint8 *keys = NULL;
  g_autoptr(GArray) to_hash = NULL;
  g_autoptr(DmImageKeyer) keyer = NULL;
  HashJob job = { 0 };
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
        dm_transform_report_progress (reporter, "hashing", 0.0);

      keyer = dm_image_keyer_new ();
      job.dataset = dataset;
      job.keyer = keyer;
      job.positions = (const guint *) (gpointer) to_hash->data;
      job.n_items = to_hash->len;
      job.keys = keys;
      job.errors = g_new0 (GError *, to_hash->len);
      job.skip_broken = broken != NULL;
      g_mutex_init (&job.mutex);
      g_cond_init (&job.done_changed);

      ok = hash_job_run (&job, n_threads > 0 ? n_threads : MAX (g_get_num_processors (), 1),
                         reporter, cancellable, error);

      for (guint i = 0; i < job.n_items; i++)
        {
          if (ok && broken != NULL && job.errors[i] != NULL)
            g_ptr_array_add (broken, prune_broken_item_new (job.positions[i], g_steal_pointer (&job.errors[i])));
          g_clear_error (&job.errors[i]);
        }
      if (broken != NULL)
        g_ptr_array_sort (broken, prune_broken_item_compare);
      g_free (job.errors);
      g_mutex_clear (&job.mutex);
      g_cond_clear (&job.done_changed);
      if (!ok)
        return NULL;

      if (reporter != NULL)
        dm_transform_report_progress (reporter, "hashing", 1.0);
    }

  if (n_decoded_out != NULL)
    *n_decoded_out = to_hash->len;

  return g_bytes_new_take (g_steal_pointer (&keys), (gsize) n * DM_IMAGE_KEY_BYTES);
}
