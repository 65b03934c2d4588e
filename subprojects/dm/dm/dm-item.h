/* dm-item.h: one dataset item.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define DM_TYPE_ITEM (dm_item_get_type ())
G_DECLARE_FINAL_TYPE (DmItem, dm_item, DM, ITEM, GObject)

DmItem       *dm_item_new              (const char   *id,
                                        const char   *subset);
DmItem       *dm_item_copy             (DmItem       *self);

const char   *dm_item_get_id           (DmItem       *self);
const char   *dm_item_get_subset       (DmItem       *self);

const char   *dm_item_get_image_path   (DmItem       *self);
void          dm_item_set_image_path   (DmItem       *self,
                                        const char   *path);
const char   *dm_item_get_image_relpath (DmItem      *self);
void          dm_item_set_image_relpath (DmItem      *self,
                                         const char  *relpath);
void          dm_item_get_image_size   (DmItem       *self,
                                        int          *width,
                                        int          *height);
void          dm_item_set_image_size   (DmItem       *self,
                                        int           width,
                                        int           height);

void          dm_item_add_media_file   (DmItem       *self,
                                        const char   *folder,
                                        const char   *member,
                                        const char   *written,
                                        const char   *source);
guint         dm_item_get_n_media_files (DmItem      *self);
const char   *dm_item_get_media_file_folder  (DmItem *self,
                                              guint   index);
const char   *dm_item_get_media_file_member  (DmItem *self,
                                              guint   index);
const char   *dm_item_get_media_file_written (DmItem *self,
                                              guint   index);
const char   *dm_item_get_media_file_source  (DmItem *self,
                                              guint   index);

const int    *dm_item_get_labels       (DmItem       *self,
                                        guint        *n_labels);
int           dm_item_get_label        (DmItem       *self);
void          dm_item_add_label        (DmItem       *self,
                                        int           label_id);

GBytes       *dm_item_get_hash_key     (DmItem       *self);
void          dm_item_set_hash_key     (DmItem       *self,
                                        GBytes       *key);

const char   *dm_item_get_json         (DmItem       *self);
void          dm_item_set_json         (DmItem       *self,
                                        const char   *json);
void          dm_item_take_json        (DmItem       *self,
                                        char         *json);

G_END_DECLS
