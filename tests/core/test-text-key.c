/* test-text-key.c: the lexical text key of the txt hash type.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "dm-text-key.h"

static guint
hamming_distance (const guint8 *a, const guint8 *b)
{
  guint distance = 0;

  for (guint i = 0; i < DM_TEXT_KEY_BYTES; i++)
    distance += (guint) __builtin_popcount ((unsigned) (a[i] ^ b[i]));

  return distance;
}

static gboolean
key_bit (const guint8 *key, guint i)
{
  return (key[i / 8] >> (7 - i % 8)) & 1;
}

static void
test_deterministic (void)
{
  const char * const *templates = dm_text_key_templates_for_format ("cifar10");
  guint8 first[DM_TEXT_KEY_BYTES];
  guint8 second[DM_TEXT_KEY_BYTES];

  dm_text_key_compute ("tabby_cat", templates, first);
  dm_text_key_compute ("tabby_cat", templates, second);
  g_assert_cmpmem (first, sizeof first, second, sizeof second);
}

static void
test_same_label_same_key (void)
{
  const char * const *templates = dm_text_key_templates_for_format ("imagenet");
  guint8 underscored[DM_TEXT_KEY_BYTES];
  guint8 spaced[DM_TEXT_KEY_BYTES];
  guint8 other[DM_TEXT_KEY_BYTES];

  /* Case and underscores are normalised away before hashing. */
  dm_text_key_compute ("Tabby_Cat", templates, underscored);
  dm_text_key_compute ("tabby cat", templates, spaced);
  g_assert_cmpmem (underscored, sizeof underscored, spaced, sizeof spaced);

  dm_text_key_compute ("tabby dog", templates, other);
  g_assert_cmpuint (hamming_distance (underscored, other), >, 0);
}

static void
test_similar_names_nearer (void)
{
  const char *format_names[] = { "datumaro", "cifar10", "caltech101" };

  for (gsize f = 0; f < G_N_ELEMENTS (format_names); f++)
    {
      const char * const *templates = dm_text_key_templates_for_format (format_names[f]);
      guint8 tabby[DM_TEXT_KEY_BYTES];
      guint8 tiger[DM_TEXT_KEY_BYTES];
      guint8 airplane[DM_TEXT_KEY_BYTES];
      guint8 volcano[DM_TEXT_KEY_BYTES];
      guint near;

      dm_text_key_compute ("tabby_cat", templates, tabby);
      dm_text_key_compute ("tiger_cat", templates, tiger);
      dm_text_key_compute ("airplane", templates, airplane);
      dm_text_key_compute ("volcano", templates, volcano);

      near = hamming_distance (tabby, tiger);
      g_test_message ("%s: tabby/tiger %u, tabby/airplane %u, tiger/volcano %u",
                      format_names[f], near, hamming_distance (tabby, airplane),
                      hamming_distance (tiger, volcano));
      g_assert_cmpuint (near, <, hamming_distance (tabby, airplane));
      g_assert_cmpuint (near, <, hamming_distance (tabby, volcano));
      g_assert_cmpuint (near, <, hamming_distance (tiger, airplane));
      g_assert_cmpuint (near, <, hamming_distance (tiger, volcano));
    }
}

static void
test_bit_layout (void)
{
  const char * const *templates = dm_text_key_templates_for_format (NULL);
  gint32 sums[DM_TEXT_KEY_BITS];
  guint8 key[DM_TEXT_KEY_BYTES];
  guint n_set = 0;

  dm_text_key_feature_sums ("zebra", templates, sums);
  dm_text_key_compute ("zebra", templates, key);

  /* Bit i is the sign of sum i, packed MSB-first like numpy.packbits. */
  for (guint i = 0; i < DM_TEXT_KEY_BITS; i++)
    {
      g_assert_cmpint (key_bit (key, i), ==, sums[i] > 0);
      n_set += key_bit (key, i);
    }

  /* A SimHash of random signs sets roughly half the bits. */
  g_assert_cmpuint (n_set, >, DM_TEXT_KEY_BITS / 4);
  g_assert_cmpuint (n_set, <, 3 * DM_TEXT_KEY_BITS / 4);
}

static void
test_templates_accumulate (void)
{
  const char * const *templates = dm_text_key_templates_for_format ("cifar100");
  gint32 total[DM_TEXT_KEY_BITS] = { 0 };
  gint32 all_at_once[DM_TEXT_KEY_BITS];
  gsize n_templates = g_strv_length ((char **) templates);

  g_assert_cmpuint (n_templates, ==, 18);

  for (gsize t = 0; t < n_templates; t++)
    {
      const char * const single[] = { templates[t], NULL };
      gint32 sums[DM_TEXT_KEY_BITS];

      dm_text_key_feature_sums ("maple_tree", single, sums);
      for (guint i = 0; i < DM_TEXT_KEY_BITS; i++)
        total[i] += sums[i];
    }

  dm_text_key_feature_sums ("maple_tree", templates, all_at_once);
  g_assert_cmpmem (total, sizeof total, all_at_once, sizeof all_at_once);
}

static void
test_default_template (void)
{
  const char * const explicit_default[] = { "a photo of a {}.", NULL };
  const char * const *fallback_formats[] = {
    dm_text_key_templates_for_format ("datumaro"),
    dm_text_key_templates_for_format ("imagenet"),
    dm_text_key_templates_for_format ("no-such-format"),
    dm_text_key_templates_for_format (NULL),
  };
  guint8 expected[DM_TEXT_KEY_BYTES];
  guint8 other_prompt[DM_TEXT_KEY_BYTES];

  dm_text_key_compute ("goldfish", explicit_default, expected);

  for (gsize f = 0; f < G_N_ELEMENTS (fallback_formats); f++)
    {
      const char * const *templates = fallback_formats[f];
      guint8 key[DM_TEXT_KEY_BYTES];

      g_assert_cmpuint (g_strv_length ((char **) templates), ==, 1);
      g_assert_cmpstr (templates[0], ==, DM_TEXT_KEY_DEFAULT_TEMPLATE);
      dm_text_key_compute ("goldfish", templates, key);
      g_assert_cmpmem (key, sizeof key, expected, sizeof expected);
    }

  /* The template text itself is part of the key. */
  dm_text_key_compute ("goldfish", dm_text_key_templates_for_format ("mnist"), other_prompt);
  g_assert_cmpuint (hamming_distance (expected, other_prompt), >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/text-key/deterministic", test_deterministic);
  g_test_add_func ("/text-key/same-label-same-key", test_same_label_same_key);
  g_test_add_func ("/text-key/similar-names-nearer", test_similar_names_nearer);
  g_test_add_func ("/text-key/bit-layout", test_bit_layout);
  g_test_add_func ("/text-key/templates-accumulate", test_templates_accumulate);
  g_test_add_func ("/text-key/default-template", test_default_template);

  return g_test_run ();
}
