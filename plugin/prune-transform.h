/* prune-transform.h: the "prune" transform.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <dm.h>

G_BEGIN_DECLS

void prune_transform_register (GIOModule *module);

G_END_DECLS
