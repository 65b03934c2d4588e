/* test-ndr.c: prune's "ndr" method on images the test writes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "prune-ndr.h"
#include "test-media-helpers.h"

#define IMAGE_WIDTH  96
#define IMAGE_HEIGHT 72

/* A smooth procedural picture: a colour ramp, a few soft blobs and
 * stripes, all drawn from @seed. */
static GdkPixbuf *
procedural_image (guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, IMAGE_WIDTH, IMAGE_HEIGHT);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int rowstride = gdk_pixbuf_get_rowstride (pixbuf);
  double ramp[2][3], blobs[3][6], stripes[4];

  for (int i = 0; i < 2; i++)
    for (int ch = 0; ch < 3; ch++)
      ramp[i][ch] = g_rand_double_range (rand, 0, 255);
  for (int b = 0; b < 3; b++)
    {
      blobs[b][0] = g_rand_double_range (rand, 0, IMAGE_WIDTH);
      blobs[b][1] = g_rand_double_range (rand, 0, IMAGE_HEIGHT);
      blobs[b][2] = g_rand_double_range (rand, 6, 20);
      for (int ch = 0; ch < 3; ch++)
        blobs[b][3 + ch] = g_rand_double_range (rand, -160, 160);
    }
  stripes[0] = g_rand_double_range (rand, -0.4, 0.4);
  stripes[1] = g_rand_double_range (rand, -0.4, 0.4);
  stripes[2] = g_rand_double_range (rand, 0, 2 * G_PI);
  stripes[3] = g_rand_double_range (rand, 10, 50);

  for (int y = 0; y < IMAGE_HEIGHT; y++)
    for (int x = 0; x < IMAGE_WIDTH; x++)
      {
        double t = (double) x / IMAGE_WIDTH;
        double wave = stripes[3] * sin (stripes[0] * x + stripes[1] * y + stripes[2]);

        for (int ch = 0; ch < 3; ch++)
          {
            double value = (1 - t) * ramp[0][ch] + t * ramp[1][ch] + wave;

            for (int b = 0; b < 3; b++)
              {
                double dx = x - blobs[b][0], dy = y - blobs[b][1];

                value += blobs[b][3 + ch]
                         * exp (-(dx * dx + dy * dy) / (2 * blobs[b][2] * blobs[b][2]));
              }
            pixels[y * rowstride + x * 3 + ch] = (guint8) CLAMP (lround (value), 0, 255);
          }
      }

  return pixbuf;
}

typedef enum {
  VARIANT_ORIGINAL,
  VARIANT_RESCALED,     /* 3/4 of the size, bilinear, PNG */
  VARIANT_JPEG,         /* the original re-encoded as JPEG, quality 85 */
} Variant;

typedef struct {
  const char *subset;
  guint32     picture;  /* the procedural seed: items with one are near-duplicates */
  Variant     variant;
} ItemSpec;

/* Near-duplicates sit before, between and after the originals. */
static const ItemSpec two_subsets[] = {
  { "train", 1, VARIANT_ORIGINAL },
  { "train", 2, VARIANT_RESCALED },
  { "train", 2, VARIANT_ORIGINAL },
  { "train", 3, VARIANT_ORIGINAL },
  { "train", 1, VARIANT_JPEG },
  { "train", 4, VARIANT_ORIGINAL },
  { "val",   7, VARIANT_JPEG },
  { "val",   7, VARIANT_ORIGINAL },
  { "train", 5, VARIANT_ORIGINAL },
  { "train", 3, VARIANT_JPEG },
  { "val",   8, VARIANT_ORIGINAL },
  { "train", 6, VARIANT_ORIGINAL },
  { "val",   9, VARIANT_ORIGINAL },
  { "train", 5, VARIANT_RESCALED },
  { "val",   9, VARIANT_RESCALED },
};

