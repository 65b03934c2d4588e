/* dm-cli.c: the dm command-line tool.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <float.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "dm.h"
#include "dm-cli-heap.h"
#include "dm-cli-job.h"
#include "dm-cli-log.h"
#include "dm-cli-progress.h"
#include "dm-cli-host-seconds.h"
#include "dm-cli-staged.h"
#include "dm-html-report.h"

/* Where progress goes: a bar on standard error when it is a terminal;
 * else plain lines on standard output, beside the summary, so that a
 * failed run's standard error holds nothing but its one-line error. The
 * phases of @transform are shown as its class declares them. */
static DmCliProgress *
make_progress (gboolean     quiet,
               DmTransform *transform)
{
  DmCliProgressMode mode = dm_cli_progress_choose_mode (quiet);
  DmCliProgress *progress = dm_cli_progress_new (mode, mode == DM_CLI_PROGRESS_BAR ? stderr : stdout);

  dm_cli_progress_set_transform_class (progress, DM_TRANSFORM_GET_CLASS (transform));
  return progress;
}

/* A parameter or flag out of range or malformed is a usage error (exit
 * status 2), even when only the transform can tell; any other error is 1. */
static int
exit_status_of (const GError *error)
{
  return g_error_matches (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT) ? 2 : 1;
}

/* Prints @error as one line. The library's errors name no flag (see
 * #DmError); where the user can resolve one with a flag of this command,
 * the error's code says which, and it is named here. A plugin's errors
 * are printed as the plugin words them: dm knows no plugin's parameters. */
static void
print_error (const GError *error)
{
  if (g_error_matches (error, DM_ERROR, DM_ERROR_EXISTS))
    /* TRANSLATORS: an error message, then how to resolve it */
    g_printerr (_("dm: %s (pass --overwrite to replace it)\n"), error->message);
  else if (g_error_matches (error, DM_ERROR, DM_ERROR_IN_PLACE))
    /* TRANSLATORS: an error message ending in “save the result
     * elsewhere”, then the option that does it */
    g_printerr (_("dm: %s (with -o DEST)\n"), error->message);
  else
    g_printerr ("dm: %s\n", error->message);
}

/* The end of a run that failed or was stopped: one line on standard
 * error, and the exit status (128 + the signal when one stopped it). */
static int
fail_run (GError *error,
          int     stop_signal)
{
  if (stop_signal != 0)
    {
      g_printerr (_("dm: cancelled\n"));
      return 128 + stop_signal;
    }
  print_error (error);
  return exit_status_of (error);
}

static DmPluginRegistry *
load_plugins (void)
{
  DmPluginRegistry *registry = dm_plugin_registry_get_default ();

  dm_plugin_registry_add_default_directories (registry);
  dm_plugin_registry_load (registry);

  return registry;
}

static int
fail (GError *error)
{
  print_error (error);
  return exit_status_of (error);
}

/* Whether a plugin provides any transform. */
static gboolean
has_transforms (DmPluginRegistry *registry)
{
  g_auto(GStrv) names = dm_plugin_registry_list_transforms (registry);

  return names[0] != NULL;
}

/* What is wrong when no plugin provides a transform, and where dm looked:
 * part of a line. */
static char *
describe_no_plugins (DmPluginRegistry *registry)
{
  g_autoptr(GString) directories = g_string_new (NULL);

  for (const char * const *d = dm_plugin_registry_get_directories (registry); *d != NULL; d++)
    {
      if (directories->len > 0)
        g_string_append (directories, ", ");
      g_string_append (directories, *d);
      if (!g_file_test (*d, G_FILE_TEST_IS_DIR))
        /* TRANSLATORS: after a plugin folder that does not exist */
        g_string_append (directories, _(" (missing)"));
    }
  return g_strdup_printf (_("no transform plugins found in %s: install a plugin there, "
                            "or set DM_PLUGIN_PATH to the folder that holds one"), directories->str);
}

/* The end of a command whose transform could not be made (@error): when
 * no plugin provides any, that is what is said. */
static int
fail_transform_lookup (GError *error)
{
  DmPluginRegistry *registry = load_plugins ();
  g_autofree char *no_plugins = NULL;

  if (has_transforms (registry))
    return fail (error);
  no_plugins = describe_no_plugins (registry);
  g_printerr ("dm: %s\n", no_plugins);
  return 1;
}

/* The transform's label when it says more than its name ("Compute hash
 * keys" for hash), else NULL ("Prune" for prune). */
static const char *
label_beyond_name (DmTransform *transform)
{
  const char *label = dm_transform_get_label (transform);
  g_autofree char *name = g_strdelimit (g_strdup (dm_transform_get_name (transform)), "-_", ' ');

  return label == NULL || g_ascii_strcasecmp (label, name) == 0 ? NULL : label;
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_printerr (_("%s: %s (see “%s --help”)\n"), g_get_prgname (), message, g_get_prgname ());
  return 2;
}

/* The values @pspec takes and, with @with_default, its default: a
 * parameter the user must give has no default to speak of. */
static char *
describe_value_type (GParamSpec *pspec,
                     gboolean    with_default)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);
  g_auto(GValue) default_value = G_VALUE_INIT;
  g_autofree char *default_text = NULL;

  g_value_init (&default_value, type);
  g_param_value_set_default (pspec, &default_value);

  if (G_IS_PARAM_SPEC_ENUM (pspec))
    {
      GEnumClass *enum_class = G_PARAM_SPEC_ENUM (pspec)->enum_class;
      g_autoptr(GString) values = g_string_new (NULL);
      GEnumValue *def = g_enum_get_value (enum_class, g_value_get_enum (&default_value));

      for (guint i = 0; i < enum_class->n_values; i++)
        g_string_append_printf (values, "%s%s", i > 0 ? ", " : "", enum_class->values[i].value_nick);
      if (!with_default)
        return g_strdup_printf (_("one of %s"), values->str);
      return g_strdup_printf (_("one of %s; default %s"), values->str, def ? def->value_nick : "?");
    }
  if (G_IS_PARAM_SPEC_DOUBLE (pspec))
    {
      GParamSpecDouble *d = G_PARAM_SPEC_DOUBLE (pspec);

      /* The smallest positive double as the minimum: 0 excluded, every
       * number above it taken. */
      if (d->minimum == DBL_TRUE_MIN)
        return with_default
          ? g_strdup_printf (_("number greater than 0, at most %g; default %g"), d->maximum, d->default_value)
          : g_strdup_printf (_("number greater than 0, at most %g"), d->maximum);
      if (!with_default)
        return g_strdup_printf (_("number from %g to %g"), d->minimum, d->maximum);
      return g_strdup_printf (_("number from %g to %g; default %g"),
                              d->minimum, d->maximum, d->default_value);
    }
  if (G_IS_PARAM_SPEC_UINT (pspec))
    {
      GParamSpecUInt *u = G_PARAM_SPEC_UINT (pspec);

      if (!with_default)
        return g_strdup_printf (_("whole number from %u to %u"), u->minimum, u->maximum);
      return g_strdup_printf (_("whole number from %u to %u; default %u"),
                              u->minimum, u->maximum, u->default_value);
    }
  if (G_IS_PARAM_SPEC_INT (pspec))
    {
      GParamSpecInt *i = G_PARAM_SPEC_INT (pspec);

      if (!with_default)
        return g_strdup_printf (_("whole number from %d to %d"), i->minimum, i->maximum);
      return g_strdup_printf (_("whole number from %d to %d; default %d"),
                              i->minimum, i->maximum, i->default_value);
    }
  if (G_IS_PARAM_SPEC_BOOLEAN (pspec))
    {
      if (!with_default)
        return g_strdup (_("true or false"));
      return g_strdup_printf (_("true or false; default %s"),
                              g_value_get_boolean (&default_value) ? "true" : "false");
    }

  if (G_IS_PARAM_SPEC_STRING (pspec))
    {
      const char *text = g_value_get_string (&default_value);

      if (!with_default)
        return g_strdup (_("text"));
      return text != NULL ? g_strdup_printf (_("text; default %s"), text) : g_strdup (_("text; none by default"));
    }

  if (!with_default)
    return g_strdup (g_type_name (type));
  default_text = g_strdup_value_contents (&default_value);
  return g_strdup_printf (_("%s; default %s"), g_type_name (type), default_text);
}

/* Whether @pspec is a boolean that is off unless given: as an option, a
 * flag whose name says it all. */
static gboolean
is_flag_off_by_default (GParamSpec *pspec)
{
  return G_IS_PARAM_SPEC_BOOLEAN (pspec) && !G_PARAM_SPEC_BOOLEAN (pspec)->default_value;
}

/* A parameter as the menu and --help show it: its blurb, translated in
 * the transform's domain, the values it takes and its default, or, with
 * @show_required, that it is required, if it is. @as_option: as --help
 * shows it, where a boolean off by default is a flag and needs no values. */
static char *
describe_parameter (DmTransformClass *klass,
                    GParamSpec       *pspec,
                    gboolean          show_required,
                    gboolean          as_option)
{
  const char *domain = dm_transform_class_get_translation_domain (klass);
  const char *blurb = g_dgettext (domain, g_param_spec_get_blurb (pspec));
  gboolean required = show_required
                      && dm_transform_class_is_parameter_required (klass, g_param_spec_get_name (pspec));
  g_autofree char *values = NULL;

  if (as_option && !required && is_flag_off_by_default (pspec))
    return g_strdup (blurb);
  values = describe_value_type (pspec, !required);
  if (required)
    /* TRANSLATORS: a parameter's description, then the values it takes */
    return g_strdup_printf (_("%s (%s; required)"), blurb, values);
  return g_strdup_printf ("%s (%s)", blurb, values);
}

