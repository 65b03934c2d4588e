/* dm-file-tree-private.h: deleting a tree, locking a directory,
 * checking a dataset's relative paths (dm-file-tree.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef DM_COMPILATION
#error "This header is private to libdm: include <dm.h>."
#endif

#include <glib.h>

G_BEGIN_DECLS

gboolean  dm_remove_tree             (const char    *path,
                                      GError       **error);
int       dm_lock_directory          (const char    *path);
gboolean  dm_is_plain_relative_path  (const char    *path);

G_END_DECLS
