/* dm-transform.c: the plugin contract, an abstract dataset transform.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "dm-dataset-private.h"
#include "dm-error.h"
#include "dm-progress-relay-private.h"
#include "dm-transform.h"

/**
 * DmTransform:
 *
 * A transform makes a new dataset from another: prune keeps a
 * representative subset, a hasher adds keys. Plugins subclass it, register
 * the subclass with the %DM_TRANSFORM_EXTENSION_POINT_NAME extension point
 * under the transform's name, and declare the transform's parameters as
 * GObject properties, whose #GParamSpec (nick, blurb, range, default, enum
 * values) is all a host needs to build a menu entry and a dialog for it.
 */
typedef struct
{
  JsonNode *report;
  gboolean report_terse;  /* the host asked for no per-item members */
} DmTransformPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (DmTransform, dm_transform, G_TYPE_OBJECT)

/* check_parameters came out of the padding: the class is as large as it
 * was, its private members where they were (ABI 1.0). */
G_STATIC_ASSERT (sizeof (DmTransformClass) == sizeof (GObjectClass) + 12 * sizeof (gpointer));
G_STATIC_ASSERT (G_STRUCT_OFFSET (DmTransformClass, translation_domain)
                 == sizeof (GObjectClass) + 4 * sizeof (gpointer));

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The relay of the dm_transform_apply_async() under way, as qdata. */
static GQuark
async_relay_quark (void)
{
  return g_quark_from_static_string ("dm-transform-async-relay");
}

static void
dm_transform_finalize (GObject *object)
{
  DmTransformPrivate *priv = dm_transform_get_instance_private (DM_TRANSFORM (object));

  g_clear_pointer (&priv->report, json_node_unref);

  G_OBJECT_CLASS (dm_transform_parent_class)->finalize (object);
}

/* @value as the shortest text that reads back as it: g_ascii_dtostr()
 * gives 17 significant digits, 0.1 as 0.10000000000000001, where 15 are
 * enough for most values. */
static void
format_double (char   buffer[G_ASCII_DTOSTR_BUF_SIZE],
               double value)
{
  static const char * const formats[] = { "%.15g", "%.16g", "%.17g" };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_ascii_formatd (buffer, G_ASCII_DTOSTR_BUF_SIZE, formats[f], value);
      if (g_ascii_strtod (buffer, NULL) == value)
        return;
    }
}

/* @text, valid UTF-8, as a JSON string. */
static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *c = text; *c != '\0'; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_c (out, '\\');
      if ((guchar) *c < 0x20)
        g_string_append_printf (out, "\\u%04x", (guint) (guchar) *c);
      else
        g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

static void
append_json_indent (GString *out,
                    guint    depth)
{
  g_string_append_c (out, '\n');
  for (guint d = 0; d < depth; d++)
    g_string_append (out, "  ");
}

/* @node as indented JSON text, as json-glib's generator writes it but for
 * numbers: a double is the shortest text that reads back as it (the
 * generator writes a ratio of 0.1 as 0.10000000000000001), with ".0" when
 * it reads as an integer, so that it reads back as a double. */
static void
append_json_node (GString  *out,
                  JsonNode *node,
                  guint     depth)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE + 2];

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;
      gboolean first = TRUE;

      g_string_append_c (out, '{');
      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        {
          g_string_append (out, first ? "" : ",");
          first = FALSE;
          append_json_indent (out, depth + 1);
          append_json_string (out, name);
          g_string_append (out, " : ");
          append_json_node (out, member, depth + 1);
        }
      if (!first)
        append_json_indent (out, depth);
      g_string_append_c (out, '}');
      return;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      g_string_append_c (out, '[');
      for (guint e = 0; e < n; e++)
        {
          g_string_append (out, e > 0 ? "," : "");
          append_json_indent (out, depth + 1);
          append_json_node (out, json_array_get_element (array, e), depth + 1);
        }
      if (n > 0)
        append_json_indent (out, depth);
      g_string_append_c (out, ']');
      return;
    }
  if (JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (out, "null");
      return;
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      append_json_string (out, json_node_get_string (node));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    case G_TYPE_DOUBLE:
      format_double (number, json_node_get_double (node));
      if (strpbrk (number, ".eEn") == NULL)
        strcat (number, ".0");
      g_string_append (out, number);
      break;
    default:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    }
}

static gboolean
dm_transform_real_write_report (DmTransform    *self,
                                GOutputStream  *stream,
                                GCancellable   *cancellable,
                                GError        **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  append_json_node (text, dm_transform_get_report (self), 0);
  g_string_append_c (text, '\n');
  return g_output_stream_write_all (stream, text->str, text->len, NULL, cancellable, error);
}

