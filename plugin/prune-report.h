/* prune-report.h: what the prune transform reports of a run.
 *
 * The report is the JSON object dm_transform_get_report() returns and
 * `dm prune --report` writes. Every method's report has these members:
 *
 *   method, ratio, seed
 *   parameters: {name: value}      every parameter the method uses (and
 *                                  only those), under its property's
 *                                  name, as set: numbers, booleans, enum
 *                                  nicks ({"method": "dedup", "ratio":
 *                                  0.1, "hash-type": "img", "seed": 0,
 *                                  "clusters": 3, "threads": 0,
 *                                  "skip-broken": false, "dedup-threshold":
 *                                  0.2, "stratify": true}); the ones it
 *                                  does not use are refused unless at
 *                                  their default
 *   items, kept                    totals over the input, skipped items included
 *   subsets: {name: {items, kept}}
 *   seconds: {total, selecting}    the transform's wall-clock time, and its
 *                                  choosing (random: all of it)
 *   kept_items: [{subset, id}]     in input order (a per-item member)
 * and the clustering methods (all but random and ndr) these as well:
 *   images_decoded                 keys computed from images in this run
 *                                  (an image that could not be decoded,
 *                                  skipped, is not counted)
 *   inertia, iterations, simd      of the k-means run
 *   seconds: {keys, seeding, lloyd}
 *   clusters: [{size, quota}]      quota = items kept from the cluster
 *   kept_items: [{cluster, distance}]  each kept item's cluster, and its
 *                                  squared distance to the cluster's centre
 *   cluster_of_item: [c, ...]      every input item's cluster, -1 if
 *                                  skipped (a per-item member)
 *   duplicates                     dedup alone: items within the threshold
 *                                  of a kept one
 *   filtered_out                   herding alone: items its label filter
 *                                  left out (0 with herding-max-disagreement
 *                                  at 1: no filter)
 *   prototype_side                 prototype alone: the side kept (easy
 *                                  or hard: what prototype-keep=auto chose)
 * and ndr this:
 *   seconds: {features}            decoding the images into NDR's features
 * and with skip-broken set:
 *   skipped: [{subset, id, reason}]
 *
 * The per-item members are left out of the tree when the host turned
 * them off (dm_transform_set_report_per_item(); `dm` does), and written
 * after the rest by prune_report_write(). clusters, cluster_of_item and
 * skipped are the host's contract (DM_TRANSFORM_REPORT_* in dm-transform.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <dm.h>

#include "dm-cluster-select.h"

G_BEGIN_DECLS

/* What the per-item members are made from: the kept items, by their
 * positions in the dataset the method chose from (the input less the
 * skipped items), and the clustering methods' selection. */
typedef struct
{
  DmDataset      *chosen_from;
  GArray         *kept;        /* of guint, ascending; NULL with @selection */
  DmSelectResult *selection;   /* NULL for random and ndr */
  GPtrArray      *broken;      /* nullable: the skipped items, in input order */
} PruneReportItems;

PruneReportItems *prune_report_items_new  (DmDataset            *chosen_from,
                                           GArray               *kept,
                                           DmSelectResult       *selection,
                                           GPtrArray            *broken);
void      prune_report_items_free   (PruneReportItems     *items);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PruneReportItems, prune_report_items_free)

JsonNode *prune_report_new          (const char           *method,
                                     double                ratio,
                                     guint                 seed,
                                     JsonObject           *parameters,
                                     DmDataset            *input,
                                     DmDataset            *output);

void      prune_report_set_seconds  (JsonNode             *report,
                                     const char           *phase,
                                     double                seconds);

void      prune_report_add_clusters (JsonNode             *report,
                                     const DmSelectResult *selection,
                                     double                seconds_keys,
                                     guint                 n_decoded);

void      prune_report_add_items    (JsonNode               *report,
                                     const PruneReportItems *items);

gboolean  prune_report_write        (GBytes                 *head,
                                     const PruneReportItems *items,
                                     GOutputStream          *stream,
                                     GCancellable           *cancellable,
                                     GError                **error);

void      prune_report_add_prototype_side (JsonNode        *report,
                                           DmPrototypeKeep  side);

void      prune_report_add_skipped  (JsonNode             *report,
                                     DmDataset            *input,
                                     GPtrArray            *broken);

G_END_DECLS