static int
command_transforms (DmCliLog *log, int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  DmPluginRegistry *registry;
  g_auto(GStrv) names = NULL;

  g_option_context_set_summary (context, _("List the transforms the plugins provide, with their parameters."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);
  if (argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("unexpected argument “%s”"), argv[1]);

      return usage_error (context, message);
    }

  registry = load_plugins ();
  names = dm_plugin_registry_list_transforms (registry);
  if (names[0] == NULL)
    {
      g_autofree char *no_plugins = describe_no_plugins (registry);

      g_printerr ("dm: %s\n", no_plugins);
      return 1;
    }

  for (guint t = 0; names[t] != NULL; t++)
    {
      g_autoptr(DmTransform) transform = dm_plugin_registry_create_transform (registry, names[t], &error);
      g_autofree GParamSpec **pspecs = NULL;
      g_autoptr(GPtrArray) options = g_ptr_array_new_with_free_func (g_free);
      DmTransformClass *klass;
      guint n_pspecs;
      int width = 0;

      if (transform == NULL)
        return fail (error);

      klass = DM_TRANSFORM_GET_CLASS (transform);
      if (label_beyond_name (transform) != NULL)
        g_print ("%s — %s\n", names[t], label_beyond_name (transform));
      else
        g_print ("%s\n", names[t]);
      g_print ("  %s\n", dm_transform_get_description (transform));

      /* The descriptions in one column, after the longest name. */
      pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (transform), &n_pspecs);
      for (guint p = 0; p < n_pspecs; p++)
        {
          const char *name = g_param_spec_get_name (pspecs[p]);
          char alias = dm_transform_class_get_alias (klass, name);

          g_ptr_array_add (options, alias != 0 ? g_strdup_printf ("-%c, %s", alias, name) : g_strdup (name));
          width = MAX (width, (int) strlen (g_ptr_array_index (options, p)));
        }
      if (n_pspecs > 0)
        g_print ("  %s\n", _("Parameters:"));
      for (guint p = 0; p < n_pspecs; p++)
        {
          g_autofree char *description = describe_parameter (klass, pspecs[p], TRUE, FALSE);

          g_print ("    %-*s  %s\n", width, (const char *) g_ptr_array_index (options, p), description);
        }
      g_print ("\n");
    }

  return 0;
}

typedef struct
{
  char *source;
  char *destination;
  char *format;
  char *report_path;
  gboolean overwrite;
  gboolean quiet;
  GPtrArray *parameters;   /* of "name=value" */
  char *html_report_dir;
  gboolean link_media;
  char **param_options;    /* --param's, "name=value" */
  char **source_options;   /* --source-option's, "name=value" */
  char *source_option_help;
  char *format_help;
  char *project;           /* datum's -p, refused */
} RunOptions;

static void
run_options_clear (RunOptions *options)
{
  g_free (options->source);
  g_free (options->destination);
  g_free (options->format);
  g_free (options->report_path);
  g_free (options->html_report_dir);
  g_clear_pointer (&options->parameters, g_ptr_array_unref);
  g_clear_pointer (&options->param_options, g_strfreev);
  g_clear_pointer (&options->source_options, g_strfreev);
  g_free (options->source_option_help);
  g_free (options->format_help);
  g_free (options->project);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunOptions, run_options_clear)

static void
print_summary (DmDataset  *input,
               DmDataset  *output,
               const char *destination,
               guint       n_left)
{
  const char * const *subsets = dm_dataset_get_subsets (input);
  g_autoptr(GString) per_subset = g_string_new (NULL);
  g_autoptr(GHashTable) before = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) after = g_hash_table_new (g_direct_hash, g_direct_equal);

  for (guint i = 0; i < dm_dataset_get_n_items (input); i++)
    {
      const char *s = dm_item_get_subset (dm_dataset_get_item (input, i));
      g_hash_table_insert (before, (gpointer) s,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (before, s)) + 1));
    }
  for (guint i = 0; i < dm_dataset_get_n_items (output); i++)
    {
      const char *s = dm_item_get_subset (dm_dataset_get_item (output, i));
      g_hash_table_insert (after, (gpointer) s,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (after, s)) + 1));
    }
  for (guint s = 0; subsets[s] != NULL; s++)
    {
      if (s > 0)
        g_string_append (per_subset, ", ");
      /* TRANSLATORS: a subset's kept and total items, as in “train: 8 of 15” */
      g_string_append_printf (per_subset, _("%s: %u of %u"), subsets[s],
                              GPOINTER_TO_UINT (g_hash_table_lookup (after, subsets[s])),
                              GPOINTER_TO_UINT (g_hash_table_lookup (before, subsets[s])));
    }

  if (n_left > 0)
    /* TRANSLATORS: the plural follows the last number, the broken items
     * a prune in place left in the dataset untouched */
    g_print (ngettext ("Kept %u of %u items (%s) in %s; left %u broken item as it is\n",
                       "Kept %u of %u items (%s) in %s; left %u broken items as they are\n", n_left),
             dm_dataset_get_n_items (output), dm_dataset_get_n_items (input),
             per_subset->str, destination, n_left);
  else
    g_print (_("Kept %u of %u items (%s) in %s\n"),
             dm_dataset_get_n_items (output), dm_dataset_get_n_items (input),
             per_subset->str, destination);
}

/* The items the transform left out rather than fail on, as its report
 * lists them (DM_TRANSFORM_REPORT_SKIPPED, dm-transform.h), or NULL. */
static JsonArray *
skipped_items (DmTransform *transform)
{
  JsonNode *report = dm_transform_get_report (transform);
  JsonArray *skipped;

  if (report == NULL || !JSON_NODE_HOLDS_OBJECT (report) ||
      !json_object_has_member (json_node_get_object (report), DM_TRANSFORM_REPORT_SKIPPED))
    return NULL;

  skipped = json_object_get_array_member (json_node_get_object (report), DM_TRANSFORM_REPORT_SKIPPED);
  return skipped != NULL && json_array_get_length (skipped) > 0 ? skipped : NULL;
}

static void
print_skipped (DmTransform *transform)
{
  JsonArray *skipped = skipped_items (transform);

  if (skipped == NULL)
    return;

  g_printerr (g_dngettext (GETTEXT_PACKAGE, "Skipped %u broken item:\n", "Skipped %u broken items:\n",
                           json_array_get_length (skipped)),
              json_array_get_length (skipped));
  for (guint i = 0; i < json_array_get_length (skipped); i++)
    {
      JsonObject *entry = json_array_get_object_element (skipped, i);

      /* The reason does not name the item (DM_TRANSFORM_REPORT_REASON):
       * this names it, once. */
      g_printerr ("  %s/%s: %s\n", json_object_get_string_member_with_default (entry, DM_TRANSFORM_REPORT_SUBSET, "?"),
                  json_object_get_string_member_with_default (entry, DM_TRANSFORM_REPORT_ID, "?"),
                  json_object_get_string_member_with_default (entry, DM_TRANSFORM_REPORT_REASON, ""));
    }
}

/* Whether @destination is @source itself, through any link: the save
 * changes the dataset in place. */
static gboolean
is_in_place (const char *destination,
             const char *source)
{
  GStatBuf d, s;

  return g_stat (destination, &d) == 0 && g_stat (source, &s) == 0 &&
         d.st_dev == s.st_dev && d.st_ino == s.st_ino;
}

static void
set_no_report_error (GError      **error,
                     DmTransform  *transform,
                     const char   *path)
{
  g_set_error (error, DM_ERROR, DM_ERROR_NOT_SUPPORTED,
               _("The transform “%s” gives no report for %s"),
               dm_transform_get_name (transform), path);
}

/* The transform's report as JSON text, in memory (left open, for
 * stage_report() to add to): written by dm_transform_write_report(),
 * which has the per-item members the tree leaves out. NULL with @error
 * when the transform gives no report object. */
static GOutputStream *
write_report_text (DmTransform  *transform,
                   const char   *path,
                   GError      **error)
{
  g_autoptr(GOutputStream) text = g_memory_output_stream_new_resizable ();
  JsonNode *report = dm_transform_get_report (transform);

  /* The host's member goes in the object, which a report must be. */
  if (report == NULL || !JSON_NODE_HOLDS_OBJECT (report))
    {
      set_no_report_error (error, transform, path);
      return NULL;
    }

  if (!dm_transform_write_report (transform, text, NULL, error))
    {
      g_prefix_error (error, _("Cannot write the report: "));
      return NULL;
    }
  return g_steal_pointer (&text);
}

/* The report @text, written aside until the dataset is in place, with the
 * host's seconds so far; @value_offset is where their value starts, for
 * patch_host_seconds(). */
