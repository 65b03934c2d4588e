/* prune-image-decode.c: images decoded for hashing and NDR.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "prune-image-decode.h"

/* The JPEG loader decodes at 1/2, 1/4 or 1/8 scale when asked for a size
 * that small: the largest reduction keeping @min_side pixels on the
 * shorter side, in the loader's own rounding (up); 1 for full size. */
static int
jpeg_scale_denominator (int width,
                        int height,
                        int min_side)
{
  int shorter = MIN (width, height);

  if (min_side <= 0)
    return 1;
  for (int denominator = 8; denominator > 1; denominator /= 2)
    if ((shorter + denominator - 1) / denominator >= min_side)
      return denominator;

  return 1;
}

/* Datumaro reads images without their alpha channel; transparent pixels
 * are commonly stored black, so compositing over black gives the same
 * image there and a defined one elsewhere. */
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

/* A JPEG, read once, checked whole, and decoded from memory at reduced
 * size where @min_side allows. */
static GdkPixbuf *
load_jpeg (const char  *path,
           int          width,
           int          height,
           int          min_side,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autofree char *contents = NULL;
  int denominator = jpeg_scale_denominator (width, height, min_side);
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
 * prune_name_item:
 * @error: (inout) (nullable): an error about @item that says only what is
 *   wrong with it, or %NULL
 * @item: the item
 *
 * Names @item at the start of @error's message (“Item “x” of subset
 * “train”: …”). An item's error says only what is wrong with it (a file,
 * named, is missing): the report's skipped list gives it as the item's
 * reason beside its subset and id, which the host shows, so it is named
 * here only for an error that stops the run.
 */
void
prune_name_item (GError **error,
                 DmItem  *item)
{
  g_prefix_error (error, _("Item “%s” of subset “%s”: "), dm_item_get_id (item), dm_item_get_subset (item));
}

/**
 * prune_media_file_error:
 * @item: an item
 * @path: one of its media files (its image, a point cloud, …)
 *
 * Why @path cannot be read, as dm words it (missing, a directory, a named
 * pipe), from a cheap stat, no decoding: what random checks of every
 * item, and the decoding methods before they decode, so that each says
 * the same.
 *
 * Returns: (transfer full) (nullable): the error naming @path (not @item:
 *   prune_name_item()), or %NULL when @path is a regular file
 */
GError *
prune_media_file_error (DmItem     *item,
                        const char *path)
{
  GStatBuf info;

  if (g_stat (path, &info) != 0)
    return g_error_new (DM_ERROR, DM_ERROR_NOT_FOUND, _("%s is missing"), path);
  if (S_ISREG (info.st_mode))
    return NULL;
  /* Not to be called missing: it is there, and the user must see what. */
  if (S_ISDIR (info.st_mode))
    return g_error_new (DM_ERROR, DM_ERROR_INVALID_DATA,
                        g_strcmp0 (path, dm_item_get_image_path (item)) == 0
                        ? _("%s is a directory, not an image file")
                        : _("%s is a directory, not a media file"),
                        path);
  return g_error_new (DM_ERROR, DM_ERROR_INVALID_DATA,
                      _("%s is not a regular file (a named pipe, socket or device)"), path);
}

/**
 * prune_check_image_file:
 * @item: an item with an image
 * @error: return location for a #GError
 *
 * Refuses @item's image, before it is decoded, when it is a directory or
 * a named pipe, socket or device, in the words random uses
 * (prune_media_file_error()), not in GLib's for a failed read. A missing
 * file is left to the decoder, which says so.
 *
 * Returns: whether the image is a file to decode (or missing)
 */
gboolean
prune_check_image_file (DmItem  *item,
                        GError **error)
{
  const char *path = dm_item_get_image_path (item);
  GError *not_a_file;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  not_a_file = prune_media_file_error (item, path);
  if (not_a_file == NULL)
    return TRUE;
  g_propagate_error (error, not_a_file);
  return FALSE;
}

/**
 * prune_image_decode:
 * @path: an image file
 * @min_side: decode JPEG at reduced scale as long as the shorter side keeps
 *   this many pixels; 0 for full size
 * @error: return location for a #GError
 *
 * Decodes @path upright (EXIF orientation), as 8-bit RGB without alpha
 * (composited over black); grayscale, palette and 16-bit images come out of
 * GdkPixbuf as 8-bit RGB. An image declaring more than
 * PRUNE_IMAGE_MAX_PIXELS pixels is refused from its header, before any
 * decoding, and a truncated JPEG (which libjpeg would pad with grey) is
 * refused too.
 *
 * Returns: (transfer full): the pixels; %NULL with @error set to
 *   %DM_ERROR_INVALID_DATA (a missing, unreadable, truncated or
 *   undecodable file, an image over the pixel limit or not in RGB), its
 *   message naming @path
 */
GdkPixbuf *
prune_image_decode (const char  *path,
                    int          min_side,
                    GError     **error)
{
  g_autoptr(GdkPixbuf) loaded = NULL;
  g_autoptr(GdkPixbuf) upright = NULL;
  g_autofree char *format_name = NULL;
  GdkPixbufFormat *format;
  GStatBuf info;
  int width = 0, height = 0;

  g_return_val_if_fail (path != NULL, NULL);

  /* Opening a named pipe (or a device) for reading waits for a writer,
   * for ever, where no cancellation reaches: such a file is refused
   * before it is opened. A folder is left to the loader, which says so
   * (an item's, prune_check_image_file() names first). */
  if (g_stat (path, &info) == 0 && !S_ISREG (info.st_mode) && !S_ISDIR (info.st_mode))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("Cannot read image “%s”: it is not a regular file (a named pipe, socket or device)"), path);
      return NULL;
    }

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
  if ((gint64) width * height > PRUNE_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA,
                   _("Image “%s” declares %d×%d pixels; images over %d megapixels are not decoded"),
                   path, width, height, (int) (PRUNE_IMAGE_MAX_PIXELS / 1000000));
      return NULL;
    }

  format_name = gdk_pixbuf_format_get_name (format);
  if (g_strcmp0 (format_name, "jpeg") == 0)
    loaded = load_jpeg (path, width, height, min_side, error);
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
                       _("Not enough memory to decode image “%s”"), path);
          return NULL;
        }
      return rgb;
    }

  return g_steal_pointer (&upright);
}
