/* test-image-hasher.c: image keys of a dataset's images, decoded with GdkPixbuf.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gstdio.h>

#include "prune-image-hasher.h"
#include "test-media-helpers.h"
#include "../bench/imagekey-scenes.h"

#define WIDTH  200
#define HEIGHT 150

typedef struct
{
  char *directory;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->directory = g_dir_make_tmp ("test-image-hasher-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GFile) directory = g_file_new_for_path (fixture->directory);
  g_autoptr(GFileEnumerator) children = g_file_enumerate_children (directory, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                   G_FILE_QUERY_INFO_NONE, NULL, NULL);
  GFileInfo *info;

  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->directory, g_file_info_get_name (info), NULL);

      g_unlink (path);
      g_object_unref (info);
    }
  g_rmdir (fixture->directory);
  g_free (fixture->directory);
}

static void
free_pixels (guchar *pixels, gpointer data)
{
  g_free (pixels);
}

static GdkPixbuf *
scene_pixbuf (guint32 seed, int width, int height)
{
  guint8 *rgb = imagekey_scene_render (seed, width, height);

  return gdk_pixbuf_new_from_data (rgb, GDK_COLORSPACE_RGB, FALSE, 8, width, height, width * 3,
                                   free_pixels, NULL);
}

static char *
save (Fixture *fixture, GdkPixbuf *pixbuf, const char *name, const char *type, const char *quality)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->directory, name, NULL);

  if (quality != NULL)
    gdk_pixbuf_save (pixbuf, path, type, &error, "quality", quality, NULL);
  else
    gdk_pixbuf_save (pixbuf, path, type, &error, NULL);
  g_assert_no_error (error);
  return path;
}

static char *
write_file (Fixture *fixture, const char *name, const void *contents, gsize size)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->directory, name, NULL);

  g_file_set_contents (path, contents, size, &error);
  g_assert_no_error (error);
  return path;
}

/* A binary PGM: GdkPixbuf's PNM loader reads it as a grayscale image. */
static char *
write_pgm (Fixture *fixture, const char *name, const guint8 *gray, int width, int height)
{
  g_autofree char *header = g_strdup_printf ("P5\n%d %d\n255\n", width, height);
  g_autoptr(GByteArray) contents = g_byte_array_new ();

  g_byte_array_append (contents, (const guint8 *) header, strlen (header));
  g_byte_array_append (contents, gray, (guint) width * height);
  return write_file (fixture, name, contents->data, contents->len);
}

/* The JPEG with an EXIF APP1 segment after SOI saying "rotate 90° clockwise
 * to display" (orientation 6). */