static char *
write_image (const char *directory, guint index, const ItemSpec *spec)
{
  g_autoptr(GdkPixbuf) original = procedural_image (spec->picture);
  g_autoptr(GError) error = NULL;
  char *path = NULL;

  switch (spec->variant)
    {
    case VARIANT_ORIGINAL:
      path = g_strdup_printf ("%s/item%02u.png", directory, index);
      gdk_pixbuf_save (original, path, "png", &error, NULL);
      break;
    case VARIANT_RESCALED:
      {
        g_autoptr(GdkPixbuf) rescaled = gdk_pixbuf_scale_simple (original, IMAGE_WIDTH * 3 / 4,
                                                                 IMAGE_HEIGHT * 3 / 4,
                                                                 GDK_INTERP_BILINEAR);

        path = g_strdup_printf ("%s/item%02u.png", directory, index);
        gdk_pixbuf_save (rescaled, path, "png", &error, NULL);
      }
      break;
    case VARIANT_JPEG:
      path = g_strdup_printf ("%s/item%02u.jpg", directory, index);
      gdk_pixbuf_save (original, path, "jpeg", &error, "quality", "85", NULL);
      break;
    }
  g_assert_no_error (error);

  return path;
}

typedef struct {
  char      *directory;
  DmDataset *dataset;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->directory = g_dir_make_tmp ("dm-test-ndr-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->dataset = dm_dataset_new ();

  for (guint i = 0; i < G_N_ELEMENTS (two_subsets); i++)
    {
      g_autofree char *id = g_strdup_printf ("item%02u", i);
      g_autofree char *path = write_image (fixture->directory, i, &two_subsets[i]);
      g_autoptr(DmItem) item = dm_item_new (id, two_subsets[i].subset);

      dm_item_set_image_path (item, path);
      dm_dataset_append_item (fixture->dataset, item);
    }
}

/* Removes a temporary @directory and the files in it. */
static void
remove_directory (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (directory, name, NULL);

      g_unlink (path);
    }
  g_rmdir (directory);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_clear_object (&fixture->dataset);
}

static guint
count_in_subset (GArray *kept, const char *subset)
{
  guint count = 0;

  for (guint k = 0; k < kept->len; k++)
    count += g_str_equal (two_subsets[g_array_index (kept, guint, k)].subset, subset);

  return count;
}

static double
feature_dot (const char *path_a, const char *path_b, const DmNdrParams *params)
{
  gsize dim = dm_ndr_feature_dim (params);
  g_autofree float *features = g_new (float, 2 * dim);
  const char *paths[] = { path_a, path_b };
  double dot = 0.0;

  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (paths[i], NULL);

      g_assert_nonnull (pixbuf);
      dm_ndr_features (gdk_pixbuf_read_pixels (pixbuf), gdk_pixbuf_get_width (pixbuf),
                       gdk_pixbuf_get_height (pixbuf), gdk_pixbuf_get_rowstride (pixbuf),
                       params, features + i * dim);
    }
  for (gsize k = 0; k < dim; k++)
    dot += (double) features[k] * features[dim + k];

  return dot;
}

/* The pictures really are near-duplicates for the gradient feature, and
 * the distinct ones are not: the premise of the selection test below. */
static void
test_features_of_near_duplicates (Fixture *fixture, gconstpointer user_data)
{
  DmNdrParams params;
  double threshold_dot;

  dm_ndr_params_init (&params);
  threshold_dot = pow (params.sim_threshold, 1.0 / 50);

  for (guint i = 0; i < G_N_ELEMENTS (two_subsets); i++)
    for (guint j = i + 1; j < G_N_ELEMENTS (two_subsets); j++)
      {
        DmItem *a = dm_dataset_get_item (fixture->dataset, i);
        DmItem *b = dm_dataset_get_item (fixture->dataset, j);
        double dot = feature_dot (dm_item_get_image_path (a), dm_item_get_image_path (b),
                                  &params);

        if (two_subsets[i].picture == two_subsets[j].picture)
          {
            g_test_message ("near-duplicates %u, %u: dot %.6f", i, j, dot);
            g_assert_cmpfloat (dot, >, threshold_dot);
          }
        else
          g_assert_cmpfloat (dot, <, threshold_dot);
      }
}

