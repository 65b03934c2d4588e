/* bench-image-key.c: the image key's robustness and the hasher's throughput.
 *
 *   bench-image-key robustness WORKDIR [GROUPS]
 *     GROUPS synthetic scenes (default 50), each with near-duplicates:
 *     halved, 10% brighter, 10% darker, 5% cropped off each border, and
 *     re-encoded as JPEG quality 50 (decoded by the hasher). Prints the
 *     fraction of near-duplicate pairs closer than every pair of either
 *     member with another group's image (goal >= 0.95).
 *
 *   bench-image-key throughput WORKDIR [IMAGES [THREADS [ROUNDS]]]
 *     Writes IMAGES (default 500) JPEGs of 500x375 into WORKDIR once, then
 *     times, on THREADS threads (default: every core), GdkPixbuf's plain
 *     full-size decoding of them (gdk_pixbuf_new_from_file) and the
 *     hasher's keys for a dataset of them, ROUNDS times each (default 3),
 *     alternating. Prints both rates (best round) and their ratio (goal
 *     >= 0.9).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>

#include "imagekey-scenes.h"
#include "prune-image-hasher.h"

#define N_VARIANTS 6

typedef struct
{
  guint8 key[DM_IMAGE_KEY_BYTES];
} Key;

static void
free_pixels (guchar *pixels, gpointer data)
{
  g_free (pixels);
}

static void
key_of_pixels (const DmImageKeyer *keyer, const guint8 *rgb, int width, int height, Key *key)
{
  dm_image_keyer_compute (keyer, rgb, width, height, width * 3, key->key);
}

static gboolean
key_of_jpeg_q50 (const DmImageKeyer *keyer, const char *workdir, guint group,
                 guint8 *rgb, int width, int height, Key *key, GError **error)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_data (rgb, GDK_COLORSPACE_RGB, FALSE, 8,
                                                          width, height, width * 3, NULL, NULL);
  g_autofree char *name = g_strdup_printf ("imagekey-q50-%u.jpg", group);
  g_autofree char *path = g_build_filename (workdir, name, NULL);
  gboolean ok;

  if (!gdk_pixbuf_save (pixbuf, path, "jpeg", error, "quality", "50", NULL))
    return FALSE;
  ok = prune_image_hasher_key_for_file (keyer, path, key->key, error);
  g_unlink (path);
  return ok;
}

static int
robustness (const char *workdir, guint n_groups)
{
  enum { WIDTH = 400, HEIGHT = 300 };
  g_autoptr(DmImageKeyer) keyer = dm_image_keyer_new ();
  g_autofree Key *keys = g_new (Key, (gsize) n_groups * N_VARIANTS);
  guint n_pairs = 0, n_separated = 0;
  guint max_within = 0, min_across = G_MAXUINT;
  double sum_within = 0.0, sum_across = 0.0;
  guint n_across = 0;

  for (guint g = 0; g < n_groups; g++)
    {
      g_autofree guint8 *original = imagekey_scene_render (1000 + g, WIDTH, HEIGHT);
      g_autofree guint8 *half = imagekey_halve (original, WIDTH, HEIGHT);
      g_autofree guint8 *brighter = imagekey_brighten (original, WIDTH, HEIGHT, 1.1);
      g_autofree guint8 *darker = imagekey_brighten (original, WIDTH, HEIGHT, 0.9);
      int crop_width, crop_height;
      g_autofree guint8 *cropped = imagekey_crop_border (original, WIDTH, HEIGHT, 0.10,
                                                         &crop_width, &crop_height);
      Key *group = keys + (gsize) g * N_VARIANTS;
      g_autoptr(GError) error = NULL;

      key_of_pixels (keyer, original, WIDTH, HEIGHT, &group[0]);
      key_of_pixels (keyer, half, WIDTH / 2, HEIGHT / 2, &group[1]);
      key_of_pixels (keyer, brighter, WIDTH, HEIGHT, &group[2]);
      key_of_pixels (keyer, darker, WIDTH, HEIGHT, &group[3]);
      key_of_pixels (keyer, cropped, crop_width, crop_height, &group[4]);
      if (!key_of_jpeg_q50 (keyer, workdir, g, original, WIDTH, HEIGHT, &group[5], &error))
        {
          g_printerr ("bench-image-key: %s\n", error->message);
          return 1;
        }
    }

  for (guint g = 0; g < n_groups; g++)
    for (guint a = 0; a < N_VARIANTS; a++)
      {
        const guint8 *key_a = keys[g * N_VARIANTS + a].key;
        guint nearest_other_a = G_MAXUINT;

        for (guint h = 0; h < n_groups; h++)
          if (h != g)
            for (guint c = 0; c < N_VARIANTS; c++)
              {
                guint d = dm_image_key_distance (key_a, keys[h * N_VARIANTS + c].key);

                nearest_other_a = MIN (nearest_other_a, d);
                if (h > g)
                  {
                    sum_across += d;
                    n_across++;
                  }
              }
        min_across = MIN (min_across, nearest_other_a);

        for (guint b = a + 1; b < N_VARIANTS; b++)
          {
            const guint8 *key_b = keys[g * N_VARIANTS + b].key;
            guint d = dm_image_key_distance (key_a, key_b);
            guint nearest_other_b = G_MAXUINT;

            for (guint h = 0; h < n_groups; h++)
              if (h != g)
                for (guint c = 0; c < N_VARIANTS; c++)
                  nearest_other_b = MIN (nearest_other_b,
                                         dm_image_key_distance (key_b, keys[h * N_VARIANTS + c].key));

            n_pairs++;
            n_separated += d < MIN (nearest_other_a, nearest_other_b);
            max_within = MAX (max_within, d);
            sum_within += d;
          }
      }

  g_print ("robustness: %u groups x %d variants (original, half size, brightness +10%%, -10%%, "
           "5%% border crop, JPEG q50)\n", n_groups, N_VARIANTS);
  g_print ("  near-duplicate pairs closer than any other group's image: %u of %u = %.4f (goal >= 0.95)\n",
           n_separated, n_pairs, (double) n_separated / n_pairs);
  g_print ("  distance within groups: mean %.1f, max %u bits; across groups: mean %.1f, min %u bits\n",
           sum_within / n_pairs, max_within, sum_across / MAX (n_across, 1), min_across);
  return 0;
}

static GPtrArray *
ensure_jpegs (const char *workdir, guint n_images, GError **error)
{
  enum { WIDTH = 500, HEIGHT = 375 };
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n_images; i++)
    {
      g_autofree char *name = g_strdup_printf ("imagekey-%04u.jpg", i);
      char *path = g_build_filename (workdir, name, NULL);

      g_ptr_array_add (paths, path);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          guint8 *rgb = imagekey_scene_render (5000 + i, WIDTH, HEIGHT);
          g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_data (rgb, GDK_COLORSPACE_RGB, FALSE, 8,
                                                                  WIDTH, HEIGHT, WIDTH * 3,
                                                                  free_pixels, NULL);

          if (!gdk_pixbuf_save (pixbuf, path, "jpeg", error, "quality", "90", NULL))
            {
              g_ptr_array_unref (paths);
              return NULL;
            }
        }
    }

  return paths;
}

typedef struct
{
  GPtrArray *paths;
  gint next;
  gint failures;
} PlainDecode;

static gpointer
plain_decode_worker (gpointer data)
{
  PlainDecode *job = data;
  guint i;

  while ((i = (guint) g_atomic_int_add (&job->next, 1)) < job->paths->len)
    {
      g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (g_ptr_array_index (job->paths, i), NULL);

      if (pixbuf == NULL)
        g_atomic_int_inc (&job->failures);
    }

  return NULL;
}

/* GdkPixbuf's plain full-size decoding of every file, on n_threads threads
 * sharing an atomic work index. */
