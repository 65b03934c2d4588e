/* dm-imagenet-private.h: ImageNet detection, and what the ImageNet readers
 * share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef DM_COMPILATION
#error "This header is private to libdm: include <dm.h>."
#endif

#include <gio/gio.h>

#include "dm-dataset.h"

G_BEGIN_DECLS

char     *dm_imagenet_detect         (const char    *path,
                                      GError       **error);
char     *dm_imagenet_txt_find_list  (const char    *path);

/* ImageNet-txt's options (Datumaro's ImagenetTxtImporter's), for
 * dm_dataset_load_with_options(). */
const char * const *dm_imagenet_txt_list_options      (void);
gboolean            dm_imagenet_txt_check_options     (const char * const  *assignments,
                                                       GError             **error);
DmDataset          *dm_imagenet_txt_load_with_options (const char          *path,
                                                       const char * const  *assignments,
                                                       GCancellable        *cancellable,
                                                       GError             **error);

G_END_DECLS
