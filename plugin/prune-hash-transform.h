/* prune-hash-transform.h: the "hash" transform, every item given an image key.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <dm.h>

G_BEGIN_DECLS

void prune_hash_transform_register (GIOModule *module);

G_END_DECLS
