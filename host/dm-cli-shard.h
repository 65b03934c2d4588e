/* dm-cli-shard.h: `dm hash --shard` and `--merge`, hashing spread over
 * machines by the job runners users already have.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <dm.h>

G_BEGIN_DECLS

gboolean   dm_cli_shard_parse            (const char   *text,
                                          guint        *index,
                                          guint        *count);
guint      dm_cli_shard_of               (DmItem       *item,
                                          guint         count);
char      *dm_cli_shard_dataset_identity (DmDataset    *dataset);
DmDataset *dm_cli_shard_select           (DmDataset    *dataset,
                                          guint         index,
                                          guint         count);
gboolean   dm_cli_shard_write            (DmDataset    *keyed,
                                          const char   *path,
                                          const char   *identity,
                                          guint         index,
                                          guint         count,
                                          GError      **error);
gboolean   dm_cli_shard_is_complete      (DmDataset    *dataset,
                                          const char   *path,
                                          const char   *identity,
                                          guint         index,
                                          guint         count);
gboolean   dm_cli_shard_merge            (DmDataset    *dataset,
                                          char        **paths,
                                          GCancellable *cancellable,
                                          GError      **error);

G_END_DECLS
