/* test-embeddings.c: reading .npy embeddings and their ids into keys.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include "dm-embedding-key.h"
#include "prune-embeddings.h"
#include "prune-npy.h"
#include "test-helpers.h"

static const float values[6] = { 1.5f, -2.0f, 0.25f, 3.0f, -0.5f, 1e-3f };
/* The .npy header of @values as a 2 × 3 float32 matrix. */
#define VALUES_DICT "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"

static void
assert_matrix (const char *path, const float *expected)
{
  g_autoptr(GError) error = NULL;
  gsize rows = 0, columns = 0;
  g_autofree float *matrix = prune_npy_read_matrix (path, &rows, &columns, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (rows, ==, 2);
  g_assert_cmpuint (columns, ==, 3);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpfloat_with_epsilon (matrix[i], expected[i], 1e-3);
}

static void
test_read_versions_and_types (void)
{
  g_autofree char *dir = make_temp_dir ();
  guint32 big[6];
  float fortran[6];
  /* float16 of 1.5, -2, 0.25, 3, -0.5, 0.001 (a normal half). */
  const guint16 halves[6] = { 0x3e00, 0xc000, 0x3400, 0x4200, 0xb800, 0x1419 };
  g_autofree char *v1 = write_npy (dir, "v1.npy", 1, VALUES_DICT, values, sizeof values);
  g_autofree char *v2 = write_npy (dir, "v2.npy", 2, VALUES_DICT, values, sizeof values);
  g_autofree char *v3 = write_npy (dir, "v3.npy", 3, "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 3)}",
                                   values, sizeof values);
  g_autofree char *half = write_npy (dir, "half.npy", 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }",
                                     halves, sizeof halves);
  g_autofree char *big_path = NULL;
  g_autofree char *fortran_path = NULL;

  for (guint i = 0; i < 6; i++)
    {
      guint32 bits;
      memcpy (&bits, &values[i], 4);
      big[i] = GUINT32_TO_BE (bits);
      fortran[(i % 3) * 2 + i / 3] = values[i];   /* column-major */
    }
  big_path = write_npy (dir, "big.npy", 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }",
                        big, sizeof big);
  fortran_path = write_npy (dir, "fortran.npy", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                            fortran, sizeof fortran);

  assert_matrix (v1, values);
  assert_matrix (v2, values);
  assert_matrix (v3, values);
  assert_matrix (half, values);
  assert_matrix (big_path, values);
  assert_matrix (fortran_path, values);
  remove_tree (dir);
}

/* Each bad file: an error naming the file and what is wrong. */
static void
test_bad_files (void)
{
  const struct { guint major; const char *dict; gsize data_length; const char *mentions; } cases[] = {
    { 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 48, "“<f8” is not float32 or float16" },
    { 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", 24, "“<i4” is not float32" },
    { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", 24, "1 dimension, not 2" },
    { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3), }", 24, "3 dimensions, not 2" },
    { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4, "a scalar" },
    { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", 0, "is empty" },
    { 1, VALUES_DICT, 20, "but 20 bytes follow the header" },
    { 1, VALUES_DICT, 28, "but 28 bytes follow the header" },
    { 1, "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 3), }", 24, "“fortran_order”" },
    { 1, "{'descr': '<f4', 'shape': (2, 3), }", 24, "lacks" },
    { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}", 24, "unknown header key “extra”" },
    { 1, "['<f4', False, (2, 3)]", 24, "not a dictionary" },
    { 4, VALUES_DICT, 24, "version 4.0" },
  };
  g_autofree char *dir = make_temp_dir ();
  guint8 data[48] = { 0 };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *name = g_strdup_printf ("bad-%" G_GSIZE_FORMAT ".npy", c);
      g_autofree char *path = write_npy (dir, name, cases[c].major, cases[c].dict, data, cases[c].data_length);
      g_autoptr(GError) error = NULL;
      gsize rows, columns;

      g_assert_null (prune_npy_read_matrix (path, &rows, &columns, &error));
      g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_DATA);
      assert_error_mentions (error, path);
      assert_error_mentions (error, cases[c].mentions);
    }

  {
    g_autofree char *path = g_build_filename (dir, "not-npy.npy", NULL);
    g_autofree char *missing = g_build_filename (dir, "missing.npy", NULL);
    g_autoptr(GError) error = NULL;
    gsize rows, columns;

    write_file (path, "just text, long enough", -1);
    g_assert_null (prune_npy_read_matrix (path, &rows, &columns, &error));
    assert_error_mentions (error, "magic string");
    g_clear_error (&error);
    /* A header longer than the file. */
    write_file (path, "\x93NUMPY\x01\x00\xff\x00{", 11);
    g_assert_null (prune_npy_read_matrix (path, &rows, &columns, &error));
    assert_error_mentions (error, "cut short");
    g_clear_error (&error);
    g_assert_null (prune_npy_read_matrix (missing, &rows, &columns, &error));
    g_assert_error (error, DM_ERROR, DM_ERROR_NOT_FOUND);
    assert_error_mentions (error, missing);
  }
  remove_tree (dir);
}

/* A dataset of items a, b, c in subset "train" and d in "val". */
static DmDataset *
small_dataset (void)
{
  DmDataset *dataset = dm_dataset_new ();
  const char *ids[] = { "a", "b", "dir/c", "d" };

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(DmItem) item = dm_item_new (ids[i], i < 3 ? "train" : "val");
      dm_dataset_append_item (dataset, item);
    }
  return dataset;
}

static const float four_rows[8] = { 1, 0, 0, 1, -1, 0, 0, -1 };
#define FOUR_ROWS_DICT "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), }"

