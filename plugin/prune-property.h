/* prune-property.h: the transforms' properties, each stored in a field of
 * the instance, read and written by the same code for every transform.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Every transform property's flags: prune_property_install()'s setter
 * notifies on a change itself, which G_PARAM_EXPLICIT_NOTIFY requires. */
#define PRUNE_PARAM_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)

gboolean    prune_property_unchanged  (GObject      *object,
                                       GParamSpec   *pspec,
                                       const GValue *value);

void        prune_property_install    (GObjectClass *object_class,
                                       guint         n_props,
                                       GParamSpec  **pspecs,
                                       const gsize  *offsets);

GParamSpec *prune_property_new_threads (const char  *blurb);

G_END_DECLS
