/* dm-embedding-key.h: hash keys from any embedding model's vectors.
 *
 * Users have CLIP, DINOv2 or their own embeddings; the clustering methods
 * need packed binary keys whose Hamming distances follow the embeddings'
 * neighbourhoods. Each vector is centred by the mean vector of the whole
 * set (embeddings often share a large common component that would put
 * every pair at a small angle), then projected on
 * DM_EMBEDDING_KEY_BITS random hyperplanes through the origin, one bit per
 * hyperplane: the sign (Charikar's SimHash, 2002). Two vectors at angle θ
 * differ in each bit with probability θ / π, so the Hamming distance
 * estimates the angle between the centred vectors: cosine neighbourhoods
 * are kept. The hyperplanes' normals are Gaussian, drawn from a fixed seed,
 * so the same vectors always give the same keys. Keys are packed like
 * numpy.packbits (dm-keys.h), the layout of image keys.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "dm-core-error.h"

G_BEGIN_DECLS

/* The key width: that of image keys, so every clustering method runs on
 * them and Datumaro's cache stores them. */
#define DM_EMBEDDING_KEY_BITS 512
#define DM_EMBEDDING_KEY_BYTES (DM_EMBEDDING_KEY_BITS / 8)

/* Names the algorithm in a key cache's origin; bump when keys change. */
#define DM_EMBEDDING_KEY_VERSION "dm-embedding-key-1"

/**
 * dm_embedding_keys:
 * @vectors: @n_rows × @dim floats, row-major, all finite
 * @n_rows: number of vectors, at least 1
 * @dim: their dimension, at least 1
 * @keys: (out caller-allocates): @n_rows × DM_EMBEDDING_KEY_BYTES bytes
 * @error: return location for a #GError
 *
 * Returns: %TRUE, or %FALSE with DM_CORE_ERROR_INVALID_ARGUMENT when there
 *   are no vectors or a value is not finite (the message names its row and
 *   column)
 */
gboolean dm_embedding_keys (const float *vectors,
                            gsize        n_rows,
                            gsize        dim,
                            guint8      *keys,
                            GError     **error);

G_END_DECLS