static void
dm_transform_class_init (DmTransformClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dm_transform_finalize;
  klass->write_report = dm_transform_real_write_report;

  /**
   * DmTransform::progress:
   * @self: the transform
   * @phase: what it is doing now, a name the class declares with
   *   dm_transform_class_add_phase(), which gives a host its label
   * @fraction: how much of that phase is done, from 0 to 1
   * @n_items: how many items the phase goes through one by one, so a host
   *   can show a count without knowing the phase; 0 for a phase that does
   *   not go item by item
   *
   * Emitted as the work goes on, so a host can show it: from the thread
   * that called dm_transform_apply(), or, during dm_transform_apply_async(),
   * on the thread-default main context of its caller. The transform reports
   * it with dm_transform_report_progress() or
   * dm_transform_report_item_progress().
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_DOUBLE,
                  G_TYPE_UINT);
}

static void
dm_transform_init (DmTransform *self)
{
}

/**
 * dm_transform_ensure_extension_point:
 *
 * Registers the %DM_TRANSFORM_EXTENSION_POINT_NAME extension point, whose
 * extensions must be subclasses of #DmTransform. Safe to call more than once.
 */
void
dm_transform_ensure_extension_point (void)
{
  GIOExtensionPoint *point;

  point = g_io_extension_point_lookup (DM_TRANSFORM_EXTENSION_POINT_NAME);
  if (point != NULL)
    return;

  point = g_io_extension_point_register (DM_TRANSFORM_EXTENSION_POINT_NAME);
  g_io_extension_point_set_required_type (point, DM_TYPE_TRANSFORM);
}

/**
 * dm_transform_class_set_metadata:
 * @klass: a transform class
 * @label: the menu label, untranslated (marked with N_())
 * @description: a one-line description, untranslated (marked with N_())
 * @translation_domain: (nullable): the gettext domain to translate them in
 *
 * Sets what a host shows for the transform in its menu. Call it from the
 * subclass's class_init. The strings must live as long as the class.
 */
void
dm_transform_class_set_metadata (DmTransformClass *klass,
                                 const char       *label,
                                 const char       *description,
                                 const char       *translation_domain)
{
  g_return_if_fail (DM_IS_TRANSFORM_CLASS (klass));
  g_return_if_fail (label != NULL && description != NULL);

  klass->label = label;
  klass->description = description;
  klass->translation_domain = translation_domain;
}

/**
 * dm_transform_class_get_translation_domain:
 * @klass: a transform class
 *
 * The gettext domain of the class's label, description and parameter
 * blurbs, so a host can show a #GParamSpec's blurb translated.
 *
 * Returns: (nullable): the domain set with dm_transform_class_set_metadata()
 */
const char *
dm_transform_class_get_translation_domain (DmTransformClass *klass)
{
  g_return_val_if_fail (DM_IS_TRANSFORM_CLASS (klass), NULL);

  return klass->translation_domain;
}

/* What a class says about how its parameters are given on a command line:
 * per parameter name, a short option letter, whether it is required and
 * its place among the positional arguments (from 1; 0: none), kept on the
 * class's GType. */
typedef struct
{
  char alias;
  gboolean required;
  guint position;
} ParameterHint;

static GQuark
parameter_hints_quark (void)
{
  return g_quark_from_static_string ("dm-transform-parameter-hints");
}

/* What the class declared under @name in its table @quark (the parameter
 * hints, the phases), or NULL. */
static gpointer
lookup_declared (DmTransformClass *klass,
                 GQuark            quark,
                 const char       *name)
{
  GHashTable *table = g_type_get_qdata (G_TYPE_FROM_CLASS (klass), quark);

  return table != NULL ? g_hash_table_lookup (table, name) : NULL;
}

/* The class's table @quark, by name, of declarations freed with g_free(),
 * created empty on the first declaration. */
static GHashTable *
table_to_declare_in (DmTransformClass *klass,
                     GQuark            quark)
{
  GType type = G_TYPE_FROM_CLASS (klass);
  GHashTable *table = g_type_get_qdata (type, quark);

  if (table == NULL)
    {
      /* Lives as long as the type, which is never unregistered. */
      table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_type_set_qdata (type, quark, table);
    }
  return table;
}

/* The hints declared for @parameter; a parameter without any has all
 * of them unset (zero). */
static const ParameterHint *
declared_hint (DmTransformClass *klass,
               const char       *parameter)
{
  static const ParameterHint no_hint = { 0 };
  const ParameterHint *hint = lookup_declared (klass, parameter_hints_quark (), parameter);

  return hint != NULL ? hint : &no_hint;
}

/* The hints of @parameter, created unset on the first declaration. */
static ParameterHint *
hint_to_declare (DmTransformClass *klass,
                 const char       *parameter)
{
  GHashTable *hints = table_to_declare_in (klass, parameter_hints_quark ());
  ParameterHint *hint;

  hint = g_hash_table_lookup (hints, parameter);
  if (hint == NULL)
    {
      hint = g_new0 (ParameterHint, 1);
      g_hash_table_insert (hints, g_strdup (parameter), hint);
    }
  return hint;
}

/**
 * dm_transform_class_add_alias:
 * @klass: a transform class
 * @short_name: a letter or digit: the short option, as 'm' for `-m`
 * @parameter: the name of one of the class's properties
 *
 * Declares a short option for a parameter, which a command-line host
 * offers beside `--PARAMETER`. Call it from class_init, after installing
 * the property. A host ignores an alias that clashes with one of its own.
 */
void
dm_transform_class_add_alias (DmTransformClass *klass,
                              char              short_name,
                              const char       *parameter)
{
  g_return_if_fail (DM_IS_TRANSFORM_CLASS (klass));
  g_return_if_fail (g_ascii_isalnum (short_name));
  g_return_if_fail (g_object_class_find_property (G_OBJECT_CLASS (klass), parameter) != NULL);

  hint_to_declare (klass, parameter)->alias = short_name;
}

/**
 * dm_transform_class_get_alias:
 * @klass: a transform class
 * @parameter: a parameter name
 *
 * Returns: the short option declared with dm_transform_class_add_alias(),
 *   or 0 when there is none
 */
char
dm_transform_class_get_alias (DmTransformClass *klass,
                              const char       *parameter)
{
  g_return_val_if_fail (DM_IS_TRANSFORM_CLASS (klass), 0);
  g_return_val_if_fail (parameter != NULL, 0);

  return declared_hint (klass, parameter)->alias;
}

/**
 * dm_transform_class_add_positional:
 * @klass: a transform class
 * @parameter: the name of one of the class's properties
 *
 * Declares that a command-line host takes this parameter's value from the
 * arguments after the dataset, in the order of the calls: the first call's
 * parameter from the first such argument, and so on. The option
 * `--PARAMETER` sets it as well.
 */
void
dm_transform_class_add_positional (DmTransformClass *klass,
                                   const char       *parameter)
{
  g_auto(GStrv) positionals = NULL;
  ParameterHint *hint;

  g_return_if_fail (DM_IS_TRANSFORM_CLASS (klass));
  g_return_if_fail (g_object_class_find_property (G_OBJECT_CLASS (klass), parameter) != NULL);

  positionals = dm_transform_class_list_positionals (klass);
  hint = hint_to_declare (klass, parameter);
  if (hint->position == 0)
    hint->position = g_strv_length (positionals) + 1;
}

/**
 * dm_transform_class_list_positionals:
 * @klass: a transform class
 *
 * Returns: (transfer full): the parameters declared with
 *   dm_transform_class_add_positional(), in their order
 */
GStrv
dm_transform_class_list_positionals (DmTransformClass *klass)
{
  GHashTable *hints;
  GHashTableIter iter;
  gpointer name, value;
  g_autoptr(GPtrArray) ordered = g_ptr_array_new ();

  g_return_val_if_fail (DM_IS_TRANSFORM_CLASS (klass), NULL);

  hints = g_type_get_qdata (G_TYPE_FROM_CLASS (klass), parameter_hints_quark ());
  if (hints != NULL)
    {
      g_hash_table_iter_init (&iter, hints);
      while (g_hash_table_iter_next (&iter, &name, &value))
        {
          guint position = ((ParameterHint *) value)->position;

          if (position == 0)
            continue;
          if (ordered->len < position)
            g_ptr_array_set_size (ordered, position);
          g_ptr_array_index (ordered, position - 1) = g_strdup (name);
        }
    }
  g_ptr_array_add (ordered, NULL);
  return (GStrv) g_ptr_array_steal (ordered, NULL);
}

/**
 * dm_transform_class_require_parameter:
 * @klass: a transform class
 * @parameter: the name of one of the class's properties
 *
 * Declares that a user must choose this parameter's value: a command-line
 * host refuses to run without it (its default serves only hosts that
 * create the transform and set properties themselves).
 */
void
dm_transform_class_require_parameter (DmTransformClass *klass,
                                      const char       *parameter)
{
  g_return_if_fail (DM_IS_TRANSFORM_CLASS (klass));
  g_return_if_fail (g_object_class_find_property (G_OBJECT_CLASS (klass), parameter) != NULL);

  hint_to_declare (klass, parameter)->required = TRUE;
}

/**
 * dm_transform_class_is_parameter_required:
 * @klass: a transform class
 * @parameter: a parameter name
 *
 * Returns: whether dm_transform_class_require_parameter() named it
 */
gboolean
dm_transform_class_is_parameter_required (DmTransformClass *klass,
                                          const char       *parameter)
{
  g_return_val_if_fail (DM_IS_TRANSFORM_CLASS (klass), FALSE);
  g_return_val_if_fail (parameter != NULL, FALSE);

  return declared_hint (klass, parameter)->required;
}

/* What a class says about a phase it reports progress in: the msgids of
 * its label and of its counted forms (NULL without a count), static
 * strings of the class's translation domain. Kept per phase name on the
 * class's GType, so a subclass declares its own. */
typedef struct
{
  const char *label;
  const char *counted_singular;
  const char *counted_plural;
} PhaseDeclaration;

static GQuark
phases_quark (void)
{
  return g_quark_from_static_string ("dm-transform-phases");
}

/* Whether @form has a `%u` for the count: a `%%` is a percent sign, not
 * the start of a directive. */
static gboolean
has_count_directive (const char *form)
{
  for (const char *c = form; *c != '\0'; c++)
    if (*c == '%')
      {
        if (c[1] == 'u')
          return TRUE;
        if (c[1] == '%')
          c++;
      }
  return FALSE;
}

/**
 * dm_transform_class_add_phase:
 * @klass: a transform class
 * @phase: the name the transform reports the phase's progress under
 *   (the `phase` of #DmTransform::progress)
 * @label: a short label a host shows for the phase, untranslated (marked
 *   with N_()), as "sorting"
 * @counted_singular: (nullable): the phase with its number of items, the
 *   singular of an ngettext() pair with `%u` for the number, as
 *   "sorting %u item"; %NULL for a phase that does not go item by item
 * @counted_plural: (nullable): the plural of that pair, as
 *   "sorting %u items"; %NULL exactly when @counted_singular is
 *
 * Declares a phase the transform reports progress in, so that a host,
 * which knows no transform's phases, shows it by a translated label and
 * its count in a sentence of the language (a host shows the phase's name
 * itself for a phase no class declared). Call it from class_init; a
 * subclass does not inherit its parent's phases.
 *
 * The strings are msgids of the translation domain given to
 * dm_transform_class_set_metadata() and must live as long as the class.
 * Only `%u` is substituted in the counted forms (and `%%` gives a percent
 * sign): they are never used as a printf() format. So that xgettext
 * extracts the counted forms as a plural pair, give it
 * `--keyword=dm_transform_class_add_phase:4,5` (with meson, in the `args`
 * of `i18n.gettext()`). The label needs its N_(): xgettext extracts one
 * argument spec of a call, so a second keyword spec for the label would
 * be ignored in a call with counted forms.
 */
void
dm_transform_class_add_phase (DmTransformClass *klass,
                              const char       *phase,
                              const char       *label,
                              const char       *counted_singular,
                              const char       *counted_plural)
{
  PhaseDeclaration *declaration;

  g_return_if_fail (DM_IS_TRANSFORM_CLASS (klass));
  g_return_if_fail (phase != NULL && label != NULL);
  g_return_if_fail ((counted_singular == NULL) == (counted_plural == NULL));
  g_return_if_fail (counted_singular == NULL || has_count_directive (counted_singular));
  g_return_if_fail (counted_plural == NULL || has_count_directive (counted_plural));

  declaration = g_new (PhaseDeclaration, 1);
  *declaration = (PhaseDeclaration) { label, counted_singular, counted_plural };
  g_hash_table_insert (table_to_declare_in (klass, phases_quark ()), g_strdup (phase), declaration);
}

/**
 * dm_transform_class_get_phase_label:
 * @klass: a transform class
 * @phase: the name of a phase, as #DmTransform::progress gives it
 *
 * Returns: (nullable): the phase's translated label, declared with
 *   dm_transform_class_add_phase(); %NULL when the class declared no such
 *   phase
 */
const char *
dm_transform_class_get_phase_label (DmTransformClass *klass,
                                    const char       *phase)
{
  const PhaseDeclaration *declaration;

  g_return_val_if_fail (DM_IS_TRANSFORM_CLASS (klass), NULL);
  g_return_val_if_fail (phase != NULL, NULL);

  declaration = lookup_declared (klass, phases_quark (), phase);
  if (declaration == NULL)
    return NULL;
  return g_dgettext (klass->translation_domain, declaration->label);
}

/**
 * dm_transform_class_format_phase_count:
 * @klass: a transform class
 * @phase: the name of a phase, as #DmTransform::progress gives it
 * @count: how many items the phase goes through
 *
 * The phase with its number of items, from the counted forms declared with
 * dm_transform_class_add_phase(): the translation of the form @count
 * takes, with @count in place of its `%u`. A translation without a `%u`
 * is not used (the untranslated form is), so a catalog cannot lose the
 * number; and as only `%u` is replaced, any other directive a
 * translation has is text, never read as a format.
 *
 * Returns: (transfer full) (nullable): the phase and its count, as
 *   "sorting 20 items"; %NULL when the class declared no such phase, or
 *   declared it without counted forms
 */
char *
dm_transform_class_format_phase_count (DmTransformClass *klass,
                                       const char       *phase,
                                       guint             count)
{
  const PhaseDeclaration *declaration;
  const char *form;
  GString *text;

  g_return_val_if_fail (DM_IS_TRANSFORM_CLASS (klass), NULL);
  g_return_val_if_fail (phase != NULL, NULL);

  declaration = lookup_declared (klass, phases_quark (), phase);
  if (declaration == NULL || declaration->counted_singular == NULL)
    return NULL;

  form = g_dngettext (klass->translation_domain, declaration->counted_singular,
                      declaration->counted_plural, count);
  if (!has_count_directive (form))
    form = count == 1 ? declaration->counted_singular : declaration->counted_plural;

  text = g_string_new (NULL);
  for (const char *c = form; *c != '\0'; c++)
    {
      if (c[0] == '%' && c[1] == 'u')
        g_string_append_printf (text, "%u", count);
      else if (c[0] == '%' && c[1] == '%')
        g_string_append_c (text, '%');
      else
        {
          g_string_append_c (text, *c);
          continue;
        }
      c++;
    }
  return g_string_free (text, FALSE);
}

/**
 * dm_transform_class_get_label:
 * @klass: a transform class
 *
 * Returns: the translated menu label
 */
const char *
dm_transform_class_get_label (DmTransformClass *klass)
{
  g_return_val_if_fail (DM_IS_TRANSFORM_CLASS (klass), NULL);

  if (klass->label == NULL)
    return G_OBJECT_CLASS_NAME (klass);

  return g_dgettext (klass->translation_domain, klass->label);
}

/**
 * dm_transform_class_get_description:
 * @klass: a transform class
 *
 * Returns: the translated one-line description
 */
const char *
dm_transform_class_get_description (DmTransformClass *klass)
{
  g_return_val_if_fail (DM_IS_TRANSFORM_CLASS (klass), NULL);

  if (klass->description == NULL)
    return "";

  return g_dgettext (klass->translation_domain, klass->description);
}

/**
 * dm_transform_get_name:
 * @self: a transform
 *
 * Gives the name the transform is registered under.
 *
 * Returns: (nullable): the name the transform is registered under, or
 *   %NULL when its type is not registered with the extension point
 */
const char *
dm_transform_get_name (DmTransform *self)
{
  GIOExtensionPoint *point;

  g_return_val_if_fail (DM_IS_TRANSFORM (self), NULL);

  point = g_io_extension_point_lookup (DM_TRANSFORM_EXTENSION_POINT_NAME);
  if (point == NULL)
    return NULL;

  for (GList *l = g_io_extension_point_get_extensions (point); l != NULL; l = l->next)
    if (g_io_extension_get_type (l->data) == G_OBJECT_TYPE (self))
      return g_io_extension_get_name (l->data);

  return NULL;
}

/**
 * dm_transform_get_label:
 * @self: a transform
 *
 * Gives the transform's menu label.
 *
 * Returns: the translated menu label
 */
const char *
dm_transform_get_label (DmTransform *self)
{
  g_return_val_if_fail (DM_IS_TRANSFORM (self), NULL);

  return dm_transform_class_get_label (DM_TRANSFORM_GET_CLASS (self));
}

/**
 * dm_transform_get_description:
 * @self: a transform
 *
 * Gives the transform's description for its menu entry.
 *
 * Returns: the translated one-line description
 */
const char *
dm_transform_get_description (DmTransform *self)
{
  g_return_val_if_fail (DM_IS_TRANSFORM (self), NULL);

  return dm_transform_class_get_description (DM_TRANSFORM_GET_CLASS (self));
}

/* The items @report lists as skipped (%DM_TRANSFORM_REPORT_SKIPPED) are
 * marked on @output to be left as they are by a save in place: a transform
 * that could not work on an item did not choose to drop it. */
static void
leave_skipped_as_they_are (JsonNode  *report,
                           DmDataset *input,
                           DmDataset *output)
{
  JsonNode *member;
  JsonArray *skipped;

  if (report == NULL || !JSON_NODE_HOLDS_OBJECT (report))
    return;
  member = json_object_get_member (json_node_get_object (report), DM_TRANSFORM_REPORT_SKIPPED);
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return;
  skipped = json_node_get_array (member);
  for (guint i = 0; skipped != NULL && i < json_array_get_length (skipped); i++)
    {
      JsonObject *entry = json_array_get_object_element (skipped, i);
      DmItem *item = entry == NULL ? NULL :
        dm_dataset_find_item (input,
                              json_object_get_string_member_with_default (entry, DM_TRANSFORM_REPORT_SUBSET, ""),
                              json_object_get_string_member_with_default (entry, DM_TRANSFORM_REPORT_ID, ""));

      if (item != NULL)
        dm_dataset_leave_as_it_is (output, item);
    }
}

/**
 * dm_transform_check_parameters: (virtual check_parameters)
 * @self: a transform
 * @error: return location for a #GError
 *
 * Checks that the transform's current parameters can be applied together:
 * each one is in its range already (its #GParamSpec holds every setter to
 * it), and this finds what only a combination makes wrong, such as a
 * parameter that the chosen method does not use. It reads no dataset, so a
 * host calls it as soon as the parameters are set, before loading a
 * dataset that may take long to load; dm_transform_apply() calls it first
 * as well.
 *
 * Returns: %TRUE when the parameters can be applied; %FALSE with @error
 *   set (%DM_ERROR_INVALID_ARGUMENT, naming the parameters) otherwise
 */
gboolean
dm_transform_check_parameters (DmTransform  *self,
                               GError      **error)
{
  DmTransformClass *klass;
  gboolean ok;

  g_return_val_if_fail (DM_IS_TRANSFORM (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  klass = DM_TRANSFORM_GET_CLASS (self);
  if (klass->check_parameters == NULL)
    return TRUE;

  ok = klass->check_parameters (self, error);
  g_return_val_if_fail (ok != (error != NULL && *error != NULL), ok);
  return ok;
}

/* What an apply, synchronous or not, does on its caller's thread before
 * the work: the last report goes, and parameters that cannot be applied
 * are refused before the transform touches the input. */
static gboolean
prepare_apply (DmTransform  *self,
               GError      **error)
{
  DmTransformPrivate *priv = dm_transform_get_instance_private (self);

  g_clear_pointer (&priv->report, json_node_unref);
  return dm_transform_check_parameters (self, error);
}

/* The work of an apply whose parameters passed prepare_apply(). */
static DmDataset *
apply_prepared (DmTransform   *self,
                DmDataset     *input,
                GCancellable  *cancellable,
                GError       **error)
{
  DmDataset *output;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  output = DM_TRANSFORM_GET_CLASS (self)->apply (self, input, cancellable, error);
  g_return_val_if_fail ((output != NULL) != (error != NULL && *error != NULL), output);
  if (output != NULL)
    leave_skipped_as_they_are (dm_transform_get_report (self), input, output);

  return output;
}

/**
 * dm_transform_apply:
 * @self: a transform
 * @input: the dataset to transform; it is not modified
 * @cancellable: (nullable): to stop the work early
 * @error: return location for a #GError
 *
 * Runs the transform with its current parameters, once
 * dm_transform_check_parameters() found nothing wrong with them. Progress
 * is reported through #DmTransform::progress; a report of what was done (a
 * JSON object whose layout the transform documents) is available
 * afterwards from dm_transform_get_report().
 *
 * Returns: (transfer full): the new dataset, or %NULL with @error set
 *   (%G_IO_ERROR_CANCELLED when @cancellable was cancelled)
 */
DmDataset *
dm_transform_apply (DmTransform   *self,
                    DmDataset     *input,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_return_val_if_fail (DM_IS_TRANSFORM (self), NULL);
  g_return_val_if_fail (DM_IS_DATASET (input), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  g_return_val_if_fail (DM_TRANSFORM_GET_CLASS (self)->apply != NULL, NULL);

  if (!prepare_apply (self, error))
    return NULL;
  return apply_prepared (self, input, cancellable, error);
}

/* Emits the signal, or, during dm_transform_apply_async(), posts it to
 * the caller's context. */
static void
report (DmTransform *self,
        const char  *phase,
        double       fraction,
        guint        n_items)
{
  DmProgressRelay *relay = g_object_get_qdata (G_OBJECT (self), async_relay_quark ());

  fraction = CLAMP (fraction, 0.0, 1.0);
  if (relay != NULL)
    dm_progress_relay_post (relay, phase, fraction, n_items);
  else
    g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, phase, fraction, n_items);
}

/**
 * dm_transform_report_progress:
 * @self: a transform
 * @phase: what it is doing now
 * @fraction: how much of that phase is done, from 0 to 1
 *
 * For subclasses: emits #DmTransform::progress, with no count of items
 * (see dm_transform_report_item_progress() for a phase that goes item by
 * item). Call it from the thread that runs dm_transform_apply() or from
 * threads it waits for. During dm_transform_apply_async() the signal is
 * posted to its caller's main context instead.
 */
void
dm_transform_report_progress (DmTransform *self,
                              const char  *phase,
                              double       fraction)
{
  g_return_if_fail (DM_IS_TRANSFORM (self));
  g_return_if_fail (phase != NULL);

  report (self, phase, fraction, 0);
}

/**
 * dm_transform_report_item_progress:
 * @self: a transform
 * @phase: what it is doing now
 * @done: how many of the phase's items are done, at most @n_items
 * @n_items: how many items the phase goes through; with none, the phase
 *   is done
 *
 * For subclasses: emits #DmTransform::progress for a phase that goes
 * through @n_items items one by one, with @done / @n_items as its
 * fraction and @n_items as its count, so a host can show the count
 * without knowing the phase: in the counted form the class declared with
 * dm_transform_class_add_phase(), or as a number of items. Called from the
 * same threads as dm_transform_report_progress().
 */
void
dm_transform_report_item_progress (DmTransform *self,
                                   const char  *phase,
                                   guint        done,
                                   guint        n_items)
{
  g_return_if_fail (DM_IS_TRANSFORM (self));
  g_return_if_fail (phase != NULL);

  report (self, phase, n_items > 0 ? (double) done / n_items : 1.0, n_items);
}

/**
 * dm_transform_get_report:
 * @self: a transform
 *
 * Gives what the last apply reported: a JSON object whose layout the transform documents.
 *
 * Returns: (transfer none) (nullable): the report of the last successful
 *   dm_transform_apply(), or %NULL
 */
JsonNode *
dm_transform_get_report (DmTransform *self)
{
  DmTransformPrivate *priv;

  g_return_val_if_fail (DM_IS_TRANSFORM (self), NULL);

  priv = dm_transform_get_instance_private (self);
  return priv->report;
}

/**
 * dm_transform_set_report:
 * @self: a transform
 * @report: (nullable) (transfer none): the report
 *
 * For subclasses: sets what dm_transform_get_report() returns.
 */
void
dm_transform_set_report (DmTransform *self,
                         JsonNode    *report)
{
  DmTransformPrivate *priv;

  g_return_if_fail (DM_IS_TRANSFORM (self));

  priv = dm_transform_get_instance_private (self);
  if (report != NULL)
    json_node_ref (report);
  g_clear_pointer (&priv->report, json_node_unref);
  priv->report = report;
}

/**
 * dm_transform_set_report_per_item:
 * @self: a transform
 * @per_item: whether the report may list the input items one by one
 *
 * For hosts: says whether the reports dm_transform_get_report() gives
 * need their per-item members (see the report's contract in
 * dm-transform.h), which by default they have. A host that does not read
 * them from that tree turns them off, so a run on millions of items does
 * not hold a second copy of its item list; dm_transform_write_report()
 * writes them either way. This is not a parameter: it changes what the
 * tree holds, never what is kept.
 */
void
dm_transform_set_report_per_item (DmTransform *self,
                                  gboolean     per_item)
{
  DmTransformPrivate *priv;

  g_return_if_fail (DM_IS_TRANSFORM (self));

  priv = dm_transform_get_instance_private (self);
  priv->report_terse = !per_item;
}

/**
 * dm_transform_get_report_per_item:
 * @self: a transform
 *
 * For subclasses: whether to add the report's per-item members, such as
 * %DM_TRANSFORM_REPORT_CLUSTER_OF_ITEM, to the tree dm_transform_get_report()
 * gives. Without them, a transform that has per-item members writes them
 * in its #DmTransformClass.write_report.
 *
 * Returns: %FALSE when the host said, with
 *   dm_transform_set_report_per_item(), it needs only the totals; %TRUE
 *   otherwise
 */
gboolean
dm_transform_get_report_per_item (DmTransform *self)
{
  DmTransformPrivate *priv;

  g_return_val_if_fail (DM_IS_TRANSFORM (self), TRUE);

  priv = dm_transform_get_instance_private (self);
  return !priv->report_terse;
}

/**
 * dm_transform_write_report:
 * @self: a transform
 * @stream: where to write
 * @cancellable: (nullable): to stop early
 * @error: return location for a #GError
 *
 * Writes the report of the last successful dm_transform_apply(), which
 * must have given one (dm_transform_get_report() is not %NULL), to
 * @stream as JSON text: the object dm_transform_get_report() gives, with
 * its per-item members even when dm_transform_set_report_per_item() left
 * them out of that tree (a transform writes them from its own data, not
 * from a tree). A number is written as the shortest text that reads back
 * as it (0.1, not 0.10000000000000001). @stream is not closed.
 *
 * Returns: %TRUE on success; %FALSE with @error set when writing failed
 */
gboolean
dm_transform_write_report (DmTransform    *self,
                           GOutputStream  *stream,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_return_val_if_fail (DM_IS_TRANSFORM (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (dm_transform_get_report (self) != NULL, FALSE);

  return DM_TRANSFORM_GET_CLASS (self)->write_report (self, stream, cancellable, error);
}

/* The values @pspec takes, as "MIN…MAX"; %NULL for a type without a
 * range. */
static char *
describe_range (GParamSpec *pspec)
{
  char minimum[G_ASCII_DTOSTR_BUF_SIZE], maximum[G_ASCII_DTOSTR_BUF_SIZE];

  if (G_IS_PARAM_SPEC_DOUBLE (pspec))
    {
      GParamSpecDouble *range = G_PARAM_SPEC_DOUBLE (pspec);

      format_double (maximum, range->maximum);
      /* The smallest positive double as the minimum excludes 0 alone. */
      if (range->minimum == DBL_TRUE_MIN)
        return g_strdup_printf (">0…%s", maximum);
      format_double (minimum, range->minimum);
      return g_strdup_printf ("%s…%s", minimum, maximum);
    }
  if (G_IS_PARAM_SPEC_UINT (pspec))
    return g_strdup_printf ("%u…%u", G_PARAM_SPEC_UINT (pspec)->minimum, G_PARAM_SPEC_UINT (pspec)->maximum);
  if (G_IS_PARAM_SPEC_INT (pspec))
    return g_strdup_printf ("%d…%d", G_PARAM_SPEC_INT (pspec)->minimum, G_PARAM_SPEC_INT (pspec)->maximum);
  if (G_IS_PARAM_SPEC_UINT64 (pspec))
    return g_strdup_printf ("%" G_GUINT64_FORMAT "…%" G_GUINT64_FORMAT,
                            G_PARAM_SPEC_UINT64 (pspec)->minimum, G_PARAM_SPEC_UINT64 (pspec)->maximum);
  if (G_IS_PARAM_SPEC_INT64 (pspec))
    return g_strdup_printf ("%" G_GINT64_FORMAT "…%" G_GINT64_FORMAT,
                            G_PARAM_SPEC_INT64 (pspec)->minimum, G_PARAM_SPEC_INT64 (pspec)->maximum);
  if (G_IS_PARAM_SPEC_ULONG (pspec))
    return g_strdup_printf ("%lu…%lu", G_PARAM_SPEC_ULONG (pspec)->minimum, G_PARAM_SPEC_ULONG (pspec)->maximum);
  if (G_IS_PARAM_SPEC_LONG (pspec))
    return g_strdup_printf ("%ld…%ld", G_PARAM_SPEC_LONG (pspec)->minimum, G_PARAM_SPEC_LONG (pspec)->maximum);
  if (G_IS_PARAM_SPEC_FLOAT (pspec))
    {
      format_double (minimum, G_PARAM_SPEC_FLOAT (pspec)->minimum);
      format_double (maximum, G_PARAM_SPEC_FLOAT (pspec)->maximum);
      return g_strdup_printf ("%s…%s", minimum, maximum);
    }
  return NULL;
}

/* The one message for a value outside @pspec's range, whether its type
 * could hold it or not: the range is the GParamSpec's. */
static gboolean
set_out_of_range_error (GParamSpec  *pspec,
                        const char  *text,
                        GError     **error)
{
  g_autofree char *range = describe_range (pspec);

  g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
               _("Invalid value “%s” for parameter “%s”: out of range %s"),
               text, g_param_spec_get_name (pspec), range != NULL ? range : "");
  return FALSE;
}

/* Reads @text into @value, initialised to @pspec's integer type. Any
 * whole number is read, so that one the type cannot hold (-3 for an
 * unsigned parameter) is refused as out of @pspec's range, as one the type
 * holds but the range excludes is. */
static gboolean
parse_integer (GParamSpec  *pspec,
               const char  *text,
               GValue      *value,
               GError     **error)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);
  g_autoptr(GError) signed_error = NULL;
  g_auto(GValue) number = G_VALUE_INIT;
  gint64 negative = 0, type_minimum = 0;
  guint64 n = 0, type_maximum = G_MAXUINT64;

  if (g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &negative, &signed_error))
    n = negative >= 0 ? (guint64) negative : 0;
  else if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &n, NULL))
    {
      if (g_error_matches (signed_error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
        return set_out_of_range_error (pspec, text, error);
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                   _("Invalid value “%s” for parameter “%s”: expected a whole number"),
                   text, g_param_spec_get_name (pspec));
      return FALSE;
    }

  if (type == G_TYPE_INT)
    type_minimum = G_MININT, type_maximum = G_MAXINT;
  else if (type == G_TYPE_LONG)
    type_minimum = G_MINLONG, type_maximum = G_MAXLONG;
  else if (type == G_TYPE_INT64)
    type_minimum = G_MININT64, type_maximum = G_MAXINT64;
  else if (type == G_TYPE_UINT)
    type_maximum = G_MAXUINT;
  else if (type == G_TYPE_ULONG)
    type_maximum = G_MAXULONG;
  if (negative < 0 ? negative < type_minimum : n > type_maximum)
    return set_out_of_range_error (pspec, text, error);

  /* It fits: GValue's conversion between integer types is a cast. */
  if (negative < 0)
    g_value_set_int64 (g_value_init (&number, G_TYPE_INT64), negative);
  else
    g_value_set_uint64 (g_value_init (&number, G_TYPE_UINT64), n);
  return g_value_transform (&number, value);
}

