/* dm-dataset.h: a dataset, a list of items with label categories and subsets.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "dm-item.h"

G_BEGIN_DECLS

#define DM_TYPE_DATASET (dm_dataset_get_type ())
G_DECLARE_FINAL_TYPE (DmDataset, dm_dataset, DM, DATASET, GObject)

DmDataset    *dm_dataset_new                (void);
DmDataset    *dm_dataset_new_like           (DmDataset   *model);
DmDataset    *dm_dataset_get_origin         (DmDataset   *self);

guint         dm_dataset_get_n_items        (DmDataset   *self);
DmItem       *dm_dataset_get_item           (DmDataset   *self,
                                             guint        position);
void          dm_dataset_append_item        (DmDataset   *self,
                                             DmItem      *item);
DmItem       *dm_dataset_find_item          (DmDataset   *self,
                                             const char  *subset,
                                             const char  *id);

const char * const *dm_dataset_get_subsets  (DmDataset   *self);
void          dm_dataset_add_subset         (DmDataset   *self,
                                             const char  *subset);
JsonObject   *dm_dataset_get_subset_header  (DmDataset   *self,
                                             const char  *subset);
void          dm_dataset_set_subset_header  (DmDataset   *self,
                                             const char  *subset,
                                             JsonObject  *header);

guint         dm_dataset_get_n_labels       (DmDataset   *self);
const char   *dm_dataset_get_label_name     (DmDataset   *self,
                                             guint        label_id);
int           dm_dataset_find_label         (DmDataset   *self,
                                             const char  *name);
guint         dm_dataset_add_label          (DmDataset   *self,
                                             const char  *name);

const char   *dm_dataset_get_source_path    (DmDataset   *self);
void          dm_dataset_set_source_path    (DmDataset   *self,
                                             const char  *path);
const char   *dm_dataset_get_format         (DmDataset   *self);
void          dm_dataset_set_format         (DmDataset   *self,
                                             const char  *format);
const char   *dm_dataset_get_hash_key_origin (DmDataset  *self);
void          dm_dataset_set_hash_key_origin (DmDataset  *self,
                                              const char *origin);

G_END_DECLS