static double
time_plain_decode (GPtrArray *paths, guint n_threads)
{
  PlainDecode job = { paths, 0, 0 };
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  gint64 start = g_get_monotonic_time ();

  for (guint t = 0; t < n_threads; t++)
    g_ptr_array_add (threads, g_thread_new ("decode", plain_decode_worker, &job));
  for (guint t = 0; t < n_threads; t++)
    g_thread_join (g_ptr_array_index (threads, t));

  if (job.failures > 0)
    g_error ("%d images failed to decode", job.failures);
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
time_hasher (DmDataset *dataset, guint n_threads)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  guint n_decoded = 0;
  g_autoptr(GBytes) keys = prune_image_hasher_keys_for_dataset (dataset, NULL, n_threads, &n_decoded, NULL,
                                                                NULL, &error);

  if (keys == NULL)
    g_error ("%s", error->message);
  g_assert (n_decoded == dm_dataset_get_n_items (dataset));
  return (g_get_monotonic_time () - start) / 1e6;
}

static int
throughput (const char *workdir, guint n_images, guint n_threads, guint n_rounds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) paths = ensure_jpegs (workdir, n_images, &error);
  g_autoptr(DmDataset) dataset = dm_dataset_new ();
  double best_plain = G_MAXDOUBLE, best_hasher = G_MAXDOUBLE;

  if (paths == NULL)
    {
      g_printerr ("bench-image-key: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *id = g_strdup_printf ("%04u", i);
      g_autoptr(DmItem) item = dm_item_new (id, "train");

      dm_item_set_image_path (item, g_ptr_array_index (paths, i));
      dm_dataset_append_item (dataset, item);
    }

  /* A first pass of each warms the page cache and the loaders. */
  time_plain_decode (paths, n_threads);
  time_hasher (dataset, n_threads);

  for (guint r = 0; r < n_rounds; r++)
    {
      best_plain = MIN (best_plain, time_plain_decode (paths, n_threads));
      best_hasher = MIN (best_hasher, time_hasher (dataset, n_threads));
    }

  g_print ("throughput: %u JPEGs of 500x375, %u threads, best of %u rounds\n",
           paths->len, n_threads, n_rounds);
  g_print ("  gdk_pixbuf_new_from_file (full size): %.0f images/s\n", paths->len / best_plain);
  g_print ("  image hasher (decode + key):          %.0f images/s\n", paths->len / best_hasher);
  g_print ("  hasher rate / plain decode rate: %.2f (goal >= 0.9)\n", best_plain / best_hasher);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc >= 3 && g_str_equal (argv[1], "robustness"))
    return robustness (argv[2], argc > 3 ? (guint) g_ascii_strtoull (argv[3], NULL, 10) : 50);

  if (argc >= 3 && g_str_equal (argv[1], "throughput"))
    {
      guint n_images = argc > 3 ? (guint) g_ascii_strtoull (argv[3], NULL, 10) : 500;
      guint n_threads = argc > 4 ? (guint) g_ascii_strtoull (argv[4], NULL, 10) : 0;
      guint n_rounds = argc > 5 ? (guint) g_ascii_strtoull (argv[5], NULL, 10) : 3;

      if (n_threads == 0)
        n_threads = MAX (g_get_num_processors (), 1);
      return throughput (argv[2], MAX (n_images, 1), n_threads, MAX (n_rounds, 1));
    }

  g_printerr ("usage: %s robustness WORKDIR [GROUPS]\n"
              "       %s throughput WORKDIR [IMAGES [THREADS [ROUNDS]]]\n", argv[0], argv[0]);
  return 2;
}
