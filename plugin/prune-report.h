/* prune-report.h: what the prune transform reports of a run.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <dm.h>

#include "dm-cluster-select.h"

G_BEGIN_DECLS

JsonNode *prune_report_new          (const char           *method,
                                     double                ratio,
                                     const char           *hash_type,
                                     guint                 seed,
                                     DmDataset            *input,
                                     DmDataset            *output);

void      prune_report_add_clusters (JsonNode             *report,
                                     DmDataset            *clustered,
                                     const DmSelectResult *selection,
                                     GPtrArray            *broken,
                                     double                seconds_keys,
                                     guint                 n_decoded,
                                     gboolean              per_item);

gboolean  prune_report_write        (JsonNode              *report,
                                     DmDataset             *clustered,
                                     const DmSelectResult  *selection,
                                     GPtrArray             *broken,
                                     GOutputStream         *stream,
                                     GCancellable          *cancellable,
                                     GError               **error);

void      prune_report_add_prototype_side (JsonNode        *report,
                                           DmPrototypeKeep  keep,
                                           double           ratio);

void      prune_report_add_skipped  (JsonNode             *report,
                                     DmDataset            *input,
                                     GPtrArray            *broken);

G_END_DECLS
