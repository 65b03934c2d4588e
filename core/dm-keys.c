/* dm-keys.c: packed binary hash keys.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-keys.h"

#include <string.h>


#include "dm-core-error.h"

gboolean
dm_keys_check_size (gsize key_bytes, GError **error)
{
  if (key_bytes > 0 && key_bytes % 8 == 0 && key_bytes <= DM_KEYS_BYTES_MAX)
    return TRUE;
  g_set_error (error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT,
               "hash keys of %" G_GSIZE_FORMAT " bytes are not supported "
               "(expected a multiple of 8 bytes, at most %d)", key_bytes,
               DM_KEYS_BYTES_MAX);
  return FALSE;
}

/* The Hamming distance of a and b (b NULL: the bits set in a), a 64-bit
 * word at a time, then any bytes left. On x86-64 a clone with
 * the POPCNT instruction is chosen at load time where the CPU has it:
 * without it each word's count is a dozen instructions, and dedup calls
 * this for every pair it compares. The clones are of a static function:
 * clang (14) links no other file's call to an exported function with
 * clones, GCC does. */
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute (target_clones)
__attribute__ ((target_clones ("popcnt", "default")))
#endif
#endif
static guint
hamming_words (const guint8 *a, const guint8 *b, gsize key_bytes)
{
  guint count = 0;
  gsize i = 0;

  for (; i + 8 <= key_bytes; i += 8)
    {
      guint64 x, y;

      memcpy (&x, a + i, 8);
      y = 0;
      if (b != NULL)
        memcpy (&y, b + i, 8);
      count += (guint) __builtin_popcountll (x ^ y);
    }
  for (; i < key_bytes; i++)
    count += (guint) __builtin_popcount ((guint) (a[i] ^ (b != NULL ? b[i] : 0)));
  return count;
}

guint
dm_keys_hamming (const guint8 *a, const guint8 *b, gsize key_bytes)
{
  return hamming_words (a, b, key_bytes);
}

guint
dm_keys_popcount (const guint8 *key, gsize key_bytes)
{
  return hamming_words (key, NULL, key_bytes);
}

void
dm_keys_unpack (const guint8 *key, gsize key_bytes, float *features)
{
  for (gsize f = 0; f < 8 * key_bytes; f++)
    features[f] = (float) dm_keys_feature (key, f);
}
