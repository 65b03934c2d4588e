/* prune-ndr.h: prune's "ndr" method, near-duplicate removal per subset.
 *
 * prune_ndr_select() runs NDR (dm-ndr.h) on each subset alone and keeps
 * ceil(subset size x ratio) items of each, ratio being the fraction KEPT,
 * as for the other prune methods. Datumaro's prune instead passes
 * ceil(subset size x (1 - ratio)) to NDR as its num_cut, so its "ndr" keeps
 * the complement of what its other methods keep; we do not copy that.
 * Images are decoded with GdkPixbuf on n_threads threads (0: one per
 * core), turned upright by their EXIF orientation, alpha composited over
 * black.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <dm.h>

#include "dm-ndr.h"

G_BEGIN_DECLS

/* Where prune_ndr_select()'s time went, in wall-clock seconds. */
typedef struct {
  double features;   /* decoding the images into features */
  double selecting;  /* choosing among them */
} PruneNdrSeconds;

/* What prune_ndr_select() works on and how; see there. */
typedef struct {
  DmDataset         *dataset;
  const DmNdrParams *params;
  double             ratio;
  guint32            seed;
  guint              n_threads;  /* decoding at once; 0: one per core */
  DmTransform       *reporter;   /* nullable */
  GPtrArray         *broken;     /* nullable, element-type PruneBrokenItem */
  PruneNdrSeconds   *seconds;    /* nullable: out */
} PruneNdrRequest;

void     prune_ndr_add_phase (DmTransformClass *klass);

gboolean prune_ndr_select (const PruneNdrRequest *request,
                           GCancellable          *cancellable,
                           GArray               **kept_out,
                           GError               **error);

G_END_DECLS
