/* test-text-keys.c: image keys extended with label text keys (hash type "txt").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "dm-image-key.h"
#include "dm-text-key.h"
#include "prune-text-keys.h"

#define FULL_KEY_BYTES (DM_IMAGE_KEY_BYTES + DM_TEXT_KEY_BYTES)

static const char *label_names[] = { "tabby_cat", "tiger_cat", "airplane" };

/* Items 0..5 with labels 0, 1, 2, 0, 1, 2 over two subsets. */
static DmDataset *
labelled_dataset (const char *format)
{
  DmDataset *dataset = dm_dataset_new ();

  dm_dataset_set_format (dataset, format);
  for (guint l = 0; l < G_N_ELEMENTS (label_names); l++)
    dm_dataset_add_label (dataset, label_names[l]);

  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *id = g_strdup_printf ("img%u", i);
      g_autoptr(DmItem) item = dm_item_new (id, i < 4 ? "train" : "val");

      dm_item_add_label (item, (int) (i % 3));
      dm_dataset_append_item (dataset, item);
    }

  return dataset;
}

static GBytes *
random_image_keys (guint n_items)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  guint8 *keys = g_new (guint8, (gsize) n_items * DM_IMAGE_KEY_BYTES);

  for (gsize i = 0; i < (gsize) n_items * DM_IMAGE_KEY_BYTES; i++)
    keys[i] = (guint8) g_rand_int_range (rand, 0, 256);

  return g_bytes_new_take (keys, (gsize) n_items * DM_IMAGE_KEY_BYTES);
}

static void
check_layout (const char *format)
{
  g_autoptr(DmDataset) dataset = labelled_dataset (format);
  g_autoptr(GBytes) image_keys = random_image_keys (6);
  g_autoptr(GBytes) keys = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *image_bytes = g_bytes_get_data (image_keys, NULL);
  const guint8 *bytes;
  gsize size;

  keys = prune_text_keys_append (image_keys, dataset, &error);
  g_assert_no_error (error);
  bytes = g_bytes_get_data (keys, &size);
  g_assert_cmpuint (size, ==, 6 * FULL_KEY_BYTES);

  for (guint i = 0; i < 6; i++)
    {
      const guint8 *key = bytes + i * FULL_KEY_BYTES;
      guint8 expected_text[DM_TEXT_KEY_BYTES];

      dm_text_key_compute (label_names[i % 3], dm_text_key_templates_for_format (format),
                           expected_text);
      g_assert_cmpmem (key, DM_IMAGE_KEY_BYTES, image_bytes + i * DM_IMAGE_KEY_BYTES, DM_IMAGE_KEY_BYTES);
      g_assert_cmpmem (key + DM_IMAGE_KEY_BYTES, DM_TEXT_KEY_BYTES,
                       expected_text, DM_TEXT_KEY_BYTES);
    }

  /* One label, one text key; two labels, two. */
  g_assert_cmpmem (bytes + DM_IMAGE_KEY_BYTES, DM_TEXT_KEY_BYTES,
                   bytes + 3 * FULL_KEY_BYTES + DM_IMAGE_KEY_BYTES, DM_TEXT_KEY_BYTES);
  g_assert_true (memcmp (bytes + DM_IMAGE_KEY_BYTES,
                         bytes + FULL_KEY_BYTES + DM_IMAGE_KEY_BYTES, DM_TEXT_KEY_BYTES) != 0);
}

static void
test_layout_imagenet (void)
{
  check_layout ("imagenet");
}

static void
test_layout_cifar10 (void)
{
  check_layout ("cifar10");
}

/* The format picks the templates: cifar10 has 18, datumaro the default. */
static void
test_format_templates (void)
{
  g_autoptr(DmDataset) datumaro = labelled_dataset ("datumaro");
  g_autoptr(DmDataset) cifar = labelled_dataset ("cifar10");
  g_autoptr(GBytes) image_keys = random_image_keys (6);
  g_autoptr(GBytes) datumaro_keys = prune_text_keys_append (image_keys, datumaro, NULL);
  g_autoptr(GBytes) cifar_keys = prune_text_keys_append (image_keys, cifar, NULL);

  g_assert_nonnull (datumaro_keys);
  g_assert_nonnull (cifar_keys);
  g_assert_false (g_bytes_equal (datumaro_keys, cifar_keys));
}

static void
test_item_without_label (void)
{
  g_autoptr(DmDataset) dataset = labelled_dataset ("datumaro");
  g_autoptr(DmItem) unlabelled = dm_item_new ("lonely", "val");
  g_autoptr(GBytes) image_keys = random_image_keys (7);
  g_autoptr(GBytes) keys = NULL;
  g_autoptr(GError) error = NULL;

  dm_dataset_append_item (dataset, unlabelled);
  keys = prune_text_keys_append (image_keys, dataset, &error);
  g_assert_null (keys);
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "lonely"));
  g_assert_nonnull (strstr (error->message, "val"));
}

static void
test_wrong_key_size (void)
{
  g_autoptr(DmDataset) dataset = labelled_dataset ("datumaro");
  g_autoptr(GBytes) image_keys = random_image_keys (5);
  g_autoptr(GBytes) keys = NULL;
  g_autoptr(GError) error = NULL;

  keys = prune_text_keys_append (image_keys, dataset, &error);
  g_assert_null (keys);
  g_assert_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/prune-text-keys/layout-imagenet", test_layout_imagenet);
  g_test_add_func ("/prune-text-keys/layout-cifar10", test_layout_cifar10);
  g_test_add_func ("/prune-text-keys/format-templates", test_format_templates);
  g_test_add_func ("/prune-text-keys/item-without-label", test_item_without_label);
  g_test_add_func ("/prune-text-keys/wrong-key-size", test_wrong_key_size);

  return g_test_run ();
}
