/* prune-property.c: what the transforms' properties share. Each transform
 * declares its properties once, in a table of PruneProperty rows; from it
 * come the GParamSpecs, every new instance's field values, and the one
 * get_property and set_property that serve every transform. The field of
 * each property lives at an offset in the instance, which rides on its
 * GParamSpec.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>

#include <glib/gi18n-lib.h>

#include "prune-property.h"

/* prune_property_install()'s setter notifies on a change itself, which
 * G_PARAM_EXPLICIT_NOTIFY requires. */
#define PRUNE_PARAM_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)

static GQuark
field_offset_quark (void)
{
  return g_quark_from_static_string ("prune-property-field-offset");
}

static GQuark
table_row_quark (void)
{
  return g_quark_from_static_string ("prune-property-table-row");
}

/* The offset of the field that holds @pspec's value; 0 (the parent
 * instance, never a property field) for a property not installed by
 * prune_property_install(). */
static gsize
field_offset (GParamSpec *pspec)
{
  return GPOINTER_TO_SIZE (g_param_spec_get_qdata (pspec, field_offset_quark ()));
}

/* The field that holds @pspec's value, or NULL (with GObject's warning)
 * for a property not installed by prune_property_install(). */
static gpointer
property_field (GObject    *object,
                guint       prop_id,
                GParamSpec *pspec)
{
  gsize offset = field_offset (pspec);

  if (offset == 0)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return NULL;
    }
  return G_STRUCT_MEMBER_P (object, offset);
}

/* Writes @value into @field, the field of @pspec; a string field owns its
 * copy. */
