/* The relay that carries progress from a worker thread to the main
 * context (dm_progress_relay): which posted updates it delivers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib.h>

#include "dm-progress-relay-private.h"

static void
record_update (const char *phase,
               double      fraction,
               guint       total,
               gpointer    user_data)
{
  g_string_append_printf (user_data, "%s %.1f %u\n", phase, fraction, total);
}

/* A worker faster than the main thread: a phase's first update still
 * arrives as posted (so "loading…" never turns into "loading 16 items…"
 * by chance), its later ones replace each other. */
static void
test_relay_keeps_phase_start (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GString) seen = g_string_new (NULL);
  DmProgressRelay *relay = dm_progress_relay_new (context, record_update, seen, NULL);

  dm_progress_relay_post (relay, "loading", -1.0, 0);
  dm_progress_relay_post (relay, "loading", 0.5, 0);
  dm_progress_relay_post (relay, "loading", 1.0, 16);
  dm_progress_relay_post (relay, "writing", 0.0, 16);
  dm_progress_relay_flush (relay);
  dm_progress_relay_post (relay, "writing", 0.5, 16);
  dm_progress_relay_post (relay, "writing", 1.0, 16);
  dm_progress_relay_close (relay);

  g_assert_cmpstr (seen->str, ==,
                   "loading -1.0 0\n" "loading 1.0 16\n" "writing 0.0 16\n" "writing 1.0 16\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/progress-relay/phase-start", test_relay_keeps_phase_start);
  return g_test_run ();
}
