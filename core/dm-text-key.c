/* dm-text-key.c: the lexical SimHash text key of a label's prompts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-text-key.h"

#include <string.h>

#include "dm-keys.h"

/* The prompt templates of Datumaro's hashkey_util.py, per format name. */
static const char * const default_templates[] = {
  DM_TEXT_KEY_DEFAULT_TEMPLATE,
  NULL,
};

/* Datumaro keeps two identical lists for cifar10 and cifar100. */
static const char * const cifar_templates[] = {
  "a photo of a {}.",
  "a blurry photo of a {}.",
  "a black and white photo of a {}.",
  "a low contrast photo of a {}.",
  "a high contrast photo of a {}.",
  "a bad photo of a {}.",
  "a good photo of a {}.",
  "a photo of a small {}.",
  "a photo of a big {}.",
  "a photo of the {}.",
  "a blurry photo of the {}.",
  "a black and white photo of the {}.",
  "a low contrast photo of the {}.",
  "a high contrast photo of the {}.",
  "a bad photo of the {}.",
  "a good photo of the {}.",
  "a photo of the small {}.",
  "a photo of the big {}.",
  NULL,
};

static const char * const caltech101_templates[] = {
  "a photo of a {}.",
  "a painting of a {}.",
  "a plastic {}.",
  "a sculpture of a {}.",
  "a sketch of a {}.",
  "a tattoo of a {}.",
  "a toy {}.",
  "a rendition of a {}.",
  "a embroidered {}.",
  "a cartoon {}.",
  "a {} in a video game.",
  "a plushie {}.",
  "a origami {}.",
  "art of a {}.",
  "graffiti of a {}.",
  "a drawing of a {}.",
  "a doodle of a {}.",
  "a photo of the {}.",
  "a painting of the {}.",
  "the plastic {}.",
  "a sculpture of the {}.",
  "a sketch of the {}.",
  "a tattoo of the {}.",
  "the toy {}.",
  "a rendition of the {}.",
  "the embroidered {}.",
  "the cartoon {}.",
  "the {} in a video game.",
  "the plushie {}.",
  "the origami {}.",
  "art of the {}.",
  "graffiti of the {}.",
  "a drawing of the {}.",
  "a doodle of the {}.",
  NULL,
};

static const char * const eurosat_templates[] = {
  "a centered satellite photo of {}.",
  "a centered satellite photo of a {}.",
  "a centered satellite photo of the {}.",
  NULL,
};

static const char * const flowers101_templates[] = {
  "a photo of a {}, a type of flower.",
  NULL,
};

static const char * const food101_templates[] = {
  "a photo of {}, a type of food.",
  NULL,
};

static const char * const kitti_templates[] = {
  "{}",
  NULL,
};

static const char * const kinetics_templates[] = {
  "a photo of {}.",
  "a photo of a person {}.",
  "a photo of a person using {}.",
  "a photo of a person doing {}.",
  "a photo of a person during {}.",
  "a photo of a person performing {}.",
  "a photo of a person practicing {}.",
  "a video of {}.",
  "a video of a person {}.",
  "a video of a person using {}.",
  "a video of a person doing {}.",
  "a video of a person during {}.",
  "a video of a person performing {}.",
  "a video of a person practicing {}.",
  "a example of {}.",
  "a example of a person {}.",
  "a example of a person using {}.",
  "a example of a person doing {}.",
  "a example of a person during {}.",
  "a example of a person performing {}.",
  "a example of a person practicing {}.",
  "a demonstration of {}.",
  "a demonstration of a person {}.",
  "a demonstration of a person using {}.",
  "a demonstration of a person doing {}.",
  "a demonstration of a person during {}.",
  "a demonstration of a person performing {}.",
  "a demonstration of a person practicing {}.",
  NULL,
};

static const char * const mnist_templates[] = {
  "a photo of the number: \"{}\".",
  NULL,
};

static const struct {
  const char *format;
  const char * const *templates;
} format_templates[] = {
  { "cifar10", cifar_templates },
  { "cifar100", cifar_templates },
  { "caltech101", caltech101_templates },
  { "eurosat", eurosat_templates },
  { "flowers101", flowers101_templates },
  { "food101", food101_templates },
  { "kitti", kitti_templates },
  { "kinetics", kinetics_templates },
  { "mnist", mnist_templates },
};

/**
 * dm_text_key_templates_for_format:
 * @format: (nullable): a dataset format name, such as "datumaro" or "imagenet"
 *
 * The prompt templates Datumaro uses for @format, each with one "{}" where
 * the label name goes. Formats without a list of their own, "datumaro" and
 * "imagenet" among them, get the single %DM_TEXT_KEY_DEFAULT_TEMPLATE.
 *
 * Returns: (transfer none): a %NULL-terminated static list
 */