static DmStagedFile *
stage_report (DmTransform           *transform,
              GOutputStream         *text,
              const char            *path,
              const DmHostSeconds   *seconds,
              goffset               *value_offset,
              GError               **error)
{
  DmStagedFile *staged;

  /* What it wrote is not the object its tree is: no report to add to. */
  if (!dm_host_seconds_append (G_MEMORY_OUTPUT_STREAM (text), seconds, value_offset))
    {
      set_no_report_error (error, transform, path);
      return NULL;
    }
  /* In memory, NUL-terminated, as the staged file takes it. */
  if (!g_output_stream_write_all (text, "", 1, NULL, NULL, error) ||
      !g_output_stream_close (text, NULL, error))
    {
      g_prefix_error (error, _("Cannot write the report: "));
      return NULL;
    }

  staged = dm_staged_file_new (path, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (text)), error);
  if (staged == NULL)
    g_prefix_error (error, _("Cannot write the report: "));
  return staged;
}

/* Writes the final figures over the staged ones. */
static gboolean
patch_host_seconds (DmStagedFile         *staged,
                    goffset               value_offset,
                    const DmHostSeconds  *seconds,
                    GError              **error)
{
  g_autoptr(GString) value = dm_host_seconds_format (seconds);

  if (!dm_staged_file_patch (staged, value_offset, value->str, value->len, error))
    {
      g_prefix_error (error, _("Cannot write the report: "));
      return FALSE;
    }
  return TRUE;
}

/* What the worker thread of `dm prune` and `dm transform` works on. */
typedef struct
{
  RunOptions *options;
  DmTransform *transform;
  const char *destination;
  DmSaveFlags flags;
  DmDataset *input;        /* out */
  DmDataset *output;       /* out */
  guint n_left;            /* out: skipped items a save in place left as they are */
} TransformRun;

static void
relay_report_progress (guint    done,
                       guint    total,
                       gpointer user_data)
{
  dm_cli_job_report (user_data, "report", (double) done / total, total);
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

/* Load, apply, render the HTML report, save: in the worker thread, each
 * step cancellable. The reports are written aside before the save and
 * renamed into place after it, so a run writes every output it was asked
 * for or none: a report that cannot be written fails the run before the
 * dataset is touched. The save's own time, known only once it is done,
 * is written over the staged report's placeholder, in place, before the
 * renames. */
static gboolean
transform_work (DmCliJob      *job,
                gpointer       user_data,
                GCancellable  *cancellable,
                GError       **error)
{
  TransformRun *run = user_data;
  RunOptions *options = run->options;
  g_autofree char *html = NULL;
  g_autoptr(DmStagedFile) staged_html = NULL;
  g_autoptr(DmStagedFile) staged_report = NULL;
  g_autoptr(GOutputStream) report_text = NULL;
  guint n_input;
  DmHostSeconds seconds = { 0 };
  goffset host_seconds_offset = 0;
  gint64 start = g_get_monotonic_time (), writing_start;

  dm_cli_job_report (job, "loading", -1.0, 0);
  run->input = dm_dataset_load_with_options (options->source, options->format,
                                             (const char * const *) options->source_options, cancellable, error);
  if (run->input == NULL)
    return FALSE;
  seconds.loading = seconds_since (start);
  n_input = dm_dataset_get_n_items (run->input);
  dm_cli_job_report (job, "loading", 1.0, n_input);

  dm_cli_job_follow_transform (job, run->transform);
  run->output = dm_transform_apply (run->transform, run->input, cancellable, error);
  if (run->output == NULL)
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* One text for both reports: --report's file, and the per-item members
   * the HTML report reads from it, which the tree leaves out. */
  if (options->report_path != NULL)
    {
      report_text = write_report_text (run->transform, options->report_path, error);
      if (report_text == NULL)
        return FALSE;
    }
  else if (options->html_report_dir != NULL && dm_transform_get_report (run->transform) != NULL
           && JSON_NODE_HOLDS_OBJECT (dm_transform_get_report (run->transform)))
    {
      report_text = write_report_text (run->transform, options->html_report_dir, error);
      if (report_text == NULL)
        return FALSE;
    }

  if (options->html_report_dir != NULL)
    {
      DmHtmlReportContent content;

      dm_html_report_content_init (&content, run->input, run->output);
      content.source = options->source;
      content.transform_label = dm_transform_get_label (run->transform);
      content.transform_report = dm_transform_get_report (run->transform);
      if (report_text != NULL)
        {
          content.transform_report_text = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (report_text));
          content.transform_report_text_length =
            g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (report_text));
        }
      dm_cli_job_report (job, "report", -1.0, 0);
      html = dm_html_report_render (&content, cancellable, relay_report_progress, job, error);
      if (html == NULL)
        return FALSE;
    }

  if (html != NULL)
    {
      g_autofree char *index = g_build_filename (options->html_report_dir, "index.html", NULL);

      staged_html = dm_staged_file_new (index, html, error);
      if (staged_html == NULL)
        {
          g_prefix_error (error, _("Cannot write the HTML report: "));
          return FALSE;
        }
    }
  if (options->report_path != NULL)
    {
      staged_report = stage_report (run->transform, report_text, options->report_path, &seconds,
                                    &host_seconds_offset, error);
      if (staged_report == NULL)
        return FALSE;
    }

  /* Saved in place, libdm leaves the items the transform skipped as they
   * are (dm_dataset_save()); the summary says so. */
  if (is_in_place (run->destination, options->source) && skipped_items (run->transform) != NULL)
    run->n_left = json_array_get_length (skipped_items (run->transform));

  dm_cli_job_report (job, "writing", -1.0, dm_dataset_get_n_items (run->output));
  writing_start = g_get_monotonic_time ();
  if (!dm_dataset_save (run->output, run->destination, run->flags, cancellable, error))
    return FALSE;
  seconds.writing = seconds_since (writing_start);
  seconds.total = seconds_since (start);
  dm_cli_job_report (job, "writing", 1.0, dm_dataset_get_n_items (run->output));

  if (staged_report != NULL && !patch_host_seconds (staged_report, host_seconds_offset, &seconds, error))
    return FALSE;

  /* The dataset is in place: renames only, which no longer heed the
   * cancellable. */
  if ((staged_html != NULL && !dm_staged_file_commit (staged_html, error)) ||
      (staged_report != NULL && !dm_staged_file_commit (staged_report, error)))
    return FALSE;

  return TRUE;
}

/* The format of @source: @format as given, or detected before any work,
 * so that a SOURCE in no format (a Datumaro project, say), or one that
 * does not take the --source-option's @source_options, is refused at
 * once, not after "loading…". */
static gboolean
settle_format (const char          *source,
               char               **format,
               const char * const  *source_options,
               GError             **error)
{
  if (*format == NULL)
    *format = dm_dataset_detect_format (source, error);
  return *format != NULL && dm_dataset_check_load_options (*format, source_options, error);
}

/* The end of a run whose SOURCE cannot be changed in place (@error, from
 * dm_dataset_check_in_place()), said as soon as its format is known, not
 * after the work. Asking for it (--overwrite without -o, or -o SOURCE) is
 * a flag the SOURCE refuses: a usage error, exit status 2, as no -o
 * without --overwrite is. The way out (-o DEST) is print_error()'s. */
static int
refuse_in_place (const GError *error)
{
  print_error (error);
  return 2;
}

/* The end of a run given neither -o nor --overwrite: a usage error that
 * offers what can work. --overwrite (in place) only where SOURCE's format
 * allows it, by libdm's rule (dm_dataset_check_in_place()); a SOURCE whose
 * format cannot be told is refused for that once a flag is given. */
static int
refuse_no_destination (const RunOptions *options)
{
  g_autofree char *detected = options->format == NULL ? dm_dataset_detect_format (options->source, NULL) : NULL;
  const char *format = options->format != NULL ? options->format : detected;

  if (format != NULL && !dm_dataset_check_in_place (options->source, options->source, format, NULL))
    /* TRANSLATORS: the first %s is SOURCE, the second its format, as in “imagenet” */
    g_printerr (_("dm: no output directory: pass -o DEST (%s is in %s format, which cannot be changed in place)\n"),
                options->source, format);
  else
    g_printerr (_("dm: no output directory: pass -o DEST, or --overwrite to change %s in place\n"),
                options->source);
  return 2;
}

/* -f's help: the formats libdm reads. */
static char *
describe_formats (void)
{
  g_auto(GStrv) formats = dm_dataset_list_formats ();
  g_autofree char *joined = g_strjoinv (", ", formats);

  /* TRANSLATORS: -f's help; %s is the list of formats, as in
   * “datumaro, imagenet, imagenet_txt” */
  return g_strdup_printf (_("Format of SOURCE: %s (default: detect)"), joined);
}

/* --source-option's help: the options of each format that takes some, as
 * libdm lists them. */
static char *
describe_source_options (void)
{
  g_auto(GStrv) formats = dm_dataset_list_formats ();
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint f = 0; formats[f] != NULL; f++)
    {
      g_auto(GStrv) options = dm_dataset_list_load_options (formats[f]);
      g_autofree char *joined = g_strjoinv (", ", options);

      if (options[0] == NULL)
        continue;
      if (list->len > 0)
        g_string_append (list, "; ");
      g_string_append_printf (list, "%s: %s", formats[f], joined);
    }
  /* TRANSLATORS: --source-option's help, then the formats that take
   * options, as in “imagenet_txt: labels=file|generate, labels_file=FILE” */
  return g_strdup_printf (_("Set an option of SOURCE’s format (%s)"), list->str);
}

/* The parameter @assignment ("name=value") sets, spelt with '-' as
 * GObject does ('_' is taken for it), or NULL when it has no '='. */
