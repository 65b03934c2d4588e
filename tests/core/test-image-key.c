/* test-image-key.c: the perceptual image key on synthetic images.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "dm-image-key.h"
#include "../bench/imagekey-scenes.h"

#define SCENE_WIDTH  320
#define SCENE_HEIGHT 240
#define N_SCENES     10

static gboolean
key_bit (const guint8 *key, guint i)
{
  return (key[i / 8] >> (7 - i % 8)) & 1;
}

static void
test_pack_signs_msb_first (void)
{
  float projections[DM_IMAGE_KEY_BITS];
  guint8 key[DM_IMAGE_KEY_BYTES];
  guint8 expected[DM_IMAGE_KEY_BYTES] = { 0 };

  for (guint i = 0; i < DM_IMAGE_KEY_BITS; i++)
    projections[i] = -1.0f;
  projections[0] = 0.5f;     /* the first bit is the top bit of byte 0 */
  projections[7] = 2.0f;     /* the eighth its bottom bit */
  projections[8] = 1e-6f;
  projections[100] = 3.0f;   /* byte 12, bit 4 from the top */
  projections[511] = 1.0f;   /* the bottom bit of the last byte */
  projections[200] = 0.0f;   /* zero is not positive */
  expected[0] = 0x81;
  expected[1] = 0x80;
  expected[12] = 0x08;
  expected[63] = 0x01;

  dm_image_key_pack_signs (projections, key);
  g_assert_cmpmem (key, sizeof key, expected, sizeof expected);
  g_assert_cmpuint (dm_image_key_distance (key, expected), ==, 0);

  expected[5] ^= 0x24;
  g_assert_cmpuint (dm_image_key_distance (key, expected), ==, 2);
}

static void
test_key_is_signs_of_projections (void)
{
  g_autoptr(DmImageKeyer) keyer = dm_image_keyer_new ();
  g_autofree guint8 *rgb = imagekey_scene_render (7, SCENE_WIDTH, SCENE_HEIGHT);
  float projections[DM_IMAGE_KEY_BITS];
  guint8 key[DM_IMAGE_KEY_BYTES];
  guint n_set = 0;

  dm_image_keyer_project (keyer, rgb, SCENE_WIDTH, SCENE_HEIGHT, SCENE_WIDTH * 3, projections);
  dm_image_keyer_compute (keyer, rgb, SCENE_WIDTH, SCENE_HEIGHT, SCENE_WIDTH * 3, key);

  for (guint i = 0; i < DM_IMAGE_KEY_BITS; i++)
    {
      g_assert_cmpint (key_bit (key, i), ==, projections[i] > 0.0f);
      n_set += key_bit (key, i);
    }
  /* Random hyperplanes split a generic image's bits roughly evenly. */
  g_assert_cmpuint (n_set, >, DM_IMAGE_KEY_BITS / 4);
  g_assert_cmpuint (n_set, <, DM_IMAGE_KEY_BITS * 3 / 4);
}

static void
test_deterministic (void)
{
  g_autoptr(DmImageKeyer) first_keyer = dm_image_keyer_new ();
  g_autoptr(DmImageKeyer) second_keyer = dm_image_keyer_new ();
  g_autofree guint8 *rgb = imagekey_scene_render (3, SCENE_WIDTH, SCENE_HEIGHT);
  int padded_stride = SCENE_WIDTH * 3 + 13;
  g_autofree guint8 *padded = g_new (guint8, (gsize) padded_stride * SCENE_HEIGHT);
  guint8 first[DM_IMAGE_KEY_BYTES], second[DM_IMAGE_KEY_BYTES], third[DM_IMAGE_KEY_BYTES];

  /* Row padding holds garbage the key must not read. */
  memset (padded, 0xa5, (gsize) padded_stride * SCENE_HEIGHT);
  for (int y = 0; y < SCENE_HEIGHT; y++)
    memcpy (padded + (gsize) y * padded_stride, rgb + (gsize) y * SCENE_WIDTH * 3, SCENE_WIDTH * 3);

  dm_image_keyer_compute (first_keyer, rgb, SCENE_WIDTH, SCENE_HEIGHT, SCENE_WIDTH * 3, first);
  dm_image_keyer_compute (second_keyer, rgb, SCENE_WIDTH, SCENE_HEIGHT, SCENE_WIDTH * 3, second);
  dm_image_keyer_compute (first_keyer, padded, SCENE_WIDTH, SCENE_HEIGHT, padded_stride, third);

  g_assert_cmpmem (first, sizeof first, second, sizeof second);
  g_assert_cmpmem (first, sizeof first, third, sizeof third);
}