static void
field_store (gpointer      field,
             GParamSpec   *pspec,
             const GValue *value)
{
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

/* The properties are G_PARAM_EXPLICIT_NOTIFY: a setter stores and
 * notifies only when @value differs from the current value. */
static gboolean
property_unchanged (GObject      *object,
                    GParamSpec   *pspec,
                    const GValue *value)
{
  g_auto(GValue) previous = G_VALUE_INIT;

  g_value_init (&previous, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_object_get_property (object, g_param_spec_get_name (pspec), &previous);
  return g_param_values_cmp (pspec, &previous, value) == 0;
}

static void
property_set (GObject      *object,
              guint         prop_id,
              const GValue *value,
              GParamSpec   *pspec)
{
  gpointer field = property_field (object, prop_id, pspec);

  if (field == NULL)
    return;
  if (property_unchanged (object, pspec, value))
    return;

  field_store (field, pspec, value);
  g_object_notify_by_pspec (object, pspec);
}

/* @row's GParamSpec; its nick and blurb are static strings, translated
 * by the host with the transform's domain. */
static GParamSpec *
param_spec_new (const PruneProperty *row)
{
  switch (G_TYPE_FUNDAMENTAL (row->value_type))
    {
    case G_TYPE_UINT:
      return g_param_spec_uint (row->name, row->nick, row->blurb,
                                (guint) row->minimum, (guint) row->maximum, (guint) row->default_value,
                                PRUNE_PARAM_FLAGS);
    case G_TYPE_DOUBLE:
      return g_param_spec_double (row->name, row->nick, row->blurb,
                                  row->minimum, row->maximum, row->default_value,
                                  PRUNE_PARAM_FLAGS);
    case G_TYPE_BOOLEAN:
      return g_param_spec_boolean (row->name, row->nick, row->blurb,
                                   row->default_value != 0.0,
                                   PRUNE_PARAM_FLAGS);
    case G_TYPE_ENUM:
      return g_param_spec_enum (row->name, row->nick, row->blurb,
                                row->value_type, (gint) row->default_value,
                                PRUNE_PARAM_FLAGS);
    case G_TYPE_STRING:
      return g_param_spec_string (row->name, row->nick, row->blurb, NULL,
                                  PRUNE_PARAM_FLAGS);
    default:
      g_assert_not_reached ();
    }
}

/**
 * prune_property_install:
 * @object_class: a transform's class
 * @table: (array length=n_properties): the transform's properties, in
 *   the order they are listed
 * @n_properties: the number of rows of @table
 *
 * Installs the properties of @table, with property ids from 1 in table
 * order, and makes @object_class's get_property and set_property read and
 * write their fields. The transform's instance_init calls
 * prune_property_init_fields(), its finalize
 * prune_property_clear_fields().
 */
void
prune_property_install (GObjectClass        *object_class,
                        const PruneProperty *table,
                        guint                n_properties)
{
  object_class->get_property = property_get;
  object_class->set_property = property_set;

  for (guint i = 0; i < n_properties; i++)
    {
      GParamSpec *pspec = param_spec_new (&table[i]);

      g_param_spec_set_qdata (pspec, field_offset_quark (), GSIZE_TO_POINTER (table[i].offset));
      g_param_spec_set_qdata (pspec, table_row_quark (), GUINT_TO_POINTER (i + 1));
      g_object_class_install_property (object_class, i + 1, pspec);
    }
}

/* Calls @func on the field of each of @object's properties that
 * prune_property_install() installed. */
static void
foreach_field (GObject  *object,
               void    (*func) (gpointer field, GParamSpec *pspec))
{
  guint n_pspecs;
  g_autofree GParamSpec **pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (object), &n_pspecs);

  for (guint i = 0; i < n_pspecs; i++)
    if (field_offset (pspecs[i]) != 0)
      func (G_STRUCT_MEMBER_P (object, field_offset (pspecs[i])), pspecs[i]);
}

static void
field_store_default (gpointer    field,
                     GParamSpec *pspec)
{
  field_store (field, pspec, g_param_spec_get_default_value (pspec));
}

static void
field_clear (gpointer    field,
             GParamSpec *pspec)
{
  if (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_STRING)
    g_clear_pointer ((char **) field, g_free);
}

/**
 * prune_property_init_fields:
 * @object: a new transform, in its instance_init
 *
 * Sets every property field of @object to its property's default value,
 * without notifying.
 */
void
prune_property_init_fields (GObject *object)
{
  foreach_field (object, field_store_default);
}

/**
 * prune_property_clear_fields:
 * @object: a transform, in its finalize
 *
 * Frees the property fields that own memory (the strings).
 */
void
prune_property_clear_fields (GObject *object)
{
  foreach_field (object, field_clear);
}

/**
 * prune_property_is_default:
 * @object: a transform
 * @name: the name of one of its properties
 *
 * Whether @name holds its GParamSpec's default value: a parameter a
 * method does not use is refused only when it holds another, so that
 * setting it back to its default (a dialog whose user changed the method)
 * takes it back.
 *
 * Returns: %TRUE when the property holds its default
 */
gboolean
prune_property_is_default (GObject    *object,
                           const char *name)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
  g_auto(GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (pspec != NULL, FALSE);
  g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_object_get_property (object, name, &value);
  return g_param_value_defaults (pspec, &value);
}

/* @pspec's value in @object as a JSON node: a number, a boolean, an
 * enum's nick, a string or null. */
static JsonNode *
value_node (GObject    *object,
            GParamSpec *pspec)
{
  g_auto(GValue) value = G_VALUE_INIT;
  JsonNode *node = json_node_alloc ();

  g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_object_get_property (object, g_param_spec_get_name (pspec), &value);
  switch (G_TYPE_FUNDAMENTAL (G_PARAM_SPEC_VALUE_TYPE (pspec)))
    {
    case G_TYPE_UINT:
      return json_node_init_int (node, g_value_get_uint (&value));
    case G_TYPE_DOUBLE:
      return json_node_init_double (node, g_value_get_double (&value));
    case G_TYPE_BOOLEAN:
      return json_node_init_boolean (node, g_value_get_boolean (&value));
    case G_TYPE_ENUM:
      return json_node_init_string (node, g_enum_get_value (G_PARAM_SPEC_ENUM (pspec)->enum_class,
                                                            g_value_get_enum (&value))->value_nick);
    case G_TYPE_STRING:
      return json_node_init_string (node, g_value_get_string (&value));
    default:
      g_assert_not_reached ();
    }
}

/* @pspec's row in its table, from 1; 0 for a property not installed by
 * prune_property_install(). */
static guint
table_row (GParamSpec *pspec)
{
  return GPOINTER_TO_UINT (g_param_spec_get_qdata (pspec, table_row_quark ()));
}

/* GObject lists properties in no set order. */
static int
compare_table_rows (gconstpointer a,
                    gconstpointer b)
{
  guint x = table_row (*(GParamSpec * const *) a), y = table_row (*(GParamSpec * const *) b);

  return (x > y) - (x < y);
}

/**
 * prune_property_values:
 * @object: a transform
 * @include: which properties to list, by name
 * @user_data: for @include
 *
 * The values of @object's properties that @include accepts, in table
 * order, each under its property's name: numbers, booleans, enum nicks
 * and strings (a string not set is null), as a report writes them.
 *
 * Returns: (transfer full): a new object
 */
JsonObject *
prune_property_values (GObject                *object,
                       PrunePropertyIncludeFunc include,
                       gconstpointer           user_data)
{
  JsonObject *values = json_object_new ();
  guint n_pspecs;
  g_autofree GParamSpec **pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (object), &n_pspecs);

  qsort (pspecs, n_pspecs, sizeof *pspecs, compare_table_rows);
  for (guint i = 0; i < n_pspecs; i++)
    if (field_offset (pspecs[i]) != 0 && include (g_param_spec_get_name (pspecs[i]), user_data))
      json_object_set_member (values, g_param_spec_get_name (pspecs[i]), value_node (object, pspecs[i]));
  return values;
}

/**
 * prune_property_threads:
 * @offset: the field that holds the count, G_STRUCT_OFFSET() of the instance
 * @blurb: (not nullable): what the threads are used for, untranslated
 *   (marked with N_())
 *
 * The "threads" property both transforms have: how many threads work at
 * once, 0 meaning one per core; results never depend on it.
 *
 * Returns: the property's row
 */
PruneProperty
prune_property_threads (gsize       offset,
                        const char *blurb)
{
  return (PruneProperty) { "threads", N_("Threads"), blurb, offset, G_TYPE_UINT, 0, 1024, 0 };
}