static char *
assigned_name (const char *assignment)
{
  const char *eq = strchr (assignment, '=');

  return eq != NULL ? g_strdelimit (g_strndup (assignment, eq - assignment), "_", '-') : NULL;
}

/* Whether an assignment after the @index-th of @assignments sets the same
 * parameter. */
static gboolean
is_superseded (GPtrArray *assignments,
               guint      index)
{
  g_autofree char *name = assigned_name (g_ptr_array_index (assignments, index));

  for (guint later = index + 1; name != NULL && later < assignments->len; later++)
    {
      g_autofree char *later_name = assigned_name (g_ptr_array_index (assignments, later));

      if (g_strcmp0 (name, later_name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Sets each NAME=VALUE of @assignments on @transform, and checks them
 * together, before SOURCE is loaded: a combination the transform cannot
 * apply is refused at once. A parameter given twice (-m a -m b, the same
 * way: check_given_twice() refuses two ways) takes its last value, as
 * GOption's own options do, so the values before it are not even parsed:
 * `-m foo -m random` is random. Returns 0, or the exit status after
 * printing the error. */
static int
set_parameters (DmTransform *transform,
                GPtrArray   *assignments)
{
  g_autoptr(GError) check_error = NULL;

  for (guint i = 0; i < assignments->len; i++)
    {
      const char *assignment = g_ptr_array_index (assignments, i);
      const char *eq = strchr (assignment, '=');
      g_autofree char *name = NULL;
      g_autoptr(GError) error = NULL;

      if (eq == NULL || eq == assignment)
        {
          g_printerr (_("dm: invalid parameter “%s”: expected NAME=VALUE\n"), assignment);
          return 2;
        }
      if (is_superseded (assignments, i))
        continue;
      name = g_strndup (assignment, eq - assignment);
      if (!dm_transform_set_parameter_from_string (transform, name, eq + 1, &error))
        return fail (error);
    }
  if (!dm_transform_check_parameters (transform, &check_error))
    return fail (check_error);
  return 0;
}

/* The reports are written at the end, after the work: a folder they
 * cannot be written in (read-only, not the user's) is said before it. */
static gboolean
check_report_places (const RunOptions  *options,
                     GError           **error)
{
  g_autofree char *index = NULL;

  if (options->report_path != NULL && !dm_staged_file_check_place (options->report_path, error))
    {
      g_prefix_error (error, _("Cannot write the report %s: "), options->report_path);
      return FALSE;
    }
  if (options->html_report_dir == NULL)
    return TRUE;
  index = g_build_filename (options->html_report_dir, "index.html", NULL);
  if (!dm_staged_file_check_place (index, error))
    {
      g_prefix_error (error, _("Cannot write the HTML report %s: "), index);
      return FALSE;
    }
  if (options->report_path != NULL)
    {
      g_autofree char *resolved_index = dm_resolve_path (index);
      g_autofree char *resolved_report = dm_resolve_path (options->report_path);

      /* One would be put in place over the other, which is lost. */
      if (g_str_equal (resolved_index, resolved_report))
        {
          g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                       _("Cannot write the report to %s: it is the HTML report’s %s; choose another file"),
                       options->report_path, index);
          return FALSE;
        }
    }
  return TRUE;
}

static int
run_transform (RunOptions  *options,
               DmTransform *transform)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DmCliProgress) progress = NULL;
  TransformRun run = { options };
  int stop_signal = 0;
  gboolean succeeded;
  int status;

  if (options->destination == NULL && !options->overwrite)
    return refuse_no_destination (options);
  run.destination = options->destination ? options->destination : options->source;
  run.flags = (options->overwrite ? DM_SAVE_OVERWRITE : DM_SAVE_NONE) |
              (options->link_media ? DM_SAVE_LINK_MEDIA : DM_SAVE_NONE);

  run.transform = transform;
  /* No per-item members in the report's tree (a node per item): both
   * reports take them from the text the transform writes from its own
   * compact data (write_report_text()). */
  dm_transform_set_report_per_item (transform, FALSE);

  status = set_parameters (transform, options->parameters);
  if (status != 0)
    return status;

  if (!settle_format (options->source, &options->format, (const char * const *) options->source_options, &error))
    return fail (error);
  if (!dm_dataset_check_in_place (run.destination, options->source, options->format, &error))
    return refuse_in_place (error);
  if (!dm_dataset_check_destination (run.destination, options->source, run.flags, &error))
    return fail (error);
  if (options->report_path != NULL
      && !dm_json_report_check_destination (options->report_path, options->source, run.destination, &error))
    return fail (error);
  if (options->html_report_dir != NULL
      && !dm_html_report_check_destination (options->html_report_dir, options->source, run.destination,
                                            options->overwrite, &error))
    return fail (error);
  if (!check_report_places (options, &error))
    return fail (error);

  progress = make_progress (options->quiet, transform);
  succeeded = dm_cli_job_run (progress, transform_work, &run, &stop_signal, &error);
  if (succeeded && !options->quiet)
    {
      print_skipped (run.transform);
      print_summary (run.input, run.output, run.destination, run.n_left);
    }

  g_clear_object (&run.input);
  g_clear_object (&run.output);
  return succeeded ? 0 : fail_run (error, stop_signal);
}

/* `datum` names a dataset as PATH:FORMAT: the part after the last colon
 * is the format when PATH names no existing file as a whole and that part
 * is a plain name. Sets @options->source and @options->format; a format
 * that disagrees with -f is a usage error, returned as its message. */
static const char *
split_target (RunOptions *options,
              const char *target)
{
  const char *colon = strrchr (target, ':');
  g_autofree char *format = NULL;

  if (g_file_test (target, G_FILE_TEST_EXISTS) || colon == NULL || colon[1] == '\0'
      || strchr (colon + 1, G_DIR_SEPARATOR) != NULL)
    {
      options->source = g_strdup (target);
      return NULL;
    }

  format = g_strdup (colon + 1);
  if (options->format != NULL && !g_str_equal (options->format, format))
    return _("SOURCE:FORMAT and -f name different formats");
  options->source = g_strndup (target, colon - target);
  g_free (options->format);
  options->format = g_steal_pointer (&format);
  return NULL;
}

/* What `datum prune` and `datum transform` accept but means nothing to dm:
 * their message, or NULL when the run may go on. */
static const char *
check_datum_only_options (const char *project)
{
  if (project != NULL)
    return _("-p/--project names a Datumaro project, and dm works on dataset directories: "
             "pass the dataset directory as SOURCE (transform parameters are --param NAME=VALUE)");
  return NULL;
}

/* A transform's parameters as options of `dm TRANSFORM`, made from its
 * GParamSpecs: `--NAME VALUE` (a flag for a boolean), the short aliases
 * its class declares, the blurb and the values it takes as help. The
 * values are collected as NAME=VALUE in command-line order and set after
 * parsing, with --param's, through dm_transform_set_parameter_from_string. */
/* How a parameter was given on the command line. */
typedef enum
{
  PARAMETER_BY_OPTION,               /* its own option, long or short */
  PARAMETER_BY_PARAM,                /* --param NAME=VALUE */
  PARAMETER_BY_POSITION,             /* an argument after SOURCE */
} ParameterSource;

typedef struct
{
  DmTransform *transform;
  GPtrArray *assignments;            /* of "name=value" */
  GArray *sources;                   /* of ParameterSource, one per assignment */
  GPtrArray *given_as;               /* for messages: "-r", "--param ratio", one per assignment */
  const char *by_alias[128];         /* short option -> parameter */
  GStringChunk *strings;             /* the entries' texts */
  GArray *entries;                   /* of GOptionEntry */
} ParameterOptions;

static void
parameter_options_clear (ParameterOptions *options)
{
  g_clear_pointer (&options->assignments, g_ptr_array_unref);
  g_clear_pointer (&options->sources, g_array_unref);
  g_clear_pointer (&options->given_as, g_ptr_array_unref);
  g_clear_pointer (&options->strings, g_string_chunk_free);
  g_clear_pointer (&options->entries, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ParameterOptions, parameter_options_clear)

/* Adds @assignment ("name=value"), given through @source, spelt
 * @given_as; takes both strings. */
static void
add_assignment (ParameterOptions *options,
                char             *assignment,
                ParameterSource   source,
                char             *given_as)
{
  g_ptr_array_add (options->assignments, assignment);
  g_array_append_val (options->sources, source);
  g_ptr_array_add (options->given_as, given_as);
}

/* Adds each NAME=VALUE of @param_options, as --param gives them. */
static void
add_param_assignments (ParameterOptions *options,
                       char            **param_options)
{
  for (guint i = 0; param_options != NULL && param_options[i] != NULL; i++)
    {
      const char *eq = strchr (param_options[i], '=');
      g_autofree char *name = eq != NULL ? g_strndup (param_options[i], eq - param_options[i])
                                         : g_strdup (param_options[i]);

      add_assignment (options, g_strdup (param_options[i]), PARAMETER_BY_PARAM,
                      g_strdup_printf ("--param %s", name));
    }
}

/* The usage error when one parameter is given through two ways (its
 * option and --param, or a position): which one counts would be a
 * guess. The same way twice (-m a -m b) is GOption's convention: the
 * last one counts. NULL when there is none. */
static char *
check_given_twice (ParameterOptions *options)
{
  g_autoptr(GHashTable) first_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint a = 0; a < options->assignments->len; a++)
    {
      const char *assignment = g_ptr_array_index (options->assignments, a);
      const char *eq = strchr (assignment, '=');
      char *name;
      gpointer first;

      if (eq == NULL)
        continue;   /* set_parameters() refuses it */
      /* Spelt with '-', as GObject does. */
      name = g_strdelimit (g_strndup (assignment, eq - assignment), "_", '-');
      if (g_hash_table_lookup_extended (first_of, name, NULL, &first))
        {
          guint f = GPOINTER_TO_UINT (first);
          g_autofree char *message = NULL;

          if (g_array_index (options->sources, ParameterSource, f)
              != g_array_index (options->sources, ParameterSource, a))
            message = g_strdup_printf (_("%s is given twice (%s and %s)"), name,
                                       (const char *) g_ptr_array_index (options->given_as, f),
                                       (const char *) g_ptr_array_index (options->given_as, a));
          g_free (name);
          if (message != NULL)
            return g_steal_pointer (&message);
          continue;
        }
      g_hash_table_insert (first_of, name, GUINT_TO_POINTER (a));
    }
  return NULL;
}

static gboolean
collect_parameter (const char  *option_name,
                   const char  *value,
                   gpointer     user_data,
                   GError     **error)
{
  ParameterOptions *options = user_data;
  const char *name = g_str_has_prefix (option_name, "--") ? option_name + 2
                     : options->by_alias[(guchar) option_name[1] & 127];

  add_assignment (options, g_strconcat (name, "=", value ? value : "true", NULL),
                  PARAMETER_BY_OPTION, g_strdup (option_name));
  return TRUE;
}

static gboolean
is_host_option (const GOptionEntry *host_entries,
                const char         *long_name,
                char                short_name)
{
  for (const GOptionEntry *e = host_entries; e->long_name != NULL; e++)
    if (g_str_equal (e->long_name, long_name) || (short_name != 0 && e->short_name == short_name))
      return TRUE;
  return FALSE;
}

/* Adds an option for each writable parameter of @transform (if any) that
 * does not clash with @host_entries (a clashing one stays settable with
 * --param); @show_required: the command requires what the transform does. */
static void
parameter_options_init (ParameterOptions   *options,
                        DmTransform        *transform,
                        const GOptionEntry *host_entries,
                        gboolean            show_required)
{
  DmTransformClass *klass;
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs;

  memset (options, 0, sizeof *options);
  options->transform = transform;
  options->assignments = g_ptr_array_new_with_free_func (g_free);
  options->sources = g_array_new (FALSE, FALSE, sizeof (ParameterSource));
  options->given_as = g_ptr_array_new_with_free_func (g_free);
  options->strings = g_string_chunk_new (512);
  options->entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  if (transform == NULL)
    return;

  klass = DM_TRANSFORM_GET_CLASS (transform);
  pspecs = g_object_class_list_properties (G_OBJECT_CLASS (klass), &n_pspecs);
  for (guint p = 0; p < n_pspecs; p++)
    {
      const char *name = g_param_spec_get_name (pspecs[p]);
      char alias = dm_transform_class_get_alias (klass, name);
      g_autofree char *help = describe_parameter (klass, pspecs[p], show_required, TRUE);
      g_autofree char *placeholder = g_ascii_strup (name, -1);
      GOptionEntry entry = { 0 };

      if (!(pspecs[p]->flags & G_PARAM_WRITABLE) || (pspecs[p]->flags & G_PARAM_CONSTRUCT_ONLY)
          || is_host_option (host_entries, name, 0))
        continue;
      if (alias != 0 && is_host_option (host_entries, "", alias))
        alias = 0;

      entry.long_name = g_string_chunk_insert_const (options->strings, name);
      entry.short_name = alias;
      entry.arg = G_OPTION_ARG_CALLBACK;
      entry.arg_data = (gpointer) collect_parameter;
      entry.description = g_string_chunk_insert (options->strings, help);
      if (G_PARAM_SPEC_VALUE_TYPE (pspecs[p]) == G_TYPE_BOOLEAN)
        entry.flags = G_OPTION_FLAG_NO_ARG;
      else
        entry.arg_description = g_string_chunk_insert (options->strings, g_strdelimit (placeholder, "-", '_'));
      if (alias != 0)
        options->by_alias[(guchar) alias & 127] = entry.long_name;
      g_array_append_val (options->entries, entry);
    }
}

/* Whether one of @assignments ("name=value") sets the parameter @name
 * (spelt with '-', as GObject does; '_' is taken for it). */
static gboolean
is_assigned (GPtrArray  *assignments,
             const char *name)
{
  for (guint a = 0; a < assignments->len; a++)
    {
      const char *assignment = g_ptr_array_index (assignments, a);
      const char *eq = strchr (assignment, '=');
      g_autofree char *assigned = eq ? g_strndup (assignment, eq - assignment) : NULL;

      if (assigned != NULL && g_str_equal (g_strdelimit (assigned, "_", '-'), name))
        return TRUE;
    }
  return FALSE;
}

/* The first required parameter @assignments leave unset, or NULL. */
static const char *
missing_required_parameter (DmTransform *transform,
                            GPtrArray   *assignments)
{
  DmTransformClass *klass = DM_TRANSFORM_GET_CLASS (transform);
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs;

  pspecs = g_object_class_list_properties (G_OBJECT_CLASS (klass), &n_pspecs);
  for (guint p = 0; p < n_pspecs; p++)
    {
      const char *name = g_param_spec_get_name (pspecs[p]);

      if (dm_transform_class_is_parameter_required (klass, name) && !is_assigned (assignments, name))
        return name;
    }
  return NULL;
}

/* The host's options of `dm TRANSFORM` and `dm transform NAME`: where to
 * write, reports, progress. */
static GOptionEntry *
host_entries_new (RunOptions *options)
{
  /* Freed with @options, which the entries' texts live as long as. */
  const char *source_option_help = options->source_option_help = describe_source_options ();
  const char *format_help = options->format_help = describe_formats ();
  const GOptionEntry entries[] = {
    { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &options->destination, N_("Output directory"), N_("DEST") },
    { "output", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &options->destination, NULL, NULL },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &options->overwrite,
      N_("Replace DEST if it exists; without -o, change SOURCE in place"), NULL },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &options->format, format_help, N_("FORMAT") },
    { "source-option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->source_options, source_option_help,
      N_("NAME=VALUE") },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &options->report_path, N_("Write the transform’s JSON report to FILE"), N_("FILE") },
    { "report-html", 0, 0, G_OPTION_ARG_FILENAME, &options->html_report_dir,
      N_("Write a page showing what was kept and dropped to DIR/index.html"), N_("DIR") },
    { "link-media", 0, 0, G_OPTION_ARG_NONE, &options->link_media,
      N_("Hard-link media files into DEST instead of copying them (DEST then shares them with SOURCE)"), NULL },
    { "param", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->param_options, N_("Set a transform parameter"), N_("NAME=VALUE") },
    { "project", 'p', G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &options->project, NULL, NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &options->quiet, N_("Print only errors and warnings: no progress, summary or list of skipped items"), NULL },
    G_OPTION_ENTRY_NULL
  };

  return g_memdup2 (entries, sizeof entries);
}

