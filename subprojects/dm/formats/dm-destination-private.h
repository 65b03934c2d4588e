/* dm-destination-private.h: comparing output and input directories
 * (dm-destination.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef DM_COMPILATION
#error "This header is private to libdm: include <dm.h>."
#endif

#include <glib.h>

G_BEGIN_DECLS

gboolean  dm_is_same_directory       (const char    *a,
                                      const char    *b);

G_END_DECLS
