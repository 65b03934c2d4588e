/* dm-cli-progress.c: how dm shows the progress of a run's phases.
 *
 * The phases come from two places: the CLI's own (loading, writing, the
 * HTML report) and the transform's `progress` signal, whose phases only
 * the transform's class knows (dm_transform_class_add_phase() gives their
 * labels and counted forms). Either way they arrive here on the main
 * thread as (phase, fraction, total) updates; this file only decides how
 * they look.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "dm-cli-progress.h"

/* Redrawing a terminal line more often than this only costs time. */
#define REDRAW_INTERVAL_US (G_USEC_PER_SEC / 10)
#define PHASE_COLUMN_WIDTH 11
#define DEFAULT_WIDTH 80
#define MIN_BAR_WIDTH 10
#define MAX_BAR_WIDTH 40

struct _DmCliProgress
{
  DmCliProgressMode mode;
  FILE *stream;
  guint width;

  char *phase;            /* NULL between phases */
  double fraction;        /* < 0 while unknown */
  guint total;            /* items the phase goes through, 0 when unknown */
  gint64 started_us;
  gint64 completed_us;    /* when the fraction reached 1, or 0 */
  gint64 drawn_us;
  guint spinner_step;
  gboolean line_drawn;    /* a bar is on screen without its newline */

  DmTransformClass *transform_class;  /* whose phases are shown, or NULL */
};

/* dm's own phases, so their names are translated. "writing keys" is
 * `dm hash`'s writing, of the key cache alone. */
static const char * const known_phases[] = {
  N_("loading"), N_("writing"), N_("writing keys"), N_("report"),
};

/* A phase's label: dm's own phase's, translated (a transform's phase of
 * the same name must not relabel it); else the one the transform's class
 * declares; else the name as it comes. */
static const char *
phase_label (DmTransformClass *klass,
             const char       *phase)
{
  const char *label;

  for (guint i = 0; i < G_N_ELEMENTS (known_phases); i++)
    if (g_str_equal (phase, known_phases[i]))
      return _(known_phases[i]);
  if (klass != NULL && (label = dm_transform_class_get_phase_label (klass, phase)) != NULL)
    return label;
  return phase;
}

/**
 * dm_cli_progress_choose_mode:
 * @quiet: whether the user asked for no output
 *
 * Returns: a bar when standard error is a terminal, else plain lines,
 *   or nothing when @quiet
 */
DmCliProgressMode
dm_cli_progress_choose_mode (gboolean quiet)
{
  if (quiet)
    return DM_CLI_PROGRESS_QUIET;
  return isatty (STDERR_FILENO) ? DM_CLI_PROGRESS_BAR : DM_CLI_PROGRESS_LINES;
}

static guint
terminal_width (FILE *stream)
{
  struct winsize size;

  if (ioctl (fileno (stream), TIOCGWINSZ, &size) == 0 && size.ws_col >= 20)
    return size.ws_col;
  return DEFAULT_WIDTH;
}

/**
 * dm_cli_progress_new:
 * @mode: how to show progress
 * @stream: where to write it: standard error for a bar; for lines, any
 *   stream a log goes to
 */
DmCliProgress *
dm_cli_progress_new (DmCliProgressMode  mode,
                     FILE              *stream)
{
  DmCliProgress *self = g_new0 (DmCliProgress, 1);

  self->mode = mode;
  self->stream = stream;
  self->width = mode == DM_CLI_PROGRESS_BAR ? terminal_width (stream) : DEFAULT_WIDTH;
  self->fraction = -1.0;

  return self;
}

void
dm_cli_progress_free (DmCliProgress *self)
{
  if (self == NULL)
    return;
  g_free (self->phase);
  g_clear_pointer (&self->transform_class, g_type_class_unref);
  g_free (self);
}

DmCliProgressMode
dm_cli_progress_get_mode (DmCliProgress *self)
{
  return self->mode;
}

/**
 * dm_cli_progress_set_transform_class:
 * @self: a progress view
 * @klass: (nullable): the class of the transform whose progress is shown
 *
 * Shows the phases @klass declares (dm_transform_class_add_phase()) by
 * their labels and counted forms.
 */