/* A context whose main group has @host_entries and, with @transform, the
 * options made from its parameters into @parameter_options. */
static GOptionContext *
transform_context_new (const char         *arguments,
                       const char         *summary,
                       DmTransform        *transform,
                       const GOptionEntry *host_entries,
                       gboolean            show_required,
                       ParameterOptions   *parameter_options)
{
  GOptionContext *context = g_option_context_new (arguments);
  GOptionGroup *group;

  parameter_options_init (parameter_options, transform, host_entries, show_required);
  group = g_option_group_new (NULL, NULL, NULL, parameter_options, NULL);
  /* The parameters' help is translated already, in the transform's
   * domain; a text that is no msgid of this one passes through as it is. */
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, host_entries);
  g_option_group_add_entries (group, (GOptionEntry *) parameter_options->entries->data);
  g_option_context_set_main_group (context, group);
  g_option_context_set_summary (context, summary);
  return context;
}

/* Whether @entry takes no value: a flag of dm's or a boolean parameter. */
static gboolean
takes_no_value (const GOptionEntry *entry)
{
  return entry->arg == G_OPTION_ARG_NONE || (entry->flags & G_OPTION_FLAG_NO_ARG) != 0;
}

/* GOption drops the value of `--FLAG=VALUE` for an option that takes
 * none, and sets the flag: `--overwrite=no` would overwrite, and
 * `--stratify=false` stratify. Such a value is refused, as a usage error
 * before any work; the usage error, or NULL. Options after `--` are
 * arguments. */
static char *
check_flag_values (const GOptionEntry *host_entries,
                   const GOptionEntry *parameter_entries,
                   int                 argc,
                   char              **argv)
{
  const GOptionEntry *lists[] = { host_entries, parameter_entries };

  for (int i = 1; i < argc && !g_str_equal (argv[i], "--"); i++)
    {
      const char *eq = strchr (argv[i], '=');

      if (!g_str_has_prefix (argv[i], "--") || eq == NULL)
        continue;
      for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
        for (const GOptionEntry *e = lists[l]; e != NULL && e->long_name != NULL; e++)
          if (takes_no_value (e) && strlen (e->long_name) == (gsize) (eq - argv[i] - 2)
              && strncmp (e->long_name, argv[i] + 2, eq - argv[i] - 2) == 0)
            /* TRANSLATORS: a usage error, as in “--overwrite takes no value, and “no” was given” */
            return g_strdup_printf (_("--%s takes no value, and “%s” was given"), e->long_name, eq + 1);
    }
  return NULL;
}