static gboolean
parse_value (GParamSpec  *pspec,
             const char  *text,
             GValue      *value,
             GError     **error)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);
  const char *name = g_param_spec_get_name (pspec);

  g_value_init (value, type);

  if (type == G_TYPE_STRING)
    {
      g_value_set_string (value, text);
      return TRUE;
    }

  /* Text values are taken as they are; any other is one word, so spaces
   * around it are a mistake (a stray quote in a script), whatever strtod
   * would let through. */
  if (*text != '\0' && (g_ascii_isspace (text[0]) || g_ascii_isspace (text[strlen (text) - 1])))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                   _("Invalid value “%s” for parameter “%s”: spaces around a value are not allowed"),
                   text, name);
      return FALSE;
    }

  if (type == G_TYPE_BOOLEAN)
    {
      if (g_ascii_strcasecmp (text, "true") == 0 || g_str_equal (text, "1") ||
          g_ascii_strcasecmp (text, "yes") == 0)
        g_value_set_boolean (value, TRUE);
      else if (g_ascii_strcasecmp (text, "false") == 0 || g_str_equal (text, "0") ||
               g_ascii_strcasecmp (text, "no") == 0)
        g_value_set_boolean (value, FALSE);
      else
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                       _("Invalid value “%s” for parameter “%s”: expected true or false"),
                       text, name);
          return FALSE;
        }
      return TRUE;
    }

  if (G_TYPE_IS_ENUM (type))
    {
      g_autoptr(GEnumClass) enum_class = g_type_class_ref (type);
      GEnumValue *enum_value = g_enum_get_value_by_nick (enum_class, text);
      g_autoptr(GString) allowed = g_string_new (NULL);

      if (enum_value != NULL)
        {
          g_value_set_enum (value, enum_value->value);
          return TRUE;
        }
      for (guint i = 0; i < enum_class->n_values; i++)
        g_string_append_printf (allowed, "%s%s", i > 0 ? ", " : "",
                                enum_class->values[i].value_nick);
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                   _("Invalid value “%s” for parameter “%s”: expected one of %s"),
                   text, name, allowed->str);
      return FALSE;
    }

  if (type == G_TYPE_DOUBLE || type == G_TYPE_FLOAT)
    {
      char *end = NULL;
      double d;

      errno = 0;
      d = g_ascii_strtod (text, &end);
      /* Decimal only: strtod also reads C's hexadecimal floats ("0x0.8"),
       * which nobody means on a command line. */
      if (*text == '\0' || end == NULL || *end != '\0' || isnan (d) || isinf (d) ||
          strpbrk (text, "xX") != NULL)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                       _("Invalid value “%s” for parameter “%s”: expected a number"),
                       text, name);
          return FALSE;
        }
      /* "1e-400" is no 0: said as what it is, not as out of range. */
      if (errno == ERANGE && d == 0.0)
        {
          g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                       _("Invalid value “%s” for parameter “%s”: too close to 0 for a floating-point number"),
                       text, name);
          return FALSE;
        }
      if (type == G_TYPE_DOUBLE)
        g_value_set_double (value, d);
      else
        g_value_set_float (value, (float) d);
      return TRUE;
    }

  if (type == G_TYPE_INT || type == G_TYPE_INT64 || type == G_TYPE_LONG ||
      type == G_TYPE_UINT || type == G_TYPE_UINT64 || type == G_TYPE_ULONG)
    return parse_integer (pspec, text, value, error);

  g_set_error (error, DM_ERROR, DM_ERROR_NOT_SUPPORTED,
               _("Parameter “%s” cannot be set from text (type %s)"),
               name, g_type_name (type));
  return FALSE;
}