typedef struct
{
  guint8 key[DM_IMAGE_KEY_BYTES];
} Key;

/* The key of each scene (first) and of its near-duplicates. */
static GArray *
scene_and_variant_keys (const DmImageKeyer *keyer,
                        guint32             seed)
{
  GArray *keys = g_array_new (FALSE, FALSE, sizeof (Key));
  g_autofree guint8 *original = imagekey_scene_render (seed, SCENE_WIDTH, SCENE_HEIGHT);
  g_autofree guint8 *half = imagekey_halve (original, SCENE_WIDTH, SCENE_HEIGHT);
  g_autofree guint8 *brighter = imagekey_brighten (original, SCENE_WIDTH, SCENE_HEIGHT, 1.1);
  g_autofree guint8 *darker = imagekey_brighten (original, SCENE_WIDTH, SCENE_HEIGHT, 0.9);
  g_autofree guint8 *cropped = NULL;
  int cropped_width, cropped_height;
  Key key;

  /* 5% off each border. */
  cropped = imagekey_crop_border (original, SCENE_WIDTH, SCENE_HEIGHT, 0.10,
                                  &cropped_width, &cropped_height);

  dm_image_keyer_compute (keyer, original, SCENE_WIDTH, SCENE_HEIGHT, SCENE_WIDTH * 3, key.key);
  g_array_append_val (keys, key);
  dm_image_keyer_compute (keyer, half, SCENE_WIDTH / 2, SCENE_HEIGHT / 2, SCENE_WIDTH / 2 * 3, key.key);
  g_array_append_val (keys, key);
  dm_image_keyer_compute (keyer, brighter, SCENE_WIDTH, SCENE_HEIGHT, SCENE_WIDTH * 3, key.key);
  g_array_append_val (keys, key);
  dm_image_keyer_compute (keyer, darker, SCENE_WIDTH, SCENE_HEIGHT, SCENE_WIDTH * 3, key.key);
  g_array_append_val (keys, key);
  dm_image_keyer_compute (keyer, cropped, cropped_width, cropped_height, cropped_width * 3, key.key);
  g_array_append_val (keys, key);

  return keys;
}

static void
test_variants_closer_than_other_images (void)
{
  g_autoptr(DmImageKeyer) keyer = dm_image_keyer_new ();
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  guint max_within = 0, min_across = G_MAXUINT;

  for (guint32 seed = 1; seed <= N_SCENES; seed++)
    g_ptr_array_add (groups, scene_and_variant_keys (keyer, seed));

  for (guint g = 0; g < groups->len; g++)
    {
      GArray *group = g_ptr_array_index (groups, g);

      for (guint a = 0; a < group->len; a++)
        {
          const guint8 *key = g_array_index (group, Key, a).key;

          for (guint b = a + 1; b < group->len; b++)
            max_within = MAX (max_within, dm_image_key_distance (key, g_array_index (group, Key, b).key));

          for (guint h = g + 1; h < groups->len; h++)
            {
              GArray *other = g_ptr_array_index (groups, h);

              for (guint b = 0; b < other->len; b++)
                min_across = MIN (min_across, dm_image_key_distance (key, g_array_index (other, Key, b).key));
            }
        }
    }

  g_test_message ("largest distance between variants of one image: %u bits; "
                  "smallest between different images: %u bits", max_within, min_across);
  g_assert_cmpuint (max_within, <, min_across);
}

/* The same layout in other colours is another image, not a variant. */
static void
test_recoloured_is_not_a_variant (void)
{
  g_autoptr(DmImageKeyer) keyer = dm_image_keyer_new ();
  gsize n = (gsize) SCENE_WIDTH * SCENE_HEIGHT * 3;

  for (guint32 seed = 1; seed <= N_SCENES; seed++)
    {
      g_autoptr(GArray) variants = scene_and_variant_keys (keyer, seed);
      g_autofree guint8 *original = imagekey_scene_render (seed, SCENE_WIDTH, SCENE_HEIGHT);
      g_autofree guint8 *swapped = g_new (guint8, n);
      guint8 swapped_key[DM_IMAGE_KEY_BYTES];
      guint max_within = 0;

      for (gsize i = 0; i < n; i += 3)
        {
          swapped[i] = original[i + 2];
          swapped[i + 1] = original[i];
          swapped[i + 2] = original[i + 1];
        }
      dm_image_keyer_compute (keyer, swapped, SCENE_WIDTH, SCENE_HEIGHT, SCENE_WIDTH * 3, swapped_key);

      for (guint v = 1; v < variants->len; v++)
        max_within = MAX (max_within, dm_image_key_distance (g_array_index (variants, Key, 0).key,
                                                             g_array_index (variants, Key, v).key));
      g_assert_cmpuint (dm_image_key_distance (g_array_index (variants, Key, 0).key, swapped_key),
                        >, max_within);
    }
}