/* An empty SOURCE, DEST or report path would be taken for the current
 * directory (`-o ""` would write the dataset there): the usage error
 * naming the first such option, or NULL. */
static char *
check_empty_paths (const char *const *names,
                   const char *const *values,
                   guint              n)
{
  for (guint i = 0; i < n; i++)
    if (values[i] != NULL && values[i][0] == '\0')
      /* TRANSLATORS: a usage error; %s is an option (“-o”) or “SOURCE” */
      return g_strdup_printf (_("%s is empty: give a path"), names[i]);
  return NULL;
}

/* The usage error when a required parameter is not given, or NULL. */
static char *
check_required_parameters (DmTransform *transform,
                           GPtrArray   *assignments)
{
  const char *missing = missing_required_parameter (transform, assignments);
  char alias;
  g_autofree char *placeholder = NULL;
  g_autofree char *option = NULL;

  if (missing == NULL)
    return NULL;
  alias = dm_transform_class_get_alias (DM_TRANSFORM_GET_CLASS (transform), missing);
  placeholder = g_strdelimit (g_ascii_strup (missing, -1), "-", '_');
  option = alias != 0 ? g_strdup_printf ("-%c %s", alias, placeholder)
                      : g_strdup_printf ("--%s %s", missing, placeholder);
  /* TRANSLATORS: a usage error, as in “no method: pass -m METHOD” */
  return g_strdup_printf (_("no %s: pass %s"), missing, option);
}

/* `dm TRANSFORM SOURCE[:FORMAT] [POSITIONAL…]` (@by_name FALSE), or
 * `dm transform NAME SOURCE[:FORMAT]` (@by_name TRUE, NAME taken out of
 * @argv already; @transform %NULL when none was named, for --help), which
 * takes no positional parameters and requires none: the transform's
 * defaults stand. Both take the host's options and the transform's, made
 * from its parameters. */
static int
run_transform_command (DmCliLog    *log,
                       DmTransform *transform,
                       gboolean     by_name,
                       int          argc,
                       char       **argv)
{
  g_auto(RunOptions) options = { 0 };
  g_autofree GOptionEntry *host_entries = host_entries_new (&options);
  g_auto(ParameterOptions) parameter_options;
  g_auto(GStrv) positionals = NULL;
  g_autoptr(GString) arguments = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *twice = NULL;
  g_autofree char *flag_value = NULL;
  g_autofree char *empty = NULL;
  const char *problem;
  guint n_positionals;

  positionals = by_name ? g_new0 (char *, 1)
                        : dm_transform_class_list_positionals (DM_TRANSFORM_GET_CLASS (transform));
  n_positionals = g_strv_length (positionals);
  arguments = g_string_new (by_name ? _("NAME SOURCE[:FORMAT]") : _("SOURCE[:FORMAT]"));
  /* The positional parameters follow SOURCE, each optional on the command
   * line (a required one is checked below, however it is given). */
  for (guint i = 0; i < n_positionals; i++)
    {
      g_autofree char *placeholder = g_strdelimit (g_ascii_strup (positionals[i], -1), "-", '_');

      g_string_append_printf (arguments, " [%s", placeholder);
    }
  for (guint i = 0; i < n_positionals; i++)
    g_string_append_c (arguments, ']');
  context = transform_context_new (arguments->str,
                                   by_name ? _("Run any registered transform on a dataset (see “dm transforms”).")
                                           : dm_transform_get_description (transform),
                                   transform, host_entries, !by_name, &parameter_options);

  if ((flag_value = check_flag_values (host_entries, (GOptionEntry *) parameter_options.entries->data,
                                       argc, argv)) != NULL)
    return usage_error (context, flag_value);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);
  log->quiet = options.quiet;
  if ((problem = check_datum_only_options (options.project)) != NULL)
    return usage_error (context, problem);
  if (by_name && (transform == NULL || argc != 2))
    return usage_error (context, _("expected a transform NAME and a SOURCE directory"));
  if (argc < 2 || (guint) argc > 2 + n_positionals)
    return usage_error (context, _("expected one SOURCE directory"));
  for (int i = 2; i < argc; i++)
    add_assignment (&parameter_options, g_strconcat (positionals[i - 2], "=", argv[i], NULL),
                    PARAMETER_BY_POSITION, g_strdelimit (g_ascii_strup (positionals[i - 2], -1), "-", '_'));
  add_param_assignments (&parameter_options, options.param_options);
  if ((twice = check_given_twice (&parameter_options)) != NULL)
    return usage_error (context, twice);
  if (!by_name && (missing = check_required_parameters (transform, parameter_options.assignments)) != NULL)
    return usage_error (context, missing);
  if ((empty = check_empty_paths ((const char *const []) { "SOURCE", "-o", "--report", "--report-html" },
                                  (const char *const []) { argv[1], options.destination, options.report_path,
                                                           options.html_report_dir }, 4)) != NULL)
    return usage_error (context, empty);
  if ((problem = split_target (&options, argv[1])) != NULL)
    return usage_error (context, problem);

  options.parameters = g_steal_pointer (&parameter_options.assignments);
  return run_transform (&options, transform);
}

/* Whether @arg is an option of @entries that takes its value from the next
 * argument ("-o DEST", "--format FORMAT", not "--format=FORMAT"). */
static gboolean
takes_next_argument (const GOptionEntry *entries,
                     const char         *arg)
{
  gboolean is_long = g_str_has_prefix (arg, "--");

  if (is_long ? strchr (arg, '=') != NULL : strlen (arg) != 2)
    return FALSE;
  for (const GOptionEntry *e = entries; e->long_name != NULL; e++)
    if (is_long ? g_str_equal (e->long_name, arg + 2) : e->short_name == arg[1])
      return e->arg != G_OPTION_ARG_NONE;
  return FALSE;
}

/* `dm transform NAME SOURCE[:FORMAT]`: NAME is the first argument that is
 * neither an option nor a host option's value. */
static int
command_transform (DmCliLog *log, int argc, char **argv)
{
  g_auto(RunOptions) scratch = { 0 };
  g_autofree GOptionEntry *host_entries = host_entries_new (&scratch);
  g_autoptr(DmTransform) transform = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (argv[i][0] == '-' && argv[i][1] != '\0')
        {
          if (g_str_equal (argv[i], "--"))
            break;
          if (takes_next_argument (host_entries, argv[i]))
            i++;
          continue;
        }
      transform = dm_plugin_registry_create_transform (load_plugins (), argv[i], &error);
      if (transform == NULL)
        return fail_transform_lookup (error);
      memmove (argv + i, argv + i + 1, (argc - i) * sizeof *argv);
      argc--;
      break;
    }
  return run_transform_command (log, transform, TRUE, argc, argv);
}

/* What the worker thread of `dm hash` works on. */
typedef struct
{
  const char *source;
  const char *format;
  const char * const *source_options;   /* --source-option's, "name=value" */
  DmTransform *transform;
  guint shard_index;
  guint shard_count;       /* 0: hash all items into SOURCE's cache */
  const char *keys_out;    /* the shard's key file */
  char **merge_paths;      /* shard key files to merge, or NULL */
  GPtrArray *parameters;   /* the transform's, "name=value", as given */
  GError *cannot_store;    /* why the cache cannot be written: said once there are keys to store */
  gboolean refused;        /* the decoding was stopped for that */
  GCancellable *work;      /* the work's, which stops it */
  guint n_items;           /* out */
  guint n_computed;        /* out: keys not taken from the cache */
  gboolean skipped;        /* out: the shard's key file was complete */
  gboolean unchanged;      /* out: the cache held every key already */
} HashRun;

/* `dm hash --shard`: hashes the shard's items alone (see dm-hash-shard.c in the formats)
 * into the key file, unless it is complete already; SOURCE is not
 * touched. */
