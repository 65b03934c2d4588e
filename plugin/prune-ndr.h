/* prune-ndr.h: prune's "ndr" method, near-duplicate removal per subset.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <dm.h>

#include "dm-ndr.h"

G_BEGIN_DECLS

gboolean prune_ndr_select (DmDataset          *dataset,
                           const DmNdrParams  *params,
                           double              ratio,
                           guint32             seed,
                           DmTransform        *reporter,
                           GCancellable       *cancellable,
                           GArray            **kept_out,
                           GError            **error);

G_END_DECLS