static char *
write_exif_rotated_jpeg (Fixture *fixture, GdkPixbuf *pixbuf, const char *name)
{
  static const guint8 app1[] = {
    0xff, 0xe1, 0x00, 0x22,                          /* APP1, 34 bytes */
    'E', 'x', 'i', 'f', 0, 0,
    'M', 'M', 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08,    /* big-endian TIFF, IFD at 8 */
    0x00, 0x01,                                      /* one entry */
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,  /* Orientation, SHORT, 1 */
    0x00, 0x06, 0x00, 0x00,                          /* value 6 */
    0x00, 0x00, 0x00, 0x00,                          /* no next IFD */
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *jpeg = NULL;
  gsize size;
  g_autoptr(GByteArray) contents = g_byte_array_new ();

  gdk_pixbuf_save_to_buffer (pixbuf, &jpeg, &size, "jpeg", &error, "quality", "95", NULL);
  g_assert_no_error (error);
  g_assert_cmpuint ((guint8) jpeg[0], ==, 0xff);
  g_assert_cmpuint ((guint8) jpeg[1], ==, 0xd8);

  g_byte_array_append (contents, (const guint8 *) jpeg, 2);
  g_byte_array_append (contents, app1, sizeof app1);
  g_byte_array_append (contents, (const guint8 *) jpeg + 2, size - 2);
  return write_file (fixture, name, contents->data, contents->len);
}

static GBytes *
key_of_file (const char *path)
{
  g_autoptr(DmImageKeyer) keyer = dm_image_keyer_new ();
  g_autoptr(GError) error = NULL;
  guint8 *key = g_new (guint8, DM_IMAGE_KEY_BYTES);

  g_assert_true (prune_image_hasher_key_for_file (keyer, path, key, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (key, DM_IMAGE_KEY_BYTES);
}

static guint
distance (GBytes *a, GBytes *b)
{
  return dm_image_key_distance (g_bytes_get_data (a, NULL), g_bytes_get_data (b, NULL));
}

static DmItem *
add_item (DmDataset *dataset, const char *id, const char *image_path)
{
  g_autoptr(DmItem) item = dm_item_new (id, "train");

  if (image_path != NULL)
    dm_item_set_image_path (item, image_path);
  dm_dataset_append_item (dataset, item);
  return item;
}

/* PNG, JPEG, grayscale, RGBA and EXIF-rotated images, one of each. */
static DmDataset *
mixed_dataset (Fixture *fixture)
{
  DmDataset *dataset = dm_dataset_new ();
  g_autoptr(GdkPixbuf) first = scene_pixbuf (1, WIDTH, HEIGHT);
  g_autoptr(GdkPixbuf) second = scene_pixbuf (2, WIDTH, HEIGHT);
  g_autoptr(GdkPixbuf) third = scene_pixbuf (3, 640, 480);
  g_autoptr(GdkPixbuf) fourth = scene_pixbuf (4, WIDTH, HEIGHT);
  g_autoptr(GdkPixbuf) rgba = gdk_pixbuf_add_alpha (fourth, FALSE, 0, 0, 0);
  g_autofree guint8 *gray = imagekey_scene_render (5, WIDTH, HEIGHT);
  g_autofree char *png = save (fixture, first, "first.png", "png", NULL);
  g_autofree char *jpeg = save (fixture, second, "second.jpg", "jpeg", "90");
  g_autofree char *large_jpeg = save (fixture, third, "third.jpg", "jpeg", "90");
  g_autofree char *rgba_png = save (fixture, rgba, "rgba.png", "png", NULL);
  g_autofree char *pgm = NULL;
  g_autofree char *rotated = write_exif_rotated_jpeg (fixture, first, "rotated.jpg");

  /* Only the red channel of the scene, as gray levels. */
  for (gsize i = 0; i < (gsize) WIDTH * HEIGHT; i++)
    gray[i] = gray[i * 3];
  pgm = write_pgm (fixture, "gray.pgm", gray, WIDTH, HEIGHT);

  add_item (dataset, "png", png);
  add_item (dataset, "jpeg", jpeg);
  add_item (dataset, "large-jpeg", large_jpeg);
  add_item (dataset, "rgba", rgba_png);
  add_item (dataset, "gray", pgm);
  add_item (dataset, "rotated", rotated);
  return dataset;
}

static GBytes *
dataset_keys (DmDataset *dataset, guint n_threads, guint *n_decoded)
{
  g_autoptr(GError) error = NULL;
  GBytes *keys = prune_image_hasher_keys_for_dataset (dataset, NULL, n_threads, n_decoded, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (keys);
  g_assert_cmpuint (g_bytes_get_size (keys), ==, (gsize) dm_dataset_get_n_items (dataset) * DM_IMAGE_KEY_BYTES);
  return keys;
}

static void
test_deterministic_across_threads (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmDataset) dataset = mixed_dataset (fixture);
  guint n_decoded = 0;
  g_autoptr(GBytes) one_thread = dataset_keys (dataset, 1, &n_decoded);
  g_autoptr(GBytes) again = dataset_keys (dataset, 1, NULL);
  g_autoptr(GBytes) two_threads = dataset_keys (dataset, 2, NULL);
  g_autoptr(GBytes) all_cores = dataset_keys (dataset, 0, NULL);
  guint n = dm_dataset_get_n_items (dataset);

  g_assert_cmpuint (n_decoded, ==, n);
  g_assert_true (g_bytes_equal (one_thread, again));
  g_assert_true (g_bytes_equal (one_thread, two_threads));
  g_assert_true (g_bytes_equal (one_thread, all_cores));

  /* Each item's key is its image's key, in dataset order. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) expected = key_of_file (dm_item_get_image_path (dm_dataset_get_item (dataset, i)));
      g_autoptr(GBytes) actual = g_bytes_new_from_bytes (one_thread, i * DM_IMAGE_KEY_BYTES, DM_IMAGE_KEY_BYTES);

      g_assert_true (g_bytes_equal (expected, actual));
    }

  /* The input keeps no keys. */
  for (guint i = 0; i < n; i++)
    g_assert_null (dm_item_get_hash_key (dm_dataset_get_item (dataset, i)));
}

static void
test_jpeg_q50_stays_close (Fixture *fixture, gconstpointer data)
{
  enum { N = 6 };
  GBytes *png_keys[N], *jpeg_keys[N];
  guint max_within = 0, min_across = G_MAXUINT;

  for (guint i = 0; i < N; i++)
    {
      g_autoptr(GdkPixbuf) scene = scene_pixbuf (100 + i, 500, 375);
      g_autofree char *png_name = g_strdup_printf ("scene%u.png", i);
      g_autofree char *jpeg_name = g_strdup_printf ("scene%u.jpg", i);
      g_autofree char *png = save (fixture, scene, png_name, "png", NULL);
      g_autofree char *jpeg = save (fixture, scene, jpeg_name, "jpeg", "50");

      png_keys[i] = key_of_file (png);
      jpeg_keys[i] = key_of_file (jpeg);
    }

  for (guint i = 0; i < N; i++)
    {
      max_within = MAX (max_within, distance (png_keys[i], jpeg_keys[i]));
      for (guint j = 0; j < N; j++)
        if (j != i)
          {
            min_across = MIN (min_across, distance (png_keys[i], png_keys[j]));
            min_across = MIN (min_across, distance (png_keys[i], jpeg_keys[j]));
          }
    }
  g_test_message ("PNG vs JPEG q50 of one image: at most %u bits; other images: at least %u bits",
                  max_within, min_across);
  g_assert_cmpuint (max_within, <, min_across);

  for (guint i = 0; i < N; i++)
    {
      g_bytes_unref (png_keys[i]);
      g_bytes_unref (jpeg_keys[i]);
    }
}

static void
test_exif_orientation (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GdkPixbuf) scene = scene_pixbuf (7, 320, 240);
  g_autoptr(GdkPixbuf) turned = gdk_pixbuf_rotate_simple (scene, GDK_PIXBUF_ROTATE_CLOCKWISE);
  g_autofree char *rotated = write_exif_rotated_jpeg (fixture, scene, "exif.jpg");
  g_autofree char *upright_png = save (fixture, turned, "upright.png", "png", NULL);
  g_autofree char *unturned_png = save (fixture, scene, "unturned.png", "png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) decoded = prune_image_hasher_decode (rotated, &error);
  g_autoptr(GBytes) rotated_key = key_of_file (rotated);
  g_autoptr(GBytes) upright_key = key_of_file (upright_png);
  g_autoptr(GBytes) unturned_key = key_of_file (unturned_png);

  g_assert_no_error (error);
  /* Decoded at reduced size (1/4 of 320x240 keeps 60 >= 32 rows), turned. */
  g_assert_cmpint (gdk_pixbuf_get_width (decoded), ==, 60);
  g_assert_cmpint (gdk_pixbuf_get_height (decoded), ==, 80);
  g_assert_false (gdk_pixbuf_get_has_alpha (decoded));

  g_assert_cmpuint (distance (rotated_key, upright_key), <, distance (rotated_key, unturned_key));
  g_assert_cmpuint (distance (rotated_key, upright_key), <, 64);
}

/* Opaque alpha changes nothing; transparency shows black. */
static void
test_alpha_over_black (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GdkPixbuf) scene = scene_pixbuf (8, WIDTH, HEIGHT);
  g_autoptr(GdkPixbuf) opaque = gdk_pixbuf_add_alpha (scene, FALSE, 0, 0, 0);
  g_autoptr(GdkPixbuf) holed = gdk_pixbuf_copy (opaque);
  g_autoptr(GdkPixbuf) blacked = gdk_pixbuf_copy (scene);
  g_autofree char *rgb_png = NULL, *opaque_png = NULL, *holed_png = NULL, *blacked_png = NULL;
  g_autoptr(GBytes) holed_key = NULL, blacked_key = NULL;
  g_autoptr(GBytes) rgb_key = NULL, opaque_key = NULL;

  /* The left half fully transparent, its colour kept. */
  for (int y = 0; y < HEIGHT; y++)
    for (int x = 0; x < WIDTH / 2; x++)
      {
        gdk_pixbuf_get_pixels (holed)[y * gdk_pixbuf_get_rowstride (holed) + x * 4 + 3] = 0;
        memset (gdk_pixbuf_get_pixels (blacked) + y * gdk_pixbuf_get_rowstride (blacked) + x * 3, 0, 3);
      }

  rgb_png = save (fixture, scene, "rgb.png", "png", NULL);
  opaque_png = save (fixture, opaque, "opaque.png", "png", NULL);
  holed_png = save (fixture, holed, "holed.png", "png", NULL);
  blacked_png = save (fixture, blacked, "blacked.png", "png", NULL);
  rgb_key = key_of_file (rgb_png);
  opaque_key = key_of_file (opaque_png);
  holed_key = key_of_file (holed_png);
  blacked_key = key_of_file (blacked_png);

  g_assert_true (g_bytes_equal (rgb_key, opaque_key));
  g_assert_true (g_bytes_equal (holed_key, blacked_key));
  g_assert_false (g_bytes_equal (holed_key, rgb_key));
}

/* A grayscale file hashes like the RGB image with three equal channels. */
static void
test_grayscale (Fixture *fixture, gconstpointer data)
{
  g_autofree guint8 *rgb = imagekey_scene_render (9, WIDTH, HEIGHT);
  g_autofree guint8 *gray = g_new (guint8, WIDTH * HEIGHT);
  g_autoptr(GdkPixbuf) gray_rgb = NULL;
  g_autofree char *pgm = NULL, *png = NULL;
  g_autoptr(GBytes) pgm_key = NULL, png_key = NULL;

  for (gsize i = 0; i < WIDTH * HEIGHT; i++)
    {
      gray[i] = rgb[i * 3 + 1];
      rgb[i * 3] = rgb[i * 3 + 2] = rgb[i * 3 + 1];
    }
  gray_rgb = gdk_pixbuf_new_from_data (rgb, GDK_COLORSPACE_RGB, FALSE, 8, WIDTH, HEIGHT, WIDTH * 3, NULL, NULL);

  pgm = write_pgm (fixture, "gray.pgm", gray, WIDTH, HEIGHT);
  png = save (fixture, gray_rgb, "gray-rgb.png", "png", NULL);
  pgm_key = key_of_file (pgm);
  png_key = key_of_file (png);
  g_assert_true (g_bytes_equal (pgm_key, png_key));
}

static GBytes *
key_of_sample (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);

  return key_of_file (path);
}

/* The files of tests/data/imagekey-make-samples.py: one picture stored in
 * several PNG pixel formats hashes like its 8-bit RGB reference. */
static void
test_pixel_formats (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GBytes) rgb8 = key_of_sample ("imagekey-rgb8.png");
  g_autoptr(GBytes) rgb16 = key_of_sample ("imagekey-rgb16.png");
  g_autoptr(GBytes) palette = key_of_sample ("imagekey-palette.png");
  g_autoptr(GBytes) gray8 = key_of_sample ("imagekey-gray8.png");
  g_autoptr(GBytes) gray16 = key_of_sample ("imagekey-gray16.png");
  g_autoptr(GBytes) gray_alpha = key_of_sample ("imagekey-gray-alpha.png");
  g_autoptr(GBytes) over_black = key_of_sample ("imagekey-gray-alpha-over-black.png");

  g_assert_true (g_bytes_equal (rgb8, rgb16));
  g_assert_true (g_bytes_equal (rgb8, palette));
  g_assert_true (g_bytes_equal (gray8, gray16));
  g_assert_true (g_bytes_equal (gray_alpha, over_black));
  /* Not all one key: the colour and the alpha count. */
  g_assert_false (g_bytes_equal (rgb8, gray8));
  g_assert_false (g_bytes_equal (gray8, gray_alpha));
}