static gboolean
hash_shard (DmCliJob      *job,
            HashRun       *run,
            DmDataset     *input,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *identity = dm_hash_shard_dataset_identity (input);
  g_autoptr(DmDataset) shard = NULL;
  g_autoptr(DmDataset) output = NULL;

  shard = dm_hash_shard_select (input, run->shard_index, run->shard_count);
  run->n_items = dm_dataset_get_n_items (shard);
  if (dm_hash_shard_is_complete (input, run->keys_out, identity, run->shard_index, run->shard_count))
    {
      run->skipped = TRUE;
      return TRUE;
    }
  dm_cli_job_follow_transform (job, run->transform);
  output = dm_transform_apply (run->transform, shard, cancellable, error);
  if (output == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  dm_cli_job_report (job, "writing", -1.0, run->n_items);
  return dm_hash_shard_write (output, run->keys_out, identity, run->shard_index, run->shard_count, error);
}

/* How many keys of @output, the hash transform's output for @input (its
 * items in the same order), are not those @input carried: all of them
 * when their origin changed (keys of another hasher, or of embeddings).
 * With none, the cache holds them all already, and storing them would
 * only rewrite it. */
static guint
count_computed_keys (DmDataset *input,
                     DmDataset *output)
{
  guint n = dm_dataset_get_n_items (output);
  guint n_computed = 0;

  g_return_val_if_fail (n == dm_dataset_get_n_items (input), n);
  if (g_strcmp0 (dm_dataset_get_hash_key_origin (input), dm_dataset_get_hash_key_origin (output)) != 0)
    return n;
  for (guint i = 0; i < n; i++)
    {
      GBytes *before = dm_item_get_hash_key (dm_dataset_get_item (input, i));
      GBytes *after = dm_item_get_hash_key (dm_dataset_get_item (output, i));

      if (before == NULL || after == NULL || !g_bytes_equal (before, after))
        n_computed++;
    }
  return n_computed;
}

/* Whether an item of @dataset lacks a key: `dm hash` would store one. */
static gboolean
has_keyless_item (DmDataset *dataset)
{
  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    if (dm_item_get_hash_key (dm_dataset_get_item (dataset, i)) == NULL)
      return TRUE;
  return FALSE;
}

/* The hash transform reports progress only when it has images to decode,
 * and first before it decodes one (keys it takes as they are, or makes
 * from embeddings, cost it no progress): with a cache that cannot be
 * written, the run stops at that first report, before that work, which
 * could not be stored. The progress line is not shown either. */
static void
refuse_decoding (DmTransform  *transform,
                 const char   *phase,
                 double        fraction,
                 guint         n_items,
                 gpointer      user_data)
{
  HashRun *run = user_data;

  run->refused = TRUE;
  g_cancellable_cancel (run->work);
  g_signal_stop_emission_by_name (transform, "progress");
}

/* The keys of all items of @input, from the hash transform, or %NULL with
 * @error set; with a cache that cannot be written, refused before any
 * image is decoded: when an item lacks a key, or the transform takes none
 * of those cached (an older key's). */
static DmDataset *
hash_all_items (DmCliJob      *job,
                HashRun       *run,
                DmDataset     *input,
                GCancellable  *cancellable,
                GError       **error)
{
  DmDataset *output;
  gulong handler = 0;

  if (run->cannot_store != NULL && has_keyless_item (input))
    {
      g_propagate_error (error, g_error_copy (run->cannot_store));
      return NULL;
    }
  /* Connected first, so that a refused decoding shows no progress. */
  if (run->cannot_store != NULL)
    {
      run->work = cancellable;
      handler = g_signal_connect (run->transform, "progress", G_CALLBACK (refuse_decoding), run);
    }
  dm_cli_job_follow_transform (job, run->transform);
  output = dm_transform_apply (run->transform, input, cancellable, error);
  if (handler != 0)
    g_signal_handler_disconnect (run->transform, handler);
  if (output == NULL && run->refused)
    {
      g_clear_error (error);
      g_propagate_error (error, g_error_copy (run->cannot_store));
    }
  return output;
}

/* The error for a SOURCE whose format has no key cache, with the way to
 * a Datumaro copy that suits the run: the hash transform with the
 * parameters given (so keys from embeddings stay so), but not for shards,
 * which are hashed to be merged into a cache that copy would fill whole. */
static void
set_no_cache_error (GError    **error,
                    HashRun    *run,
                    const char *format)
{
  g_autoptr(GString) command = NULL;

  if (run->shard_count > 0 || run->merge_paths != NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_NOT_SUPPORTED,
                   _("%s is in %s format, which has no place for hash keys; --shard and --merge need a dataset "
                     "in Datumaro format: convert it first (any transform writes its output, -o DEST, in it)"),
                   run->source, format);
      return;
    }
  command = g_string_new ("dm transform hash ");
  g_string_append_printf (command, "%s -o DEST", run->source);
  for (guint i = 0; run->source_options != NULL && run->source_options[i] != NULL; i++)
    {
      g_autofree char *quoted = g_shell_quote (run->source_options[i]);

      g_string_append_printf (command, " --source-option %s", quoted);
    }
  for (guint i = 0; i < run->parameters->len; i++)
    {
      g_autofree char *quoted = g_shell_quote (g_ptr_array_index (run->parameters, i));

      g_string_append_printf (command, " --param %s", quoted);
    }
  g_set_error (error, DM_ERROR, DM_ERROR_NOT_SUPPORTED,
               _("%s is in %s format, which has no place for hash keys; convert it first with “%s”"),
               run->source, format, command->str);
}

static gboolean
hash_work (DmCliJob      *job,
           gpointer       user_data,
           GCancellable  *cancellable,
           GError       **error)
{
  HashRun *run = user_data;
  g_autoptr(DmDataset) input = NULL;
  g_autoptr(DmDataset) output = NULL;

  dm_cli_job_report (job, "loading", -1.0, 0);
  input = dm_dataset_load_with_options (run->source, run->format, run->source_options, cancellable, error);
  if (input == NULL)
    return FALSE;
  dm_cli_job_report (job, "loading", 1.0, dm_dataset_get_n_items (input));

  if (run->shard_count > 0)
    return hash_shard (job, run, input, cancellable, error);
  if (run->merge_paths != NULL)
    {
      if (!dm_hash_shard_merge (input, run->merge_paths, cancellable, error))
        return FALSE;
      output = g_object_ref (input);
    }
  else
    {
      output = hash_all_items (job, run, input, cancellable, error);
      if (output == NULL)
        return FALSE;
    }
  /* The key file is written in one go: stop before it, not during. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  run->n_items = dm_dataset_get_n_items (output);
  run->n_computed = count_computed_keys (input, output);
  if (run->merge_paths == NULL && run->n_items > 0 && run->n_computed == 0)
    {
      run->unchanged = TRUE;
      return TRUE;
    }
  /* Keys made without decoding (from embeddings) are refused here, before
   * anything is written. */
  if (run->cannot_store != NULL)
    {
      g_propagate_error (error, g_error_copy (run->cannot_store));
      return FALSE;
    }
  dm_cli_job_report (job, "writing keys", -1.0, run->n_items);
  if (!dm_datumaro_write_hash_keys (output, run->source, error))
    return FALSE;
  dm_cli_job_report (job, "writing keys", 1.0, run->n_items);

  return TRUE;
}

/* What `dm hash` writes, checked before any work: a shard's key file, or
 * the cache below SOURCE (Datumaro's place for it, which a run replaces
 * through a file beside it). A cache that holds every key already is not
 * written, so a SOURCE on read-only storage is refused only once its keys
 * are loaded and one is missing or to be replaced (hash_all_items()); a
 * merge always writes. */
static gboolean
check_hash_source (HashRun  *run,
                   GError  **error)
{
  g_autofree char *cache = NULL;
  g_autoptr(GError) local_error = NULL;

  if (run->shard_count > 0)
    {
      g_autofree char *keys = dm_resolve_path (run->keys_out);
      g_autofree char *source = dm_resolve_path (run->source);

      /* A shard leaves SOURCE as it is: a key file inside it would add a
       * file or replace one (annotations/train.json). */
      if (g_str_equal (keys, source) || dm_path_is_below (keys, source))
        g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                     _("Cannot write the key file %s: it is inside the dataset %s; choose a file outside it"),
                     run->keys_out, run->source);
      /* Said now, not after the hashing. */
      else if (g_file_test (run->keys_out, G_FILE_TEST_IS_DIR) || dm_path_names_directory (run->keys_out))
        g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                     _("Cannot write the key file %s: it names a directory, not a file"), run->keys_out);
      else if (dm_staged_file_check_place (run->keys_out, error))
        return TRUE;
      else
        g_prefix_error (error, _("Cannot write the key file %s: "), run->keys_out);
      return FALSE;
    }
  if (!g_file_test (run->source, G_FILE_TEST_IS_DIR))
    return TRUE;   /* the loader says what is wrong */
  cache = g_build_filename (run->source, "hash_key_meta", "hash_keys.json", NULL);
  if (dm_staged_file_check_place (cache, &local_error))
    return TRUE;
  g_prefix_error (&local_error, _("Cannot store hash keys in %s: "), run->source);
  if (run->merge_paths != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  run->cannot_store = g_steal_pointer (&local_error);
  return TRUE;
}

/* `dm hash SOURCE`: the hash transform's parameters (--threads,
 * --embeddings, --ids) are options made from its GParamSpecs, as for
 * `dm TRANSFORM`; the options here are the cache's and the shards'. */
