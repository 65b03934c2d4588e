/* dm-text-key.h: the text half of the "txt" hash type, a key per label prompt.
 *
 * Datumaro's `--hash-type txt` appends to each item's 512-bit image key the
 * 512-bit CLIP text key of its label's prompts. We have no CLIP model, so
 * ours is a deterministic LEXICAL key, not a semantic one: a SimHash over
 * the character 3-grams and the whole words of each prompt. Label names
 * that share spelling ("tabby_cat", "tiger_cat") get nearer keys than
 * unrelated ones; synonyms with different spelling ("car", "automobile")
 * do not, as they would with CLIP.
 *
 * The key is computed as follows. The label name is lowercased and its
 * underscores become spaces; it replaces "{}" in each of the format's prompt
 * templates. Every feature of every prompt (each window of 3 characters, and
 * each maximal run of letters and digits) is hashed to 512 pseudo-random
 * signs; the signs are summed over all the features of all the templates,
 * and bit i of the key is set when sum i is positive. Bits are packed
 * MSB-first like numpy.packbits: bit i is (key[i / 8] >> (7 - i % 8)) & 1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DM_TEXT_KEY_BITS  512
#define DM_TEXT_KEY_BYTES (DM_TEXT_KEY_BITS / 8)

/* Datumaro's prompt when a format has no list of its own ("datumaro" and
 * "imagenet" have none in Datumaro's hashkey_util.py). */
#define DM_TEXT_KEY_DEFAULT_TEMPLATE "a photo of a {}."

const char * const *dm_text_key_templates_for_format (const char *format);

void dm_text_key_feature_sums (const char         *label_name,
                               const char * const *templates,
                               gint32              sums[DM_TEXT_KEY_BITS]);

void dm_text_key_compute      (const char         *label_name,
                               const char * const *templates,
                               guint8              key[DM_TEXT_KEY_BYTES]);

G_END_DECLS