static void
assert_error_names (GError *error, const char *what)
{
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, what));
}

static void
test_missing_and_broken_images (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GdkPixbuf) scene = scene_pixbuf (10, WIDTH, HEIGHT);
  g_autofree char *good = save (fixture, scene, "good.png", "png", NULL);
  g_autofree char *missing = g_build_filename (fixture->directory, "missing.jpg", NULL);
  g_autofree char *truncated = NULL;
  g_autofree char *not_an_image = write_file (fixture, "text.png", "hello", 5);
  g_autofree char *good_jpeg = save (fixture, scene, "good.jpg", "jpeg", "90");
  g_autofree char *truncated_jpeg = NULL;
  g_autofree char *contents = NULL;
  gsize size;
  const char *broken_paths[4];

  g_assert_true (g_file_get_contents (good, &contents, &size, NULL));
  truncated = write_file (fixture, "truncated.png", contents, size / 2);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (good_jpeg, &contents, &size, NULL));
  truncated_jpeg = write_file (fixture, "truncated.jpg", contents, size / 2);
  broken_paths[0] = missing;
  broken_paths[1] = truncated;
  broken_paths[2] = not_an_image;
  broken_paths[3] = truncated_jpeg;

  for (gsize b = 0; b < G_N_ELEMENTS (broken_paths); b++)
    {
      g_autoptr(DmDataset) dataset = dm_dataset_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) keys = NULL;

      add_item (dataset, "good", good);
      add_item (dataset, "broken", broken_paths[b]);
      add_item (dataset, "good-again", good);

      keys = prune_image_hasher_keys_for_dataset (dataset, NULL, 2, NULL, NULL, NULL, &error);
      g_assert_null (keys);
      assert_error_names (error, broken_paths[b]);
      assert_error_names (error, "“broken”");
    }

  /* Skipping them (--skip-broken), the images decoded are the ones that
   * could be: the report's images_decoded. */
  {
    g_autoptr(DmDataset) dataset = dm_dataset_new ();
    g_autoptr(GPtrArray) broken = g_ptr_array_new_with_free_func ((GDestroyNotify) prune_broken_item_free);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) keys = NULL;
    guint n_decoded = 99;

    add_item (dataset, "good", good);
    for (gsize b = 0; b < G_N_ELEMENTS (broken_paths); b++)
      {
        g_autofree char *id = g_strdup_printf ("broken%zu", b);
        add_item (dataset, id, broken_paths[b]);
      }
    add_item (dataset, "good-jpeg", good_jpeg);
    keys = prune_image_hasher_keys_for_dataset (dataset, NULL, 2, &n_decoded, broken, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (keys);
    g_assert_cmpuint (broken->len, ==, G_N_ELEMENTS (broken_paths));
    g_assert_cmpuint (n_decoded, ==, 2);
  }
}