/* Row r's key goes to the item line r names, whatever the order. */
static void
test_keys_follow_ids (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *npy = write_npy (dir, "e.npy", 1, FOUR_ROWS_DICT, four_rows, sizeof four_rows);
  g_autofree char *ids = g_build_filename (dir, "ids.txt", NULL);
  g_autoptr(DmDataset) dataset = small_dataset ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) keys = NULL;
  guint8 expected[4 * DM_EMBEDDING_KEY_BYTES];
  const guint8 *got;
  /* Line r names item order[r]. */
  const guint order[4] = { 2, 0, 3, 1 };
  g_autofree char *origin = prune_embeddings_origin (npy);

  /* Blank lines after the last id are no ids. */
  const char *texts[] = { "train/dir/c\r\ntrain/a\nval/d\ntrain/b\n",
                          "train/dir/c\r\ntrain/a\nval/d\ntrain/b\n\n\r\n" };

  g_assert_true (dm_embedding_keys (four_rows, 4, 2, expected, NULL));
  for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
    {
      write_file (ids, texts[t], -1);
      g_clear_pointer (&keys, g_bytes_unref);
      keys = prune_embeddings_keys (dataset, npy, ids, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (keys), ==, 4 * DM_EMBEDDING_KEY_BYTES);
      got = g_bytes_get_data (keys, NULL);
      for (guint r = 0; r < 4; r++)
        g_assert_cmpmem (got + order[r] * DM_EMBEDDING_KEY_BYTES, DM_EMBEDDING_KEY_BYTES,
                         expected + r * DM_EMBEDDING_KEY_BYTES, DM_EMBEDDING_KEY_BYTES);
    }
  g_assert_cmpstr (origin, ==, DM_EMBEDDING_KEY_VERSION ":e.npy");
  remove_tree (dir);
}

static void
test_bad_ids (void)
{
  const struct { const char *ids; const char *mentions; gboolean names_npy; } cases[] = {
    { "train/a\ntrain/b\nval/d\n", "lists 3 ids, but", TRUE },
    { "train/a\ntrain/b\ntrain/dir/c\nval/d\ntrain/a\n", "lists 5 ids", TRUE },
    { "train/a\ntrain/b\ntrain/x\nval/d\n", "line 3: the dataset has no item “train/x”", FALSE },
    { "train/a\ntrain/b\nval/d\ntrain/a\n", "line 4: “train/a” is listed already, on line 1", FALSE },
    { "train/a\nb\ntrain/dir/c\nval/d\n", "line 2: “b” is not subset/id", FALSE },
    { "train/a\n\ntrain/dir/c\nval/d\n", "line 2", FALSE },
    { "train/a\ntrain/b\ntrain/dir/c\nval/d\xff\n", "not UTF-8", FALSE },
  };
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *npy = write_npy (dir, "e.npy", 1, FOUR_ROWS_DICT, four_rows, sizeof four_rows);
  g_autofree char *ids = g_build_filename (dir, "ids.txt", NULL);
  g_autoptr(DmDataset) dataset = small_dataset ();

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GError) error = NULL;

      write_file (ids, cases[c].ids, -1);
      g_assert_null (prune_embeddings_keys (dataset, npy, ids, &error));
      g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_DATA);
      assert_error_mentions (error, ids);
      assert_error_mentions (error, cases[c].mentions);
      if (cases[c].names_npy)
        assert_error_mentions (error, npy);
    }
  remove_tree (dir);
}

/* Rows and ids agree, but the dataset has another number of items. */
static void
test_rows_not_items (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *npy = write_npy (dir, "e.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }",
                                    four_rows, 6 * sizeof (float));
  g_autofree char *ids = g_build_filename (dir, "ids.txt", NULL);
  g_autoptr(DmDataset) dataset = small_dataset ();
  g_autoptr(GError) error = NULL;

  write_file (ids, "train/a\ntrain/b\nval/d\n", -1);
  g_assert_null (prune_embeddings_keys (dataset, npy, ids, &error));
  assert_error_mentions (error, npy);
  assert_error_mentions (error, "has 3 rows, but the dataset has 4 items");
  remove_tree (dir);
}

static void
test_nan_names_file (void)
{
  g_autofree char *dir = make_temp_dir ();
  float rows[8];
  g_autofree char *npy = NULL;
  g_autofree char *ids = g_build_filename (dir, "ids.txt", NULL);
  g_autoptr(DmDataset) dataset = small_dataset ();
  g_autoptr(GError) error = NULL;

  memcpy (rows, four_rows, sizeof rows);
  rows[5] = NAN;
  npy = write_npy (dir, "nan.npy", 1, FOUR_ROWS_DICT, rows, sizeof rows);
  write_file (ids, "train/a\ntrain/b\ntrain/dir/c\nval/d\n", -1);
  g_assert_null (prune_embeddings_keys (dataset, npy, ids, &error));
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_DATA);
  assert_error_mentions (error, npy);
  assert_error_mentions (error, "row 2, column 1 is NaN");
  remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/embeddings/npy/versions-and-types", test_read_versions_and_types);
  g_test_add_func ("/embeddings/npy/bad-files", test_bad_files);
  g_test_add_func ("/embeddings/keys-follow-ids", test_keys_follow_ids);
  g_test_add_func ("/embeddings/bad-ids", test_bad_ids);
  g_test_add_func ("/embeddings/rows-not-items", test_rows_not_items);
  g_test_add_func ("/embeddings/nan-names-file", test_nan_names_file);

  return g_test_run ();
}
