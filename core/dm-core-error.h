/* dm-core-error.h: the error domain of the selection and hashing core.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  DM_CORE_ERROR_INVALID_ARGUMENT,   /* a parameter the caller passed is unusable */
  DM_CORE_ERROR_MISSING_LABEL,      /* a label method was given no labels */
  DM_CORE_ERROR_CANCELLED,          /* the progress callback asked to stop */
} DmCoreError;

#define DM_CORE_ERROR (dm_core_error_quark ())
GQuark dm_core_error_quark (void);

/* Called now and then from long loops; returning FALSE cancels the work,
 * which then fails with DM_CORE_ERROR_CANCELLED. */
typedef gboolean (*DmCoreProgressFunc) (const char *phase,
                                        double      fraction,
                                        gpointer    user_data);

G_END_DECLS