/**
 * dm_transform_set_parameter_from_string:
 * @self: a transform
 * @name: a parameter (property) name; '_' is taken for '-'
 * @value: the value as text: a number, true/false, or an enum value's nick
 * @error: return location for a #GError
 *
 * Sets a parameter from a command line or a configuration file. The value
 * must parse completely and lie in the parameter's range, the one its
 * #GParamSpec gives, which the message names when it does not.
 *
 * Returns: %TRUE on success
 */
gboolean
dm_transform_set_parameter_from_string (DmTransform  *self,
                                        const char   *name,
                                        const char   *value,
                                        GError      **error)
{
  g_autofree char *canonical = NULL;
  g_auto(GValue) parsed = G_VALUE_INIT;
  GParamSpec *pspec;

  g_return_val_if_fail (DM_IS_TRANSFORM (self), FALSE);
  g_return_val_if_fail (name != NULL && value != NULL, FALSE);

  canonical = g_strdelimit (g_strdup (name), "_", '-');
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self), canonical);
  if (pspec == NULL || !(pspec->flags & G_PARAM_WRITABLE) || (pspec->flags & G_PARAM_CONSTRUCT_ONLY))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                   _("Transform “%s” has no parameter “%s”"),
                   dm_transform_get_name (self) ? dm_transform_get_name (self) : G_OBJECT_TYPE_NAME (self),
                   name);
      return FALSE;
    }

  if (!parse_value (pspec, value, &parsed, error))
    return FALSE;

  if (g_param_value_validate (pspec, &parsed))
    return set_out_of_range_error (pspec, value, error);

  g_object_set_property (G_OBJECT (self), g_param_spec_get_name (pspec), &parsed);
  return TRUE;
}