void
dm_cli_progress_set_transform_class (DmCliProgress    *self,
                                     DmTransformClass *klass)
{
  g_clear_pointer (&self->transform_class, g_type_class_unref);
  if (klass != NULL)
    self->transform_class = g_type_class_ref (G_TYPE_FROM_CLASS (klass));
}

/* For tests, and terminals that do not tell their size. */
void
dm_cli_progress_set_width (DmCliProgress *self,
                           guint          width)
{
  self->width = MAX (width, 20);
}

/**
 * dm_cli_progress_format_duration:
 * @seconds: a duration
 *
 * Returns: "m:ss", or "h:mm:ss" from an hour on
 */
char *
dm_cli_progress_format_duration (double seconds)
{
  guint64 whole = seconds > 0 ? (guint64) (seconds + 0.5) : 0;

  if (whole >= 3600)
    return g_strdup_printf ("%" G_GUINT64_FORMAT ":%02u:%02u", whole / 3600,
                            (guint) (whole / 60 % 60), (guint) (whole % 60));
  return g_strdup_printf ("%u:%02u", (guint) (whole / 60), (guint) (whole % 60));
}

static char *
format_rate (double per_second)
{
  if (per_second >= 1e6)
    return g_strdup_printf (_("%.1fM/s"), per_second / 1e6);
  if (per_second >= 1e3)
    return g_strdup_printf (_("%.1fk/s"), per_second / 1e3);
  return g_strdup_printf (_("%.0f/s"), per_second);
}

static char *
format_elapsed (double seconds)
{
  if (seconds < 60.0)
    return g_strdup_printf (_("%.1f s"), seconds);
  return dm_cli_progress_format_duration (seconds);
}

/* Cuts @line to at most @width - 1 columns: a line as wide as the terminal
 * wraps, and a wrapped line cannot be redrawn with a carriage return. */
static char *
fit_to_width (GString *line,
              guint    width)
{
  glong columns = g_utf8_strlen (line->str, -1);

  if (columns >= (glong) width)
    {
      const char *end = g_utf8_offset_to_pointer (line->str, width - 1);
      g_string_truncate (line, end - line->str);
    }
  return g_string_free (g_steal_pointer (&line), FALSE);
}

/**
 * dm_cli_progress_format_bar:
 * @klass: (nullable): the class of the transform that may report @phase
 * @phase: the phase's name
 * @fraction: how much of it is done, from 0 to 1, or negative when unknown
 * @total: how many items it goes through, or 0 when unknown
 * @elapsed: seconds since it began
 * @spinner_step: turns the spinner shown while @fraction is unknown
 * @width: columns of the terminal
 *
 * Returns: one line without a newline: a bar with the percentage, counts,
 *   rate and time left; or, while the fraction is unknown, a spinner and
 *   the time spent
 */
