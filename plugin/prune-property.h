/* prune-property.h: the transforms' properties, each declared once in its
 * transform's table and stored in a field of the instance, read and
 * written by the same code for every transform.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * PruneProperty:
 * @name: the property's name
 * @nick: its nick, untranslated (marked with N_())
 * @blurb: what it does, untranslated (marked with N_())
 * @offset: the field that holds it, G_STRUCT_OFFSET() of the instance
 * @value_type: %G_TYPE_UINT, %G_TYPE_DOUBLE, %G_TYPE_BOOLEAN, %G_TYPE_STRING,
 *   or an enum type
 * @minimum: the smallest value, for %G_TYPE_UINT and %G_TYPE_DOUBLE
 * @maximum: the largest value, for %G_TYPE_UINT and %G_TYPE_DOUBLE
 * @default_value: the value of a new instance: a number, %TRUE or %FALSE,
 *   or an enum value; a string's is %NULL
 *
 * One row of a transform's property table. The field's C type follows
 * @value_type: guint, double, gboolean, an int-sized enum, or an owned
 * `char *`.
 */
typedef struct
{
  const char *name;
  const char *nick;
  const char *blurb;
  gsize       offset;
  GType       value_type;
  double      minimum;
  double      maximum;
  double      default_value;
} PruneProperty;

void          prune_property_install      (GObjectClass        *object_class,
                                           const PruneProperty *table,
                                           guint                n_properties);

void          prune_property_init_fields  (GObject             *object);

void          prune_property_clear_fields (GObject             *object);

gboolean      prune_property_is_default   (GObject             *object,
                                           const char          *name);

/* Whether the property @name is one prune_property_values() lists. */
typedef gboolean (*PrunePropertyIncludeFunc) (const char    *name,
                                              gconstpointer  user_data);

JsonObject   *prune_property_values       (GObject                 *object,
                                           PrunePropertyIncludeFunc include,
                                           gconstpointer            user_data);

PruneProperty prune_property_threads      (gsize                offset,
                                           const char          *blurb);

G_END_DECLS
