/* dm-progress-relay-private.h: progress posted from worker threads,
 * delivered on a main context. Not installed: the asynchronous API
 * (dm_transform_apply_async()) and the dm command share it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (DM_COMPILATION) && !defined (DM_CLI_COMPILATION)
#error "dm-progress-relay-private.h is private to libdm and the dm command."
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef struct _DmProgressRelay DmProgressRelay;

/* Called on the relay's context with one posted update. */
typedef void (*DmProgressRelayFunc) (const char *phase,
                                     double      fraction,
                                     guint       total,
                                     gpointer    user_data);

DmProgressRelay *dm_progress_relay_new   (GMainContext        *context,
                                          DmProgressRelayFunc  func,
                                          gpointer             user_data,
                                          GDestroyNotify       user_data_free);
void             dm_progress_relay_post  (DmProgressRelay     *relay,
                                          const char          *phase,
                                          double               fraction,
                                          guint                total);
void             dm_progress_relay_flush (DmProgressRelay     *relay);
void             dm_progress_relay_close (DmProgressRelay     *relay);

G_END_DECLS
