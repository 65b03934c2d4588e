/* dm-keys.h: packed binary hash keys.
 *
 * A key is B bits (512 for image keys, 1024 for image+text keys, any
 * multiple of 64 for other hashers' embeddings) packed the way
 * numpy.packbits does: byte i holds features 8i..8i+7, most significant
 * bit first. For 0/1 vectors the squared Euclidean distance is the Hamming
 * distance, which is what makes k-means on keys cheap.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Key sizes, in bytes: the core accepts any multiple of 8 up to
 * DM_KEYS_BYTES_MAX, so that a Hamming distance fits in 16 bits below the
 * k-means "no centre yet" mark. An image key is DM_IMAGE_KEY_BYTES
 * (dm-image-key.h), with its text key DM_TEXT_KEY_BYTES more. */
#define DM_KEYS_BYTES_MAX        8184

/**
 * dm_keys_check_size:
 * @key_bytes: bytes per key
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @key_bytes is a size the core handles (a multiple
 *   of 8 up to DM_KEYS_BYTES_MAX), else %FALSE with
 *   DM_CORE_ERROR_INVALID_ARGUMENT
 */
gboolean dm_keys_check_size (gsize key_bytes, GError **error);

/**
 * dm_keys_feature:
 * @key: a packed key
 * @feature: feature index, 0 .. 8 * key_bytes - 1, in packbits order
 *
 * Returns: the feature's value, 0 or 1
 */
static inline guint
dm_keys_feature (const guint8 *key, gsize feature)
{
  return (key[feature / 8] >> (7 - feature % 8)) & 1u;
}

/* The key makers' seeded stream (splitmix64): their random projections
 * depend on the seed alone, the same on every machine. */
static inline guint64
dm_keys_splitmix64_next (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/**
 * dm_keys_popcount:
 * @key: a packed key of @key_bytes bytes
 * @key_bytes: bytes per key
 *
 * Returns: the number of set bits: the squared norm of the 0/1 vector
 */
guint dm_keys_popcount (const guint8 *key, gsize key_bytes);

/**
 * dm_keys_hamming:
 * @a: a packed key
 * @b: another packed key of the same size
 * @key_bytes: bytes per key
 *
 * Returns: the Hamming distance, which equals the squared Euclidean
 *   distance of the unpacked 0/1 vectors
 */
guint dm_keys_hamming (const guint8 *a, const guint8 *b, gsize key_bytes);

/**
 * dm_keys_unpack:
 * @key: a packed key of @key_bytes bytes
 * @key_bytes: bytes per key
 * @features: (out caller-allocates): 8 * @key_bytes floats, 0 or 1
 *
 * Unpacks like numpy.unpackbits, for tests and reports.
 */
void dm_keys_unpack (const guint8 *key, gsize key_bytes, float *features);

G_END_DECLS