/* On the caller's context: the progress the worker posted, as the signal. */
static void
emit_relayed_progress (const char *phase,
                       double      fraction,
                       guint       total,
                       gpointer    user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_PROGRESS], 0, phase, fraction, total);
}

/* The task's data is the input dataset. */
static void
apply_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      input,
                 GCancellable *cancellable)
{
  GError *error = NULL;
  DmDataset *output;

  output = apply_prepared (source_object, input, cancellable, &error);
  if (output != NULL)
    g_task_return_pointer (task, output, g_object_unref);
  else
    g_task_return_error (task, error);
}

/* On the caller's context, when the work is done and before the caller's
 * callback: the last progress, then the transform emits directly again. */
static void
apply_done (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = G_TASK (result);
  GTask *outer = user_data;
  GError *error = NULL;
  DmDataset *output;

  dm_progress_relay_close (g_object_steal_qdata (source_object, async_relay_quark ()));

  output = g_task_propagate_pointer (task, &error);
  if (output != NULL)
    g_task_return_pointer (outer, output, g_object_unref);
  else
    g_task_return_error (outer, error);
  g_object_unref (outer);
}

/**
 * dm_transform_apply_async:
 * @self: a transform
 * @input: the dataset to transform; it is not modified, and must not be
 *   modified until the operation is finished
 * @cancellable: (nullable): to stop the work early
 * @callback: (scope async) (closure user_data): called on the
 *   thread-default main context of the caller when the work is done
 * @user_data: for @callback
 *
 * Runs dm_transform_apply() in a worker thread, so a host's window stays
 * responsive. The parameters are checked first, on the caller's thread
 * (see dm_transform_check_parameters()). Meanwhile #DmTransform::progress
 * is emitted on the thread-default main context of the caller, never from
 * the worker, and every update is delivered before @callback runs. Change
 * no parameter and start no other apply on @self until then. Call
 * dm_transform_apply_finish() from @callback for the result.
 */