/* prune_ndr_select() of @dataset without progress, set-aside list or
 * cancellable. */
static gboolean
select_kept (DmDataset *dataset, const DmNdrParams *params, double ratio, guint32 seed,
             GArray **kept, GError **error)
{
  const PruneNdrRequest request = {
    .dataset = dataset, .params = params, .ratio = ratio, .seed = seed,
  };

  return prune_ndr_select (&request, NULL, kept, error);
}

/* How many kept items show a picture already kept, for train keeping 6 of
 * its 10 items (6 pictures) and val 3 of 5 (3 pictures). */
static guint
select_repeated_pictures (Fixture *fixture, const DmNdrParams *params, guint32 seed)
{
  g_autoptr(GArray) kept = NULL;
  g_autoptr(GError) error = NULL;
  gboolean picture_seen[10] = { FALSE };
  guint n_repeated = 0;

  g_assert_true (select_kept (fixture->dataset, params, 0.6, seed, &kept, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kept->len, ==, 9);
  g_assert_cmpuint (count_in_subset (kept, "train"), ==, 6);
  g_assert_cmpuint (count_in_subset (kept, "val"), ==, 3);

  for (guint k = 0; k < kept->len; k++)
    {
      guint position = g_array_index (kept, guint, k);
      guint32 picture = two_subsets[position].picture;

      if (k > 0)
        g_assert_cmpuint (g_array_index (kept, guint, k - 1), <, position);
      n_repeated += picture_seen[picture];
      picture_seen[picture] = TRUE;
    }

  return n_repeated;
}

/* Items are only compared when their hashes collide, and a near-duplicate
 * at feature angle a flips each hash bit with probability a / pi (about
 * 0.4% here). With a 1-bit hash the pairs collide almost surely, so the
 * similarity decides and the near-duplicates go first. */
static void
test_near_duplicates_go_first (Fixture *fixture, gconstpointer user_data)
{
  DmNdrParams params;

  dm_ndr_params_init (&params);
  params.hash_dim = 1;

  for (guint32 seed = 1; seed <= 4; seed++)
    g_assert_cmpuint (select_repeated_pictures (fixture, &params, seed), ==, 0);
}

/* With Datumaro's 32 bits, about one near-duplicate pair in nine lands in
 * different buckets and survives, as in Datumaro; most still go first. */
static void
test_near_duplicates_default_hash (Fixture *fixture, gconstpointer user_data)
{
  DmNdrParams params;
  guint n_repeated = 0;

  dm_ndr_params_init (&params);

  /* 6 near-duplicate pairs per run. */
  for (guint32 seed = 1; seed <= 8; seed++)
    n_repeated += select_repeated_pictures (fixture, &params, seed);
  g_test_message ("near-duplicates kept in 8 runs: %u of 48", n_repeated);
  g_assert_cmpuint (n_repeated, <=, 48 / 4);
}

static void
test_kept_count_per_subset (Fixture *fixture, gconstpointer user_data)
{
  const struct { double ratio; guint train, val; } cases[] = {
    { 0.0, 0, 0 },
    { 0.1, 1, 1 },
    { 0.5, 5, 3 },     /* ceil(2.5) */
    { 0.9, 9, 5 },     /* ceil(4.5) */
    { 1.0, 10, 5 },
  };
  DmNdrParams params;

  dm_ndr_params_init (&params);

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    for (int policy = 0; policy < 2; policy++)
      {
        g_autoptr(GArray) kept = NULL;
        g_autoptr(GError) error = NULL;

        params.oversample = policy ? DM_NDR_OVERSAMPLE_SIMILARITY : DM_NDR_OVERSAMPLE_RANDOM;
        params.undersample = policy ? DM_NDR_UNDERSAMPLE_INVERSE : DM_NDR_UNDERSAMPLE_UNIFORM;
        g_assert_true (select_kept (fixture->dataset, &params, cases[c].ratio, 7, &kept, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (count_in_subset (kept, "train"), ==, cases[c].train);
        g_assert_cmpuint (count_in_subset (kept, "val"), ==, cases[c].val);
        g_assert_cmpuint (kept->len, ==, cases[c].train + cases[c].val);
      }
}

typedef struct
{
  GArray *fractions;
  guint n_items;            /* the dataset's, each report's count */
} ProgressLog;

static void
on_progress (DmTransform *transform, const char *phase, double fraction, guint n_items, gpointer user_data)
{
  ProgressLog *log = user_data;

  g_assert_cmpstr (phase, ==, "ndr");
  g_assert_cmpuint (n_items, ==, log->n_items);
  g_array_append_val (log->fractions, fraction);
}

static void
test_deterministic_with_progress (Fixture *fixture, gconstpointer user_data)
{
  /* The transform the plugin reports ndr's progress through. */
  g_autoptr(DmTransform) reporter = create_transform ("prune");
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) first = NULL;
  g_autoptr(GArray) again = NULL;
  ProgressLog log = { fractions, dm_dataset_get_n_items (fixture->dataset) };
  DmNdrParams params;

  dm_ndr_params_init (&params);
  g_signal_connect (reporter, "progress", G_CALLBACK (on_progress), &log);

  g_assert_true (prune_ndr_select (&(PruneNdrRequest) { .dataset = fixture->dataset, .params = &params,
                                                        .ratio = 0.4, .seed = 99, .reporter = reporter },
                                   NULL, &first, NULL));
  g_assert_true (select_kept (fixture->dataset, &params, 0.4, 99, &again, NULL));
  g_assert_cmpmem (first->data, first->len * sizeof (guint),
                   again->data, again->len * sizeof (guint));

  g_assert_cmpuint (fractions->len, >=, 2);
  g_assert_cmpfloat (g_array_index (fractions, double, 0), ==, 0.0);
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), ==, 1.0);
  for (guint i = 1; i < fractions->len; i++)
    g_assert_cmpfloat (g_array_index (fractions, double, i - 1), <=,
                       g_array_index (fractions, double, i));
}

