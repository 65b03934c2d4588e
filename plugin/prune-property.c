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

/* Each installed property's field offset rides on its GParamSpec, so one
 * get_property and one set_property serve every transform. */
static GQuark
field_offset_quark (void)
{
  return g_quark_from_static_string ("prune-property-field-offset");
}

/* The field that holds @pspec's value, or NULL (with GObject's warning)
 * for a property not installed by prune_property_install(). Offset 0 is
 * the parent instance, never a property field. */
static gpointer
property_field (GObject    *object,
                guint       prop_id,
                GParamSpec *pspec)
{
  gsize offset = GPOINTER_TO_SIZE (g_param_spec_get_qdata (pspec, field_offset_quark ()));

  if (offset == 0)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return NULL;
    }
  return G_STRUCT_MEMBER_P (object, offset);
}

static void
property_get (GObject    *object,
              guint       prop_id,
              GValue     *value,
              GParamSpec *pspec)
{
  gpointer field = property_field (object, prop_id, pspec);

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

/* Stores @value and notifies, unless it equals the current value (the
 * properties are G_PARAM_EXPLICIT_NOTIFY). A string field owns its copy. */
static void
property_set (GObject      *object,
              guint         prop_id,
              const GValue *value,
              GParamSpec   *pspec)
{
  gpointer field = property_field (object, prop_id, pspec);

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
 * prune_property_install:
 * @object_class: a transform's class
 * @n_props: the number of entries of @pspecs and @offsets
 * @pspecs: (array length=n_props): the properties, indexed by property id
 *   (index 0 unused), as for g_object_class_install_properties()
 * @offsets: (array length=n_props): each property's field offset in the
 *   instance struct (G_STRUCT_OFFSET()), indexed like @pspecs
 *
 * Installs the properties and makes @object_class's get_property and
 * set_property read and write the fields. A field's C type follows its
 * property's value type: guint, double, gboolean, an int-sized enum, or an
 * owned `char *` (the class's finalize frees it).
 */
void
prune_property_install (GObjectClass *object_class,
                        guint         n_props,
                        GParamSpec  **pspecs,
                        const gsize  *offsets)
{
  for (guint i = 1; i < n_props; i++)
    g_param_spec_set_qdata (pspecs[i], field_offset_quark (), GSIZE_TO_POINTER (offsets[i]));

  object_class->get_property = property_get;
  object_class->set_property = property_set;
  g_object_class_install_properties (object_class, n_props, pspecs);
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
                            PRUNE_PARAM_FLAGS);
}
