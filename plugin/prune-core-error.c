/* prune-core-error.c: the one translation of DM_CORE_ERROR into the errors
 * a host expects from a transform.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include <dm.h>

#include "dm-core-error.h"
#include "prune-core-error.h"

/**
 * prune_set_error_from_core:
 * @error: where to set the host's error, or %NULL
 * @core_error: an error of the domain DM_CORE_ERROR
 * @message: (nullable): the message, or %NULL for @core_error's own
 *
 * Cancelled work becomes G_IO_ERROR_CANCELLED (what a GCancellable caller
 * tests for) with its own message; an argument the core cannot use, or
 * labels it misses, DM_ERROR_INVALID_ARGUMENT; anything else DM_ERROR_FAILED.
 */
void
prune_set_error_from_core (GError       **error,
                           const GError  *core_error,
                           const char    *message)
{
  DmError code = DM_ERROR_FAILED;

  g_return_if_fail (core_error != NULL);

  if (g_error_matches (core_error, DM_CORE_ERROR, DM_CORE_ERROR_CANCELLED))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Pruning was cancelled"));
      return;
    }
  if (g_error_matches (core_error, DM_CORE_ERROR, DM_CORE_ERROR_INVALID_ARGUMENT)
      || g_error_matches (core_error, DM_CORE_ERROR, DM_CORE_ERROR_MISSING_LABEL))
    code = DM_ERROR_INVALID_ARGUMENT;
  g_set_error_literal (error, DM_ERROR, code, message != NULL ? message : core_error->message);
}