/* Selects from the fixture with @cancellable, which is or gets cancelled. */
static void
assert_select_cancelled (Fixture *fixture, DmTransform *reporter, GCancellable *cancellable)
{
  g_autoptr(GArray) kept = NULL;
  g_autoptr(GError) error = NULL;
  DmNdrParams params;

  dm_ndr_params_init (&params);
  g_assert_false (prune_ndr_select (&(PruneNdrRequest) { .dataset = fixture->dataset, .params = &params,
                                                         .ratio = 0.5, .seed = 1, .reporter = reporter },
                                    cancellable, &kept, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (kept);
}

static void
test_cancelled (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_cancellable_cancel (cancellable);
  assert_select_cancelled (fixture, NULL, cancellable);
}

static void
cancel_midway (DmTransform *transform, const char *phase, double fraction, guint n_items,
               gpointer user_data)
{
  if (fraction > 0.0 && fraction < 1.0)
    g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* Cancelled while the images are being decoded. */
static void
test_cancelled_midway (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr(DmTransform) reporter = create_transform ("prune");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_signal_connect (reporter, "progress", G_CALLBACK (cancel_midway), cancellable);
  assert_select_cancelled (fixture, reporter, cancellable);
  g_assert_true (g_cancellable_is_cancelled (cancellable));
}

static void
test_bad_images (Fixture *fixture, gconstpointer user_data)
{
  DmItem *victim = dm_dataset_get_item (fixture->dataset, 9);
  g_autofree char *missing = g_build_filename (fixture->directory, "missing.png", NULL);
  g_autofree char *garbage = g_build_filename (fixture->directory, "garbage.png", NULL);
  DmNdrParams params;

  dm_ndr_params_init (&params);

  dm_item_set_image_path (victim, missing);
  {
    g_autoptr(GArray) kept = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_false (select_kept (fixture->dataset, &params, 0.5, 1, &kept, &error));
    g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, missing));
    g_assert_nonnull (strstr (error->message, "item09"));
    g_assert_null (kept);
  }

  g_assert_true (g_file_set_contents (garbage, "not a picture at all", -1, NULL));
  dm_item_set_image_path (victim, garbage);
  {
    g_autoptr(GArray) kept = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_false (select_kept (fixture->dataset, &params, 0.5, 1, &kept, &error));
    g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, garbage));
  }

  dm_item_set_image_path (victim, NULL);
  {
    g_autoptr(GArray) kept = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_false (select_kept (fixture->dataset, &params, 0.5, 1, &kept, &error));
    g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "item09"));
    g_assert_nonnull (strstr (error->message, "train"));
  }
}

