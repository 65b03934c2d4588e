/* prune-property.c: what the transforms' get_property and set_property
 * share. Each property lives in a field of the instance at an offset
 * given by the transform's table, indexed by property id; the field's C
 * type follows the property's value type (guint, double, gboolean, an
 * int-sized enum, or an owned char *).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gi18n-lib.h>

#include "prune-property.h"

/**
 * prune_property_unchanged:
 * @object: the object whose property is being set
 * @pspec: the property
 * @value: the value about to be set
 *
 * The properties are G_PARAM_EXPLICIT_NOTIFY: a setter stores and notifies
 * only when @value differs from the current value.
 *
 * Returns: %TRUE if @value equals the property's current value
 */
gboolean
prune_property_unchanged (GObject      *object,
                          GParamSpec   *pspec,
                          const GValue *value)
{
  g_auto(GValue) previous = G_VALUE_INIT;

  g_value_init (&previous, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_object_get_property (object, g_param_spec_get_name (pspec), &previous);
  return g_param_values_cmp (pspec, &previous, value) == 0;
}

/* The field that holds @prop_id, or NULL (with GObject's warning) for an
 * id the table does not know. */
static gpointer
property_field (GObject     *object,
                const gsize *offsets,
                guint        n_props,
                guint        prop_id,
                GParamSpec  *pspec)
{
  if (prop_id == 0 || prop_id >= n_props)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return NULL;
    }
  return G_STRUCT_MEMBER_P (object, offsets[prop_id]);
}

/**
 * prune_property_get:
 * @object: the transform
 * @offsets: (array length=n_props): each property's field offset in
 *   @object's instance struct, indexed by property id (index 0 unused)
 * @n_props: the number of entries of @offsets
 * @prop_id: the property's id
 * @value: where the value goes
 * @pspec: the property
 *
 * A get_property for properties stored in instance fields.
 */
void
prune_property_get (GObject     *object,
                    const gsize *offsets,
                    guint        n_props,
                    guint        prop_id,
                    GValue      *value,
                    GParamSpec  *pspec)
{
  gpointer field = property_field (object, offsets, n_props, prop_id, pspec);

  if (field == NULL)
    return;

  switch (G_TYPE_FUNDAMENTAL (G_PARAM_SPEC_VALUE_TYPE (pspec)))
    {
    case G_TYPE_UINT:
      g_value_set_uint (value, *(guint *) field);
      break;
    case G_TYPE_DOUBLE:
      g_value_set_double (value, *(double *) field);
      break;
    case G_TYPE_BOOLEAN:
      g_value_set_boolean (value, *(gboolean *) field);
      break;
    case G_TYPE_ENUM:
      g_value_set_enum (value, *(gint *) field);
      break;
    case G_TYPE_STRING:
      g_value_set_string (value, *(char **) field);
      break;
    default:
      g_assert_not_reached ();
    }
}

/**
 * prune_property_set:
 * @object: the transform
 * @offsets: (array length=n_props): as for prune_property_get()
 * @n_props: the number of entries of @offsets
 * @prop_id: the property's id
 * @value: the new value
 * @pspec: the property
 *
 * A set_property for properties stored in instance fields: stores @value
 * and notifies, unless it equals the current value (the properties are
 * G_PARAM_EXPLICIT_NOTIFY). A string field owns its copy.
 */
void
prune_property_set (GObject      *object,
                    const gsize  *offsets,
                    guint         n_props,
                    guint         prop_id,
                    const GValue *value,
                    GParamSpec   *pspec)
{
  gpointer field = property_field (object, offsets, n_props, prop_id, pspec);

  if (field == NULL || prune_property_unchanged (object, pspec, value))
    return;

  switch (G_TYPE_FUNDAMENTAL (G_PARAM_SPEC_VALUE_TYPE (pspec)))
    {
    case G_TYPE_UINT:
      *(guint *) field = g_value_get_uint (value);
      break;
    case G_TYPE_DOUBLE:
      *(double *) field = g_value_get_double (value);
      break;
    case G_TYPE_BOOLEAN:
      *(gboolean *) field = g_value_get_boolean (value);
      break;
    case G_TYPE_ENUM:
      *(gint *) field = g_value_get_enum (value);
      break;
    case G_TYPE_STRING:
      g_free (*(char **) field);
      *(char **) field = g_value_dup_string (value);
      break;
    default:
      g_assert_not_reached ();
    }

  g_object_notify_by_pspec (object, pspec);
}

/**
 * prune_property_new_threads:
 * @blurb: (not nullable): what the threads are used for, untranslated
 *   (marked with N_())
 *
 * The "threads" property both transforms have: how many threads work at
 * once, 0 meaning one per core; results never depend on it.
 *
 * Returns: (transfer floating): the property's #GParamSpec
 */
GParamSpec *
prune_property_new_threads (const char *blurb)
{
  return g_param_spec_uint ("threads", N_("Threads"), blurb,
                            0, 1024, 0,
                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}