char *
dm_cli_progress_format_bar (DmTransformClass *klass,
                            const char       *phase,
                            double            fraction,
                            guint             total,
                            double            elapsed,
                            guint             spinner_step,
                            guint             width)
{
  static const char spinner[] = "|/-\\";
  GString *line = g_string_new (NULL);
  g_autoptr(GString) tail = g_string_new (NULL);
  g_autofree char *elapsed_text = dm_cli_progress_format_duration (elapsed);
  const char *label = phase_label (klass, phase);
  glong label_columns = g_utf8_strlen (label, -1);
  guint bar_width, filled;

  g_string_append (line, label);
  for (glong c = label_columns; c < PHASE_COLUMN_WIDTH; c++)
    g_string_append_c (line, ' ');
  g_string_append_c (line, ' ');

  if (fraction < 0.0)
    {
      g_string_append_printf (line, "%c  ", spinner[spinner_step % 4]);
      if (total > 0)
        g_string_append_printf (line, ngettext ("%u item  ", "%u items  ", total), total);
      g_string_append (line, elapsed_text);
      return fit_to_width (line, width);
    }

  fraction = CLAMP (fraction, 0.0, 1.0);
  g_string_append_printf (tail, " %3.0f%%", fraction * 100.0);
  if (total > 0)
    {
      guint done = (guint) (fraction * total + 0.5);
      g_string_append_printf (tail, "  %u/%u", done, total);
      if (elapsed > 0.0 && done > 0)
        {
          g_autofree char *rate = format_rate (done / elapsed);
          g_string_append_printf (tail, "  %s", rate);
        }
    }
  /* The time left by the average pace so far; too early, it would jump. */
  if (fraction >= 1.0)
    g_string_append_printf (tail, "  %s", elapsed_text);
  else if (fraction >= 0.001 && elapsed >= 0.5)
    {
      g_autofree char *left = dm_cli_progress_format_duration (elapsed * (1.0 - fraction) / fraction);
      g_string_append_printf (tail, _("  ETA %s"), left);
    }
  else
    g_string_append (tail, _("  ETA --:--"));

  {
    glong used = g_utf8_strlen (line->str, -1) + 2 + g_utf8_strlen (tail->str, -1) + 1;
    bar_width = used + MIN_BAR_WIDTH < (glong) width ? (guint) (width - used) : MIN_BAR_WIDTH;
    bar_width = CLAMP (bar_width, MIN_BAR_WIDTH, MAX_BAR_WIDTH);
  }
  filled = (guint) (fraction * bar_width);
  g_string_append_c (line, '[');
  for (guint i = 0; i < bar_width; i++)
    g_string_append_c (line, i < filled ? '#' : '.');
  g_string_append_c (line, ']');
  g_string_append (line, tail->str);

  return fit_to_width (line, width);
}

/**
 * dm_cli_progress_format_done:
 * @klass: (nullable): the class of the transform that may report @phase
 * @phase: the phase's name
 * @total: how many items it went through, or 0 when unknown
 * @elapsed: how long it took, in seconds
 *
 * Returns: the line a finished phase leaves on the terminal
 */
char *
dm_cli_progress_format_done (DmTransformClass *klass,
                             const char       *phase,
                             guint             total,
                             double            elapsed)
{
  g_autofree char *elapsed_text = format_elapsed (elapsed);
  const char *label = phase_label (klass, phase);
  GString *line = g_string_new (label);

  for (glong c = g_utf8_strlen (label, -1); c < PHASE_COLUMN_WIDTH; c++)
    g_string_append_c (line, ' ');
  g_string_append_c (line, ' ');

  if (total > 0)
    {
      g_string_append_printf (line, ngettext ("done: %u item in %s", "done: %u items in %s", total),
                              total, elapsed_text);
      if (elapsed > 0.0)
        {
          g_autofree char *rate = format_rate (total / elapsed);
          g_string_append_printf (line, " (%s)", rate);
        }
    }
  else
    g_string_append_printf (line, _("done in %s"), elapsed_text);

  return g_string_free (line, FALSE);
}

/**
 * dm_cli_progress_format_line:
 * @klass: (nullable): the class of the transform that may report @phase
 * @phase: the phase's name
 * @total: how many items it goes through, or 0 when unknown
 *
 * Returns: the plain line that announces a phase in a log
 */
char *
dm_cli_progress_format_line (DmTransformClass *klass,
                             const char       *phase,
                             guint             total)
{
  g_autofree char *counted = NULL;

  /* A sentence of its own for each phase counted, not its name and a
   * count: a language puts the verb where it goes ("20 Elemente
   * schreiben"). A transform's phase has the counted form its class
   * declares. */
  if (total == 0)
    return g_strdup_printf (_("%s…"), phase_label (klass, phase));
  if (g_str_equal (phase, "loading"))
    return g_strdup_printf (ngettext ("loading %u item…", "loading %u items…", total), total);
  if (g_str_equal (phase, "writing"))
    return g_strdup_printf (ngettext ("writing %u item…", "writing %u items…", total), total);
  if (g_str_equal (phase, "writing keys"))
    return g_strdup_printf (ngettext ("writing the keys of %u item…", "writing the keys of %u items…", total),
                            total);
  if (klass != NULL && (counted = dm_transform_class_format_phase_count (klass, phase, total)) != NULL)
    return g_strdup_printf (_("%s…"), counted);
  return g_strdup_printf (ngettext ("%s %u item…", "%s %u items…", total), phase_label (klass, phase), total);
}