static void
test_bad_parameters (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr(GArray) kept = NULL;
  g_autoptr(GError) error = NULL;
  DmNdrParams params;

  /* The ratio is prune's property, held to its range; parameters that
   * prune's check_parameters did not see are the core's to refuse. */
  dm_ndr_params_init (&params);
  params.hash_dim = 10000;
  g_assert_false (select_kept (fixture->dataset, &params, 0.5, 1, &kept, &error));
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "hash_dim"));
}

/* A fully transparent picture is composited over black, so it duplicates
 * a black one whatever colours hide under its transparency. */
static void
test_alpha_composited (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = g_dir_make_tmp ("dm-test-ndr-alpha-XXXXXX", &error);
  g_autoptr(DmDataset) dataset = dm_dataset_new ();
  const char *names[] = { "picture.png", "transparent.png", "black.png" };
  DmNdrParams params;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GdkPixbuf) opaque = procedural_image (40 + i);
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autofree char *path = g_build_filename (directory, names[i], NULL);
      g_autoptr(DmItem) item = dm_item_new (names[i], "default");

      if (i == 1)
        {
          pixbuf = gdk_pixbuf_add_alpha (opaque, FALSE, 0, 0, 0);
          for (int y = 0; y < IMAGE_HEIGHT; y++)
            for (int x = 0; x < IMAGE_WIDTH; x++)
              gdk_pixbuf_get_pixels (pixbuf)[y * gdk_pixbuf_get_rowstride (pixbuf) + x * 4 + 3] = 0;
        }
      else if (i == 2)
        {
          pixbuf = gdk_pixbuf_copy (opaque);
          gdk_pixbuf_fill (pixbuf, 0x000000ff);
        }
      else
        pixbuf = g_object_ref (opaque);

      g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
      dm_item_set_image_path (item, path);
      dm_dataset_append_item (dataset, item);
    }

  dm_ndr_params_init (&params);
  for (guint32 seed = 1; seed <= 6; seed++)
    {
      g_autoptr(GArray) kept = NULL;

      /* ceil(3 x 0.6) = 2: the picture and one of the two black ones. */
      g_assert_true (select_kept (dataset, &params, 0.6, seed, &kept, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (kept->len, ==, 2);
      g_assert_cmpuint (g_array_index (kept, guint, 0), ==, 0);
    }

  remove_directory (directory);
}

/* A JPEG of @pixbuf whose EXIF orientation is 6: "rotate 90° clockwise
 * to display". The APP1 segment goes right after the start-of-image. */
static void
save_jpeg_with_orientation (GdkPixbuf *pixbuf, const char *path)
{
  static const guint8 exif[] = {
    0xff, 0xe1, 0x00, 0x22,                       /* APP1, 34 bytes */
    'E', 'x', 'i', 'f', 0, 0,
    'I', 'I', 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00, /* TIFF, IFD at 8 */
    0x01, 0x00,                                   /* one entry */
    0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,                       /* no next IFD */
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *jpeg = NULL;
  gsize size;
  g_autoptr(GByteArray) tagged = g_byte_array_new ();

  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &jpeg, &size, "jpeg", &error,
                                            "quality", "95", NULL));
  g_assert_no_error (error);
  g_byte_array_append (tagged, (const guint8 *) jpeg, 2);
  g_byte_array_append (tagged, exif, sizeof exif);
  g_byte_array_append (tagged, (const guint8 *) jpeg + 2, (guint) size - 2);
  g_assert_true (g_file_set_contents (path, (const char *) tagged->data, tagged->len, &error));
}

