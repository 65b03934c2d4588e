/* prune-enums.h: the choices of the prune transform's parameters.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

#include "dm-cluster-select.h"

G_BEGIN_DECLS

/* How prune chooses the items it keeps (Datumaro's cluster_method). */
typedef enum {
  PRUNE_METHOD_RANDOM,
  PRUNE_METHOD_CLUSTER_RANDOM,
  PRUNE_METHOD_CENTROID,
  PRUNE_METHOD_QUERY_CLUST,
  PRUNE_METHOD_ENTROPY,
  PRUNE_METHOD_NDR,
  PRUNE_METHOD_PROTOTYPE,
  PRUNE_METHOD_DEDUP,
  PRUNE_METHOD_HERDING,
} PruneMethod;

/* What the clustering methods cluster: image keys alone, or image keys
 * followed by a key of the label's text (Datumaro's hash_type). */
typedef enum {
  PRUNE_HASH_TYPE_IMG,
  PRUNE_HASH_TYPE_TXT,
} PruneHashType;

#define PRUNE_TYPE_NDR_OVERSAMPLE (prune_ndr_oversample_get_type ())
#define PRUNE_TYPE_NDR_UNDERSAMPLE (prune_ndr_undersample_get_type ())
#define PRUNE_TYPE_METHOD (prune_method_get_type ())
#define PRUNE_TYPE_HASH_TYPE (prune_hash_type_get_type ())
#define PRUNE_TYPE_PROTOTYPE_KEEP (prune_prototype_keep_get_type ())

GType prune_method_get_type (void);
GType prune_hash_type_get_type (void);
GType prune_ndr_oversample_get_type (void);
GType prune_ndr_undersample_get_type (void);
GType prune_prototype_keep_get_type (void);

void      prune_enums_register          (GTypeModule    *module);

gboolean  prune_method_from_nick        (const char     *nick,
                                         PruneMethod    *method);
gboolean  prune_method_to_select_method (PruneMethod     method,
                                         DmSelectMethod *select_method);

G_END_DECLS
