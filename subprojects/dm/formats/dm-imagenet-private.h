/* dm-imagenet-private.h: ImageNet detection, and what the ImageNet readers
 * share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef DM_COMPILATION
#error "This header is private to libdm: include <dm.h>."
#endif

#include <glib.h>

G_BEGIN_DECLS

char     *dm_imagenet_detect         (const char    *path,
                                      GError       **error);
char     *dm_imagenet_txt_find_list  (const char    *path);

G_END_DECLS
