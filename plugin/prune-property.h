/* prune-property.h: the transforms' properties, each stored in a field of
 * the instance, read and written through one table of field offsets.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

gboolean    prune_property_unchanged  (GObject      *object,
                                       GParamSpec   *pspec,
                                       const GValue *value);

void        prune_property_get        (GObject      *object,
                                       const gsize  *offsets,
                                       guint         n_props,
                                       guint         prop_id,
                                       GValue       *value,
                                       GParamSpec   *pspec);
void        prune_property_set        (GObject      *object,
                                       const gsize  *offsets,
                                       guint         n_props,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec);

GParamSpec *prune_property_new_threads (const char  *blurb);

G_END_DECLS