static void
test_item_without_image_or_key (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmDataset) dataset = dm_dataset_new ();
  g_autoptr(GdkPixbuf) scene = scene_pixbuf (11, WIDTH, HEIGHT);
  g_autofree char *good = save (fixture, scene, "good.png", "png", NULL);
  g_autoptr(GError) error = NULL;
  guint n_decoded = 99;

  add_item (dataset, "good", good);
  add_item (dataset, "imageless", NULL);
  g_assert_null (prune_image_hasher_keys_for_dataset (dataset, NULL, 1, &n_decoded, NULL, NULL, &error));
  assert_error_names (error, "“imageless”");
  g_assert_cmpuint (n_decoded, ==, 0);
}

/* The declared size is checked before any pixel is decoded: this file has
 * a header and no pixels. */
static void
test_pixel_limit (Fixture *fixture, gconstpointer data)
{
  const char *header = "P5\n20000 10000\n255\n";
  g_autofree char *huge = write_file (fixture, "huge.pgm", header, strlen (header));
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) decoded = prune_image_hasher_decode (huge, &error);

  g_assert_null (decoded);
  assert_error_names (error, huge);
  assert_error_names (error, "20000×10000");
}

static GBytes *
constant_key (guint8 value)
{
  guint8 key[DM_IMAGE_KEY_BYTES];

  memset (key, value, sizeof key);
  return g_bytes_new (key, sizeof key);
}

