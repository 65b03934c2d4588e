/* dm-hash-shard.h: the hash-key cache in shards: `dm hash --shard` and `--merge`, hashing spread over
 * machines by the job runners users already have.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (DM_INSIDE) && !defined (DM_COMPILATION)
#error "Only <dm.h> can be included directly."
#endif

#include "dm-version-macros.h"
#include "dm-dataset.h"

G_BEGIN_DECLS

DM_AVAILABLE_IN_ALL
gboolean   dm_hash_shard_parse            (const char   *text,
                                          guint        *index,
                                          guint        *count);
DM_AVAILABLE_IN_ALL
guint      dm_hash_shard_of               (DmItem       *item,
                                          guint         count);
DM_AVAILABLE_IN_ALL
char      *dm_hash_shard_dataset_identity (DmDataset    *dataset);
DM_AVAILABLE_IN_ALL
DmDataset *dm_hash_shard_select           (DmDataset    *dataset,
                                          guint         index,
                                          guint         count);
DM_AVAILABLE_IN_ALL
gboolean   dm_hash_shard_write            (DmDataset    *keyed,
                                          const char   *path,
                                          const char   *identity,
                                          guint         index,
                                          guint         count,
                                          GError      **error);
DM_AVAILABLE_IN_ALL
gboolean   dm_hash_shard_is_complete      (DmDataset    *dataset,
                                          const char   *path,
                                          const char   *identity,
                                          guint         index,
                                          guint         count);
DM_AVAILABLE_IN_ALL
gboolean   dm_hash_shard_merge            (DmDataset    *dataset,
                                          char        **paths,
                                          GCancellable *cancellable,
                                          GError      **error);

G_END_DECLS
