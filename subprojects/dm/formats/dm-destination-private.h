/* dm-destination-private.h: comparing output and input directories, and
 * checking an output directory (dm-destination.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef DM_COMPILATION
#error "This header is private to libdm: include <dm.h>."
#endif

#include "dm-dataset-io.h"

G_BEGIN_DECLS

gboolean  dm_is_same_directory       (const char    *a,
                                      const char    *b);
gboolean  dm_check_destination       (const char    *destination,
                                      const char    *source,
                                      DmSaveFlags    flags,
                                      gboolean       read_dataset,
                                      GError       **error);

G_END_DECLS