static void
test_carried_keys (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GdkPixbuf) scene = scene_pixbuf (12, WIDTH, HEIGHT);
  g_autofree char *png = save (fixture, scene, "carried.png", "png", NULL);
  g_autofree char *missing = g_build_filename (fixture->directory, "never-read.png", NULL);
  g_autoptr(GBytes) ours = constant_key (0x5a);
  g_autoptr(GBytes) image_key = key_of_file (png);
  const char *origins[] = { "datumaro-clip", DM_IMAGE_KEY_VERSION };

  /* Every item keyed: nothing is decoded, whatever the origin (the
   * images do not even exist). */
  for (gsize o = 0; o < G_N_ELEMENTS (origins); o++)
    {
      g_autoptr(DmDataset) dataset = dm_dataset_new ();
      guint n_decoded = 99;
      g_autoptr(GBytes) keys = NULL;

      dm_dataset_set_hash_key_origin (dataset, origins[o]);
      for (guint i = 0; i < 3; i++)
        {
          g_autofree char *id = g_strdup_printf ("item%u", i);
          g_autoptr(GBytes) key = constant_key ((guint8) i);

          dm_item_set_hash_key (add_item (dataset, id, missing), key);
        }
      keys = dataset_keys (dataset, 0, &n_decoded);
      g_assert_cmpuint (n_decoded, ==, 0);
      for (guint i = 0; i < 3; i++)
        g_assert_cmpuint (((const guint8 *) g_bytes_get_data (keys, NULL))[i * DM_IMAGE_KEY_BYTES + 17], ==, i);
    }

  /* Our keys are completed: the carried one kept, the others computed. */
  {
    g_autoptr(DmDataset) dataset = dm_dataset_new ();
    guint n_decoded = 0;
    g_autoptr(GBytes) keys = NULL;
    g_autoptr(GBytes) first = NULL, second = NULL;

    dm_dataset_set_hash_key_origin (dataset, DM_IMAGE_KEY_VERSION);
    dm_item_set_hash_key (add_item (dataset, "keyed", missing), ours);
    add_item (dataset, "unkeyed", png);
    keys = dataset_keys (dataset, 2, &n_decoded);
    g_assert_cmpuint (n_decoded, ==, 1);
    first = g_bytes_new_from_bytes (keys, 0, DM_IMAGE_KEY_BYTES);
    second = g_bytes_new_from_bytes (keys, DM_IMAGE_KEY_BYTES, DM_IMAGE_KEY_BYTES);
    g_assert_true (g_bytes_equal (first, ours));
    g_assert_true (g_bytes_equal (second, image_key));
  }

  /* CLIP keys cannot be completed with ours: an error says what to do. */
  {
    g_autoptr(DmDataset) dataset = dm_dataset_new ();
    g_autoptr(GError) error = NULL;

    dm_dataset_set_hash_key_origin (dataset, "datumaro-clip");
    dm_item_set_hash_key (add_item (dataset, "keyed", missing), ours);
    add_item (dataset, "unkeyed", png);
    g_assert_null (prune_image_hasher_keys_for_dataset (dataset, NULL, 1, NULL, NULL, NULL, &error));
    assert_error_names (error, "datumaro-clip");
    assert_error_names (error, "hash_keys.json");
  }

  /* A key of the wrong size is named. */
  {
    g_autoptr(DmDataset) dataset = dm_dataset_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) short_key = g_bytes_new ("abc", 3);

    dm_dataset_set_hash_key_origin (dataset, DM_IMAGE_KEY_VERSION);
    dm_item_set_hash_key (add_item (dataset, "short", png), short_key);
    g_assert_null (prune_image_hasher_keys_for_dataset (dataset, NULL, 1, NULL, NULL, NULL, &error));
    assert_error_names (error, "“short”");
  }
}