const char * const *
dm_text_key_templates_for_format (const char *format)
{
  if (format == NULL)
    return default_templates;

  for (gsize i = 0; i < G_N_ELEMENTS (format_templates); i++)
    if (g_str_equal (format, format_templates[i].format))
      return format_templates[i].templates;

  return default_templates;
}

static char *
normalize_label (const char *label_name)
{
  char *normalized = g_utf8_strdown (label_name, -1);

  g_strdelimit (normalized, "_", ' ');
  return normalized;
}

static char *
fill_template (const char *template, const char *label)
{
  g_auto(GStrv) parts = g_strsplit (template, "{}", -1);

  return g_strjoinv (label, parts);
}

/* FNV-1a, so a feature's signs depend on its bytes alone and never on the
 * process (g_str_hash would do too, but is not documented to be stable). */
static guint64
hash_feature (char kind, const char *bytes, gsize length)
{
  guint64 hash = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  hash = (hash ^ (guchar) kind) * G_GUINT64_CONSTANT (0x100000001b3);
  for (gsize i = 0; i < length; i++)
    hash = (hash ^ (guchar) bytes[i]) * G_GUINT64_CONSTANT (0x100000001b3);

  return hash;
}

static void
add_feature (gint32 sums[DM_TEXT_KEY_BITS], char kind, const char *bytes, gsize length)
{
  guint64 state = hash_feature (kind, bytes, length);

  for (guint word = 0; word < DM_TEXT_KEY_BITS / 64; word++)
    {
      guint64 signs = dm_keys_splitmix64_next (&state);

      for (guint bit = 0; bit < 64; bit++)
        sums[word * 64 + bit] += ((signs >> bit) & 1) ? 1 : -1;
    }
}

static void
add_prompt_features (gint32 sums[DM_TEXT_KEY_BITS], const char *prompt)
{
  g_autoptr(GArray) char_starts = g_array_new (FALSE, FALSE, sizeof (const char *));
  const char *word_start = NULL;
  const char *p;

  for (p = prompt; *p != '\0'; p = g_utf8_next_char (p))
    {
      gboolean in_word = g_unichar_isalnum (g_utf8_get_char (p));

      g_array_append_val (char_starts, p);

      if (in_word && word_start == NULL)
        word_start = p;
      else if (!in_word && word_start != NULL)
        {
          add_feature (sums, 'w', word_start, (gsize) (p - word_start));
          word_start = NULL;
        }
    }
  if (word_start != NULL)
    add_feature (sums, 'w', word_start, (gsize) (p - word_start));

  /* A sentinel start one past the last character ends the last 3-gram. */
  g_array_append_val (char_starts, p);
  for (guint i = 0; i + 3 < char_starts->len; i++)
    {
      const char *start = g_array_index (char_starts, const char *, i);
      const char *end = g_array_index (char_starts, const char *, i + 3);

      add_feature (sums, 'g', start, (gsize) (end - start));
    }
}

/**
 * dm_text_key_feature_sums:
 * @label_name: a label name, UTF-8
 * @templates: a %NULL-terminated list of prompt templates
 * @sums: (out caller-allocates): the summed feature signs, one per key bit
 *
 * The SimHash accumulator behind dm_text_key_compute(): for each bit, the
 * sum over every feature of every prompt of +1 or -1.
 */
void
dm_text_key_feature_sums (const char         *label_name,
                          const char * const *templates,
                          gint32              sums[DM_TEXT_KEY_BITS])
{
  g_autofree char *label = NULL;

  g_return_if_fail (label_name != NULL);
  g_return_if_fail (templates != NULL);

  memset (sums, 0, DM_TEXT_KEY_BITS * sizeof sums[0]);
  label = normalize_label (label_name);

  for (gsize t = 0; templates[t] != NULL; t++)
    {
      g_autofree char *prompt = fill_template (templates[t], label);

      add_prompt_features (sums, prompt);
    }
}

/**
 * dm_text_key_compute:
 * @label_name: a label name, UTF-8
 * @templates: a %NULL-terminated list of prompt templates, as from
 *   dm_text_key_templates_for_format()
 * @key: (out caller-allocates): the 512-bit key, packed MSB-first
 *
 * Computes the lexical text key of @label_name; see the file comment.
 */
void
dm_text_key_compute (const char         *label_name,
                     const char * const *templates,
                     guint8              key[DM_TEXT_KEY_BYTES])
{
  gint32 sums[DM_TEXT_KEY_BITS];

  g_return_if_fail (label_name != NULL);
  g_return_if_fail (templates != NULL);

  dm_text_key_feature_sums (label_name, templates, sums);

  memset (key, 0, DM_TEXT_KEY_BYTES);
  for (guint i = 0; i < DM_TEXT_KEY_BITS; i++)
    if (sums[i] > 0)
      key[i / 8] |= (guint8) (0x80u >> (i % 8));
}
