/* prune-embeddings.h: hash keys from a user's embeddings (.npy + ids).
 *
 * The embeddings are an N × D float32 or float16 .npy file (prune-npy.h);
 * the ids a text file of N lines, line r naming the item of row r as
 * `subset/id` (the subset ends at the first slash). Every line must name
 * an item of the dataset, no item twice, and every item must be named.
 * The keys are dm-embedding-key.h's: cosine neighbourhoods of the centred
 * vectors, 512 bits.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <dm.h>

G_BEGIN_DECLS

/**
 * prune_embeddings_keys:
 * @dataset: the dataset whose items the ids name
 * @npy_path: the embeddings
 * @ids_path: the ids, one per row
 * @error: return location for a #GError (DM_ERROR)
 *
 * Returns: (transfer full): every item's key in dataset order,
 *   DM_EMBEDDING_KEY_BYTES each, or %NULL with @error set: a one-line
 *   message naming the file at fault
 */
GBytes *prune_embeddings_keys (DmDataset   *dataset,
                               const char  *npy_path,
                               const char  *ids_path,
                               GError     **error);

/**
 * prune_embeddings_origin:
 * @npy_path: the embeddings file
 *
 * Returns: (transfer full): the keys' origin for the cache:
 *   DM_EMBEDDING_KEY_VERSION, a colon and the file's base name
 */
char *prune_embeddings_origin (const char *npy_path);

G_END_DECLS
