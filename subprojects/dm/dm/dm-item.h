/* dm-item.h: one dataset item.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (DM_INSIDE) && !defined (DM_COMPILATION)
#error "Only <dm.h> can be included directly."
#endif

#include "dm-version-macros.h"

#include <glib-object.h>

G_BEGIN_DECLS

#define DM_TYPE_ITEM (dm_item_get_type ())
DM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DmItem, dm_item, DM, ITEM, GObject)

DM_AVAILABLE_IN_ALL
DmItem       *dm_item_new              (const char   *id,
                                        const char   *subset);
DM_AVAILABLE_IN_ALL
DmItem       *dm_item_copy             (DmItem       *self);

DM_AVAILABLE_IN_ALL
const char   *dm_item_get_id           (DmItem       *self);
DM_AVAILABLE_IN_ALL
const char   *dm_item_get_subset       (DmItem       *self);

DM_AVAILABLE_IN_ALL
const char   *dm_item_get_image_path   (DmItem       *self);
DM_AVAILABLE_IN_ALL
void          dm_item_set_image_path   (DmItem       *self,
                                        const char   *path);
DM_AVAILABLE_IN_ALL
const char   *dm_item_get_image_relpath (DmItem      *self);
DM_AVAILABLE_IN_ALL
void          dm_item_set_image_relpath (DmItem      *self,
                                         const char  *relpath);
DM_AVAILABLE_IN_ALL
void          dm_item_get_image_size   (DmItem       *self,
                                        int          *width,
                                        int          *height);
DM_AVAILABLE_IN_ALL
void          dm_item_set_image_size   (DmItem       *self,
                                        int           width,
                                        int           height);

DM_AVAILABLE_IN_ALL
void          dm_item_add_media_file   (DmItem       *self,
                                        const char   *folder,
                                        const char   *member,
                                        const char   *written,
                                        const char   *source);
DM_AVAILABLE_IN_ALL
guint         dm_item_get_n_media_files (DmItem      *self);
DM_AVAILABLE_IN_ALL
const char   *dm_item_get_media_file_folder  (DmItem *self,
                                              guint   index);
DM_AVAILABLE_IN_ALL
const char   *dm_item_get_media_file_member  (DmItem *self,
                                              guint   index);
DM_AVAILABLE_IN_ALL
const char   *dm_item_get_media_file_written (DmItem *self,
                                              guint   index);
DM_AVAILABLE_IN_ALL
const char   *dm_item_get_media_file_source  (DmItem *self,
                                              guint   index);

DM_AVAILABLE_IN_ALL
const int    *dm_item_get_labels       (DmItem       *self,
                                        guint        *n_labels);
DM_AVAILABLE_IN_ALL
int           dm_item_get_label        (DmItem       *self);
DM_AVAILABLE_IN_ALL
void          dm_item_add_label        (DmItem       *self,
                                        int           label_id);

DM_AVAILABLE_IN_ALL
GBytes       *dm_item_get_hash_key     (DmItem       *self);
DM_AVAILABLE_IN_ALL
void          dm_item_set_hash_key     (DmItem       *self,
                                        GBytes       *key);

DM_AVAILABLE_IN_ALL
const char   *dm_item_get_json         (DmItem       *self);
DM_AVAILABLE_IN_ALL
void          dm_item_set_json         (DmItem       *self,
                                        const char   *json);
DM_AVAILABLE_IN_ALL
void          dm_item_take_json        (DmItem       *self,
                                        char         *json);

G_END_DECLS