/* Images smaller than the grid are upsampled by exact coverage, so a
 * uniform image has the same key at any size, and no luma structure. */
static void
test_small_and_uniform_images (void)
{
  g_autoptr(DmImageKeyer) keyer = dm_image_keyer_new ();
  const guint8 orange[3] = { 230, 120, 20 };
  const guint8 blue[3] = { 20, 60, 200 };
  guint8 tiny_orange[DM_IMAGE_KEY_BYTES], tiny_blue[DM_IMAGE_KEY_BYTES];
  guint8 large_orange[DM_IMAGE_KEY_BYTES];
  g_autofree guint8 *large = g_new (guint8, 45 * 37 * 3);

  for (gsize i = 0; i < 45 * 37; i++)
    memcpy (large + i * 3, orange, 3);

  dm_image_keyer_compute (keyer, orange, 1, 1, 3, tiny_orange);
  dm_image_keyer_compute (keyer, blue, 1, 1, 3, tiny_blue);
  dm_image_keyer_compute (keyer, large, 45, 37, 45 * 3, large_orange);

  g_assert_cmpuint (dm_image_key_distance (tiny_orange, large_orange), <=, 8);
  g_assert_cmpuint (dm_image_key_distance (tiny_orange, tiny_blue), >, 128);
}

/* Flat images differ by their tone alone: white and black, greys a
 * quarter of the range apart, and one hue at two brightnesses all get
 * clearly different keys. */
static void
test_flat_images_of_different_tones (void)
{
  g_autoptr(DmImageKeyer) keyer = dm_image_keyer_new ();
  const guint8 colours[][3] = {
    { 0, 0, 0 }, { 64, 64, 64 }, { 128, 128, 128 }, { 192, 192, 192 }, { 255, 255, 255 },
    { 255, 0, 0 }, { 128, 0, 0 },
  };
  guint8 keys[G_N_ELEMENTS (colours)][DM_IMAGE_KEY_BYTES];

  for (gsize c = 0; c < G_N_ELEMENTS (colours); c++)
    {
      g_autofree guint8 *flat = g_new (guint8, 5 * 5 * 3);

      for (gsize p = 0; p < 5 * 5; p++)
        memcpy (flat + p * 3, colours[c], 3);
      dm_image_keyer_compute (keyer, flat, 5, 5, 5 * 3, keys[c]);
    }

  /* White and black: about as far as two unrelated images. */
  g_assert_cmpuint (dm_image_key_distance (keys[0], keys[4]), >=, 192);
  for (gsize a = 0; a < G_N_ELEMENTS (colours); a++)
    for (gsize b = a + 1; b < G_N_ELEMENTS (colours); b++)
      {
        g_test_message ("flat %u,%u,%u vs %u,%u,%u: %u bits", colours[a][0], colours[a][1], colours[a][2],
                        colours[b][0], colours[b][1], colours[b][2], dm_image_key_distance (keys[a], keys[b]));
        g_assert_cmpuint (dm_image_key_distance (keys[a], keys[b]), >=, 32);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/image-key/pack-signs-msb-first", test_pack_signs_msb_first);
  g_test_add_func ("/image-key/key-is-signs-of-projections", test_key_is_signs_of_projections);
  g_test_add_func ("/image-key/deterministic", test_deterministic);
  g_test_add_func ("/image-key/variants-closer-than-other-images", test_variants_closer_than_other_images);
  g_test_add_func ("/image-key/recoloured-is-not-a-variant", test_recoloured_is_not_a_variant);
  g_test_add_func ("/image-key/small-and-uniform-images", test_small_and_uniform_images);
  g_test_add_func ("/image-key/flat-images-of-different-tones", test_flat_images_of_different_tones);

  return g_test_run ();
}
