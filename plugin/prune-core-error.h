/* prune-core-error.h: the core's errors as the host's.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void prune_set_error_from_core (GError       **error,
                                const GError  *core_error,
                                const char    *message);

G_END_DECLS