static void
draw (DmCliProgress *self,
      gint64         now_us)
{
  g_autofree char *line = NULL;

  line = dm_cli_progress_format_bar (self->transform_class, self->phase, self->fraction, self->total,
                                     (now_us - self->started_us) / (double) G_USEC_PER_SEC,
                                     self->spinner_step, self->width);
  /* Back to the line's start and clear it, so a shorter line leaves no
   * remains of the last. */
  fprintf (self->stream, "\r\033[K%s", line);
  fflush (self->stream);
  self->drawn_us = now_us;
  self->line_drawn = TRUE;
}

/**
 * dm_cli_progress_finish:
 * @self: a progress view
 * @now_us: the monotonic time
 *
 * Ends the current phase, if any: on a terminal its bar becomes a line
 * saying how long it took.
 */
void
dm_cli_progress_finish (DmCliProgress *self,
                        gint64         now_us)
{
  if (self->phase == NULL)
    return;

  if (self->mode == DM_CLI_PROGRESS_BAR)
    {
      /* A phase that told it was complete took until then, not until the
       * next began. */
      gint64 end_us = self->completed_us != 0 ? self->completed_us : now_us;
      g_autofree char *line = dm_cli_progress_format_done (self->transform_class, self->phase, self->total,
                                                           (end_us - self->started_us) / (double) G_USEC_PER_SEC);
      fprintf (self->stream, "\r\033[K%s\n", line);
      fflush (self->stream);
      self->line_drawn = FALSE;
    }

  g_clear_pointer (&self->phase, g_free);
}

/**
 * dm_cli_progress_update:
 * @self: a progress view
 * @phase: the phase under way
 * @fraction: how much of it is done, from 0 to 1, or negative when unknown
 * @total: how many items the phase goes through, or 0 when unknown
 * @now_us: the monotonic time
 *
 * A new @phase ends the last one and starts its own line.
 */
void
dm_cli_progress_update (DmCliProgress *self,
                        const char    *phase,
                        double         fraction,
                        guint          total,
                        gint64         now_us)
{
  gboolean new_phase = g_strcmp0 (self->phase, phase) != 0;

  if (self->mode == DM_CLI_PROGRESS_QUIET)
    return;

  if (new_phase)
    {
      dm_cli_progress_finish (self, now_us);
      self->phase = g_strdup (phase);
      self->started_us = now_us;
      self->completed_us = 0;
      self->spinner_step = 0;
      self->total = 0;
    }
  self->fraction = fraction;
  if (fraction >= 1.0 && self->completed_us == 0)
    self->completed_us = now_us;
  if (total > 0)
    self->total = total;

  if (self->mode == DM_CLI_PROGRESS_LINES)
    {
      if (new_phase)
        {
          g_autofree char *line = dm_cli_progress_format_line (self->transform_class, phase, self->total);
          fprintf (self->stream, "%s\n", line);
          fflush (self->stream);
        }
      return;
    }

  if (new_phase || fraction >= 1.0 || now_us - self->drawn_us >= REDRAW_INTERVAL_US)
    draw (self, now_us);
}

/**
 * dm_cli_progress_tick:
 * @self: a progress view
 * @now_us: the monotonic time
 *
 * Redraws the bar, so a phase that tells no fraction still shows it is
 * alive: the spinner turns and the time goes on.
 */
void
dm_cli_progress_tick (DmCliProgress *self,
                      gint64         now_us)
{
  if (self->mode != DM_CLI_PROGRESS_BAR || self->phase == NULL)
    return;

  self->spinner_step++;
  draw (self, now_us);
}

/**
 * dm_cli_progress_interrupt:
 * @self: a progress view
 *
 * Clears a half-drawn bar, so an error message that follows starts its
 * own line.
 */
void
dm_cli_progress_interrupt (DmCliProgress *self)
{
  if (self->mode == DM_CLI_PROGRESS_BAR && self->line_drawn)
    {
      fprintf (self->stream, "\r\033[K");
      fflush (self->stream);
      self->line_drawn = FALSE;
    }
  g_clear_pointer (&self->phase, g_free);
}