static int
command_hash (DmCliLog *log, int argc, char **argv)
{
  g_autofree char *format = NULL;
  g_autofree char *shard = NULL;
  g_autofree char *keys_out = NULL;
  gboolean merge = FALSE;
  g_auto(GStrv) parameters = NULL;
  g_auto(GStrv) source_options = NULL;
  g_autofree char *source_option_help = describe_source_options ();
  g_auto(ParameterOptions) parameter_options;
  int status;
  gboolean quiet = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) transform_error = NULL;
  g_autoptr(DmTransform) transform = NULL;
  g_autoptr(DmCliProgress) progress = NULL;
  g_autofree char *twice = NULL;
  g_autofree char *flag_value = NULL;
  g_autofree char *empty = NULL;
  HashRun run = { 0 };
  int stop_signal = 0;
  gboolean succeeded;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("Format of SOURCE (only datumaro can store keys)"), N_("FORMAT") },
    { "source-option", 0, 0, G_OPTION_ARG_STRING_ARRAY, &source_options, source_option_help, N_("NAME=VALUE") },
    { "param", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &parameters, N_("Set another transform parameter"), N_("NAME=VALUE") },
    { "shard", 0, 0, G_OPTION_ARG_STRING, &shard, N_("Hash only shard I of N (0 ≤ I < N) into --keys-out, not SOURCE"), N_("I/N") },
    { "keys-out", 0, 0, G_OPTION_ARG_FILENAME, &keys_out, N_("The key file of the shard"), N_("FILE") },
    { "merge", 0, 0, G_OPTION_ARG_NONE, &merge, N_("Store the keys of the shard files given after SOURCE in its cache"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print only errors and warnings: no progress, summary or list of skipped items"), NULL },
    G_OPTION_ENTRY_NULL
  };

  /* Made before parsing, for its options; without it, --help still works
   * and a run fails after parsing. */
  transform = dm_plugin_registry_create_transform (load_plugins (), "hash", &transform_error);
  context = transform_context_new (_("SOURCE"),
    _("Compute the hash keys a dataset lacks and store them in its hash_key_meta/hash_keys.json,\n"
      "as Datumaro caches its keys; no other file is changed."),
    transform, entries, TRUE, &parameter_options);
  g_option_context_set_description (context,
    _("On many machines: run “dm hash SOURCE --shard I/N --keys-out FILE” once for each I,\n"
      "then “dm hash SOURCE --merge FILE…” once."));
  if ((flag_value = check_flag_values (entries, (GOptionEntry *) parameter_options.entries->data,
                                       argc, argv)) != NULL)
    return usage_error (context, flag_value);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);
  log->quiet = quiet;
  if (merge && (shard != NULL || keys_out != NULL))
    return usage_error (context, _("--merge does not go with --shard or --keys-out"));
  /* Keys from embeddings cost no decoding, and every row needs its item. */
  if ((shard != NULL || merge) && (is_assigned (parameter_options.assignments, "embeddings") ||
                                   is_assigned (parameter_options.assignments, "ids")))
    return usage_error (context, _("--shard and --merge are for keys made from images, not --embeddings"));
  if ((shard != NULL) != (keys_out != NULL))
    return usage_error (context, _("--shard and --keys-out go together"));
  if (shard != NULL && !dm_hash_shard_parse (shard, &run.shard_index, &run.shard_count))
    return usage_error (context, _("--shard expects I/N with 0 ≤ I < N"));
  if (merge && argc < 3)
    return usage_error (context, _("expected a SOURCE directory and the shard files to merge"));
  if (!merge && argc != 2)
    return usage_error (context, _("expected one SOURCE directory"));
  if ((empty = check_empty_paths ((const char *const []) { "SOURCE", "--keys-out" },
                                  (const char *const []) { argv[1], keys_out }, 2)) != NULL)
    return usage_error (context, empty);

  if (transform == NULL)
    return fail_transform_lookup (transform_error);
  add_param_assignments (&parameter_options, parameters);
  if ((twice = check_given_twice (&parameter_options)) != NULL)
    return usage_error (context, twice);
  status = set_parameters (transform, parameter_options.assignments);
  if (status != 0)
    return status;

  if (!settle_format (argv[1], &format, (const char * const *) source_options, &error))
    return fail (error);
  run.source = argv[1];
  run.format = format;
  run.source_options = (const char * const *) source_options;
  run.transform = transform;
  run.keys_out = keys_out;
  run.merge_paths = merge ? argv + 2 : NULL;
  run.parameters = parameter_options.assignments;
  /* Only Datumaro has a place for the keys: said before loading. */
  if (g_strcmp0 (format, "datumaro") != 0)
    {
      set_no_cache_error (&error, &run, format);
      return fail (error);
    }
  if (!check_hash_source (&run, &error))
    return fail (error);
  progress = make_progress (quiet, transform);
  succeeded = dm_cli_job_run (progress, hash_work, &run, &stop_signal, &error);
  g_clear_error (&run.cannot_store);
  if (!succeeded)
    return fail_run (error, stop_signal);

  if (quiet)
    ;
  else if (run.skipped)
    g_print (_("%s already holds the keys of shard %u/%u (%u items); skipped\n"),
             keys_out, run.shard_index, run.shard_count, run.n_items);
  else if (run.shard_count > 0)
    g_print (_("Stored hash keys of shard %u/%u (%u items) in %s\n"),
             run.shard_index, run.shard_count, run.n_items, keys_out);
  else if (run.unchanged)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "The cache of %s holds the hash key of its %u item already; left it unchanged\n",
                          "The cache of %s holds the hash keys of all its %u items already; left it unchanged\n",
                          run.n_items),
             argv[1], run.n_items);
  else if (merge)
    g_print (g_dngettext (GETTEXT_PACKAGE, "Stored the hash key of %u item in %s, with the shards' keys\n",
                          "Stored the hash keys of %u items in %s, with the shards' keys\n", run.n_items),
             run.n_items, argv[1]);
  else if (run.n_computed == run.n_items)
    g_print (g_dngettext (GETTEXT_PACKAGE, "Stored the hash key of %u item in %s, computed\n",
                          "Stored the hash keys of %u items in %s, all computed\n", run.n_items),
             run.n_items, argv[1]);
  else
    /* Some keys were cached, so there are two items or more. */
    g_print (_("Stored the hash keys of %u items in %s: %u computed, the rest cached\n"),
             run.n_items, argv[1], run.n_computed);
  return 0;
}

static const struct
{
  const char *name;
  int (*run) (DmCliLog *log, int argc, char **argv);
  const char *summary;
} commands[] = {
  { "transforms", command_transforms, N_("List the transforms and their parameters") },
  { "transform", command_transform, N_("Run any transform on a dataset") },
  { "hash", command_hash, N_("Compute and store a dataset’s missing hash keys") },
};

static gboolean
is_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (name, commands[i].name))
      return TRUE;
  return FALSE;
}

static void
print_usage (FILE *stream)
{
  DmPluginRegistry *registry = load_plugins ();
  g_auto(GStrv) names = NULL;
  int width = 12;

  fprintf (stream, "%s\n\n%s\n", _("Usage: dm COMMAND [OPTION…]"), _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-*s %s\n", width, commands[i].name, _(commands[i].summary));
  fprintf (stream, "\n%s\n", _("Transforms (dm TRANSFORM SOURCE[:FORMAT] [OPTION…]):"));
  names = dm_plugin_registry_list_transforms (registry);
  if (names[0] == NULL)
    {
      g_autofree char *no_plugins = describe_no_plugins (registry);

      fprintf (stream, "  %s\n", no_plugins);
    }
  for (guint t = 0; names[t] != NULL; t++)
    width = MAX (width, (int) strlen (names[t]));
  for (guint t = 0; names[t] != NULL; t++)
    {
      g_autoptr(DmTransform) transform = dm_plugin_registry_create_transform (registry, names[t], NULL);

      g_autofree char *label = NULL;
      const char *says;

      if (transform == NULL)
        continue;
      /* The label, or the description where the label is only the name. */
      says = label_beyond_name (transform);
      if (says == NULL)
        says = dm_transform_get_description (transform);
      /* `dm NAME` runs the command of that name, not the transform. */
      if (is_command (names[t]))
        /* TRANSLATORS: a transform's label, then how to run a transform
         * whose name is a command's, as in “hash  Compute hash keys (as a
         * transform: dm transform hash SOURCE …)” */
        label = g_strdup_printf (_("%s (as a transform: dm transform %s SOURCE …)"), says, names[t]);
      else
        label = g_strdup (says);
      fprintf (stream, "  %-*s %s\n", width, names[t], label);
    }
  fprintf (stream, "\n%s\n%s\n", _("Run “dm COMMAND --help” for a command’s options."),
           _("Run “dm --version” for the version."));
}

int
main (int argc, char **argv)
{
  /* The command's messages are libdm's domain, which libdm binds when it
   * is loaded (dm-i18n.c, honouring DM_LOCALEDIR): only the locale and the
   * default domain are the program's to set. */
  DmCliLog *log;

  /* Before anything allocates much; where it cannot, the heap is glibc's
   * as usual, and nothing else changes. */
  dm_cli_heap_prefer_huge_pages ();
  setlocale (LC_ALL, "");
  textdomain (GETTEXT_PACKAGE);
  log = dm_cli_log_install ();

  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return 0;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("dm %s\n", DM_CLI_VERSION);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        g_autofree char *prgname = g_strdup_printf ("dm %s", commands[i].name);

        g_set_prgname (prgname);
        return commands[i].run (log, argc - 1, argv + 1);
      }

  /* Any other name is a transform's: `dm TRANSFORM SOURCE …`. */
  if (argv[1][0] != '-'
      && dm_plugin_registry_lookup_transform (load_plugins (), argv[1]) != G_TYPE_INVALID)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DmTransform) transform = NULL;
      g_autofree char *prgname = g_strdup_printf ("dm %s", argv[1]);

      transform = dm_plugin_registry_create_transform (load_plugins (), argv[1], &error);
      if (transform == NULL)
        return fail (error);
      g_set_prgname (prgname);
      return run_transform_command (log, transform, FALSE, argc - 1, argv + 1);
    }

  /* Most likely a transform's name, which no plugin was found to provide. */
  if (argv[1][0] != '-' && !has_transforms (load_plugins ()))
    {
      g_autofree char *no_plugins = describe_no_plugins (load_plugins ());

      g_printerr (_("dm: unknown command “%s”: %s\n"), argv[1], no_plugins);
      return 2;
    }
  g_printerr (_("dm: unknown command “%s”\n"), argv[1]);
  print_usage (stderr);
  return 2;
}
