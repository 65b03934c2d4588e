/* prune-transform.h: the "prune" transform.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <dm.h>

G_BEGIN_DECLS

#define PRUNE_TYPE_TRANSFORM (prune_transform_get_type ())
G_DECLARE_FINAL_TYPE (PruneTransform, prune_transform, PRUNE, TRANSFORM, DmTransform)

void prune_transform_register (GIOModule *module);

G_END_DECLS
