/* dm-in-place-private.h: saving a Datumaro dataset in place, and
 * finishing a committed in-place save that was interrupted.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef DM_COMPILATION
#error "This header is private to libdm: include <dm.h>."
#endif

#include "dm-dataset-io.h"

G_BEGIN_DECLS

gboolean  dm_in_place_save           (DmDataset     *output,
                                      const char    *path,
                                      GCancellable  *cancellable,
                                      GError       **error);
gboolean  dm_in_place_recover        (const char    *path,
                                      GError       **error);
char     *dm_in_place_source_state   (const char    *path);

G_END_DECLS