void
dm_transform_apply_async (DmTransform         *self,
                          DmDataset           *input,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *outer;
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (DM_IS_TRANSFORM (self));
  g_return_if_fail (DM_IS_DATASET (input));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (g_object_get_qdata (G_OBJECT (self), async_relay_quark ()) == NULL);
  g_return_if_fail (DM_TRANSFORM_GET_CLASS (self)->apply != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, dm_transform_apply_async);

  /* No thread for parameters that cannot be applied; GTask calls
   * @callback from an idle, never from within this call. */
  if (!prepare_apply (self, &error))
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }

  g_object_set_qdata (G_OBJECT (self), async_relay_quark (),
                      dm_progress_relay_new (g_task_get_context (outer), emit_relayed_progress,
                                             g_object_ref (self), g_object_unref));

  /* The inner task runs the work; its completion, on the caller's context
   * after the progress it posted, closes the relay and completes @outer. */
  task = g_task_new (self, cancellable, apply_done, outer);
  g_task_set_source_tag (task, dm_transform_apply_async);
  g_task_set_task_data (task, g_object_ref (input), g_object_unref);
  g_task_run_in_thread (task, apply_in_thread);
}

/**
 * dm_transform_apply_finish:
 * @self: a transform
 * @result: the result passed to the callback of dm_transform_apply_async()
 * @error: return location for a #GError
 *
 * Finishes dm_transform_apply_async().
 *
 * Returns: (transfer full): the new dataset, or %NULL with @error set
 *   (%G_IO_ERROR_CANCELLED when the cancellable was cancelled)
 */
DmDataset *
dm_transform_apply_finish (DmTransform   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (DM_IS_TRANSFORM (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dm_transform_apply_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