static void
test_cancelled (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmDataset) dataset = mixed_dataset (fixture);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_null (prune_image_hasher_keys_for_dataset (dataset, NULL, 2, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
cancel_on_progress (DmTransform *transform, const char *phase, double fraction, guint n_items,
                    gpointer user_data)
{
  if (fraction > 0.0)
    g_cancellable_cancel (user_data);
}

/* Cancelling while the workers decode stops them with CANCELLED. */
static void
test_cancelled_while_hashing (Fixture *fixture, gconstpointer data)
{
  enum { N_ITEMS = 300 };
  g_autoptr(GdkPixbuf) scene = scene_pixbuf (13, 1200, 900);
  g_autofree char *png = save (fixture, scene, "slow.png", "png", NULL);
  g_autoptr(DmDataset) dataset = dm_dataset_new ();
  g_autoptr(DmTransform) reporter = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) keys = NULL;

  for (guint i = 0; i < N_ITEMS; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", i);

      add_item (dataset, id, png);
    }

  reporter = create_transform ("hash");
  g_signal_connect (reporter, "progress", G_CALLBACK (cancel_on_progress), cancellable);

  /* The first report after 0 comes from the 100 ms poll, long before 300
   * images of 1200x900 are decoded on one thread. */
  keys = prune_image_hasher_keys_for_dataset (dataset, reporter, 1, NULL, NULL, cancellable, &error);
  g_assert_null (keys);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

typedef struct
{
  guint n_reports;
  double last_fraction;
  gboolean fractions_increase;
  guint n_items;            /* the images to hash, each report's count */
} ProgressLog;

static void
on_progress (DmTransform *transform, const char *phase, double fraction, guint n_items, gpointer user_data)
{
  ProgressLog *log = user_data;

  g_assert_cmpstr (phase, ==, "hashing");
  g_assert_cmpuint (n_items, ==, log->n_items);
  if (fraction < log->last_fraction)
    log->fractions_increase = FALSE;
  log->last_fraction = fraction;
  log->n_reports++;
}

/* The "hash" transform, loaded as the host loads it. */
static void
test_hash_transform (Fixture *fixture, gconstpointer data)
{
  g_autoptr(DmDataset) dataset = mixed_dataset (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(DmTransform) transform = NULL;
  g_autoptr(DmDataset) hashed = NULL;
  g_autoptr(DmDataset) rehashed = NULL;
  g_autoptr(GBytes) expected = dataset_keys (dataset, 1, NULL);
  ProgressLog log = { 0, 0.0, TRUE, dm_dataset_get_n_items (dataset) };
  JsonObject *report;

  transform = create_transform ("hash");
  g_assert_cmpstr (dm_transform_get_label (transform), ==, "Compute hash keys");
  g_assert_true (dm_transform_set_parameter_from_string (transform, "threads", "2", &error));
  g_assert_no_error (error);
  g_signal_connect (transform, "progress", G_CALLBACK (on_progress), &log);

  hashed = dm_transform_apply (transform, dataset, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dm_dataset_get_n_items (hashed), ==, dm_dataset_get_n_items (dataset));
  g_assert_cmpstr (dm_dataset_get_hash_key_origin (hashed), ==, DM_IMAGE_KEY_VERSION);
  g_assert_null (dm_dataset_get_hash_key_origin (dataset));
  for (guint i = 0; i < dm_dataset_get_n_items (hashed); i++)
    {
      DmItem *item = dm_dataset_get_item (hashed, i);
      g_autoptr(GBytes) key = g_bytes_new_from_bytes (expected, i * DM_IMAGE_KEY_BYTES, DM_IMAGE_KEY_BYTES);

      g_assert_cmpstr (dm_item_get_id (item), ==, dm_item_get_id (dm_dataset_get_item (dataset, i)));
      g_assert_true (g_bytes_equal (dm_item_get_hash_key (item), key));
      g_assert_null (dm_item_get_hash_key (dm_dataset_get_item (dataset, i)));
    }
  g_assert_cmpuint (log.n_reports, >=, 2);
  g_assert_true (log.fractions_increase);
  g_assert_cmpfloat (log.last_fraction, ==, 1.0);
  report = json_node_get_object (dm_transform_get_report (transform));
  g_assert_cmpint (json_object_get_int_member (report, "decoded"), ==, dm_dataset_get_n_items (dataset));

  /* Hashing a hashed dataset decodes nothing and changes nothing. */
  rehashed = dm_transform_apply (transform, hashed, NULL, &error);
  g_assert_no_error (error);
  report = json_node_get_object (dm_transform_get_report (transform));
  g_assert_cmpint (json_object_get_int_member (report, "decoded"), ==, 0);
  g_assert_cmpstr (dm_dataset_get_hash_key_origin (rehashed), ==, DM_IMAGE_KEY_VERSION);
  for (guint i = 0; i < dm_dataset_get_n_items (hashed); i++)
    g_assert_true (g_bytes_equal (dm_item_get_hash_key (dm_dataset_get_item (hashed, i)),
                                  dm_item_get_hash_key (dm_dataset_get_item (rehashed, i))));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/image-hasher/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("deterministic-across-threads", test_deterministic_across_threads);
  ADD ("jpeg-q50-stays-close", test_jpeg_q50_stays_close);
  ADD ("exif-orientation", test_exif_orientation);
  ADD ("alpha-over-black", test_alpha_over_black);
  ADD ("grayscale", test_grayscale);
  ADD ("pixel-formats", test_pixel_formats);
  ADD ("missing-and-broken-images", test_missing_and_broken_images);
  ADD ("item-without-image-or-key", test_item_without_image_or_key);
  ADD ("pixel-limit", test_pixel_limit);
  ADD ("carried-keys", test_carried_keys);
  ADD ("cancelled", test_cancelled);
  ADD ("cancelled-while-hashing", test_cancelled_while_hashing);
  ADD ("hash-transform", test_hash_transform);
#undef ADD

  return g_test_run ();
}
