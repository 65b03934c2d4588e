/* prune-property.h: change detection for G_PARAM_EXPLICIT_NOTIFY properties.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

gboolean prune_property_unchanged (GObject      *object,
                                   GParamSpec   *pspec,
                                   const GValue *value);

G_END_DECLS