/* A picture stored turned a quarter counter-clockwise, with the EXIF tag
 * that turns it back, duplicates the upright picture; without the tag it
 * would be a different picture. */
static void
test_orientation_applied (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = g_dir_make_tmp ("dm-test-ndr-exif-XXXXXX", &error);
  g_autoptr(DmDataset) dataset = dm_dataset_new ();
  g_autoptr(GdkPixbuf) upright = procedural_image (50);
  g_autoptr(GdkPixbuf) turned = gdk_pixbuf_rotate_simple (upright,
                                                          GDK_PIXBUF_ROTATE_COUNTERCLOCKWISE);
  const char *names[] = { "upright.jpg", "tagged.jpg", "other.jpg", "untagged.jpg" };
  g_autofree char *upright_path = g_build_filename (directory, names[0], NULL);
  g_autofree char *untagged_path = g_build_filename (directory, names[3], NULL);
  DmNdrParams params;

  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_build_filename (directory, names[i], NULL);
      g_autoptr(DmItem) item = dm_item_new (names[i], "default");

      if (i == 0)
        g_assert_true (gdk_pixbuf_save (upright, path, "jpeg", &error, NULL));
      else if (i == 1)
        save_jpeg_with_orientation (turned, path);
      else
        {
          g_autoptr(GdkPixbuf) other = procedural_image (51);

          g_assert_true (gdk_pixbuf_save (other, path, "jpeg", &error, NULL));
        }
      g_assert_no_error (error);
      dm_item_set_image_path (item, path);
      dm_dataset_append_item (dataset, item);
    }

  dm_ndr_params_init (&params);

  /* The control: the turned pixels alone are not a near-duplicate. */
  g_assert_true (gdk_pixbuf_save (turned, untagged_path, "jpeg", &error, NULL));
  g_assert_cmpfloat (feature_dot (upright_path, untagged_path, &params), <,
                     pow (params.sim_threshold, 1.0 / 50));

  /* A 1-bit hash, so the comparison happens (see near-duplicates-go-first). */
  params.hash_dim = 1;
  for (guint32 seed = 1; seed <= 4; seed++)
    {
      g_autoptr(GArray) kept = NULL;

      /* ceil(3 x 0.6) = 2: "other" and one of the two upright ones. */
      g_assert_true (select_kept (dataset, &params, 0.6, seed, &kept, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (kept->len, ==, 2);
      g_assert_cmpuint (g_array_index (kept, guint, 0), <=, 1);
      g_assert_cmpuint (g_array_index (kept, guint, 1), ==, 2);
    }

  remove_directory (directory);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD_FIXTURE_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD_FIXTURE_TEST ("/prune-ndr/features-of-near-duplicates", test_features_of_near_duplicates);
  ADD_FIXTURE_TEST ("/prune-ndr/near-duplicates-go-first", test_near_duplicates_go_first);
  ADD_FIXTURE_TEST ("/prune-ndr/near-duplicates-default-hash", test_near_duplicates_default_hash);
  ADD_FIXTURE_TEST ("/prune-ndr/kept-count-per-subset", test_kept_count_per_subset);
  ADD_FIXTURE_TEST ("/prune-ndr/deterministic-with-progress", test_deterministic_with_progress);
  ADD_FIXTURE_TEST ("/prune-ndr/cancelled", test_cancelled);
  ADD_FIXTURE_TEST ("/prune-ndr/cancelled-midway", test_cancelled_midway);
  ADD_FIXTURE_TEST ("/prune-ndr/bad-images", test_bad_images);
  ADD_FIXTURE_TEST ("/prune-ndr/bad-parameters", test_bad_parameters);
  g_test_add_func ("/prune-ndr/alpha-composited", test_alpha_composited);
  g_test_add_func ("/prune-ndr/orientation-applied", test_orientation_applied);

  return g_test_run ();
}
