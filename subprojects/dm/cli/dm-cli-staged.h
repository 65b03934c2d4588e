/* dm-cli-staged.h: files written aside and put in place together, so a
 * run writes every output it was asked for or none.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* DmTempFileKind: libdm's temporary files, linked into the dm command. */
#include "dm-file-tree-private.h"

G_BEGIN_DECLS

typedef struct _DmStagedFile DmStagedFile;

DmStagedFile *dm_staged_file_new      (const char      *path,
                                       const char      *contents,
                                       GError         **error);
DmStagedFile *dm_staged_file_new_full (const char      *path,
                                       const char      *contents,
                                       DmTempFileKind   kind,
                                       GError         **error);
gboolean      dm_staged_file_patch    (DmStagedFile    *self,
                                       goffset          offset,
                                       const char      *bytes,
                                       gsize            length,
                                       GError         **error);
gboolean      dm_staged_file_commit   (DmStagedFile    *self,
                                       GError         **error);
void          dm_staged_file_free     (DmStagedFile    *self);
gboolean      dm_staged_file_check_place (const char   *path,
                                          GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmStagedFile, dm_staged_file_free)

G_END_DECLS
