/* dm-dataset.h: a dataset, a list of items with label categories and subsets.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (DM_INSIDE) && !defined (DM_COMPILATION)
#error "Only <dm.h> can be included directly."
#endif

#include "dm-version-macros.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "dm-item.h"

G_BEGIN_DECLS

#define DM_TYPE_DATASET (dm_dataset_get_type ())
DM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DmDataset, dm_dataset, DM, DATASET, GObject)

DM_AVAILABLE_IN_ALL
DmDataset    *dm_dataset_new                (void);
DM_AVAILABLE_IN_ALL
DmDataset    *dm_dataset_new_like           (DmDataset   *model);
DM_AVAILABLE_IN_ALL
DmDataset    *dm_dataset_get_origin         (DmDataset   *self);

DM_AVAILABLE_IN_ALL
guint         dm_dataset_get_n_items        (DmDataset   *self);
DM_AVAILABLE_IN_ALL
DmItem       *dm_dataset_get_item           (DmDataset   *self,
                                             guint        position);
DM_AVAILABLE_IN_ALL
void          dm_dataset_append_item        (DmDataset   *self,
                                             DmItem      *item);
DM_AVAILABLE_IN_ALL
DmItem       *dm_dataset_find_item          (DmDataset   *self,
                                             const char  *subset,
                                             const char  *id);

DM_AVAILABLE_IN_ALL
const char * const *dm_dataset_get_subsets  (DmDataset   *self);
DM_AVAILABLE_IN_ALL
void          dm_dataset_add_subset         (DmDataset   *self,
                                             const char  *subset);
DM_AVAILABLE_IN_ALL
JsonObject   *dm_dataset_get_subset_header  (DmDataset   *self,
                                             const char  *subset);
DM_AVAILABLE_IN_ALL
void          dm_dataset_set_subset_header  (DmDataset   *self,
                                             const char  *subset,
                                             JsonObject  *header);

DM_AVAILABLE_IN_ALL
guint         dm_dataset_get_n_labels       (DmDataset   *self);
DM_AVAILABLE_IN_ALL
const char   *dm_dataset_get_label_name     (DmDataset   *self,
                                             guint        label_id);
DM_AVAILABLE_IN_ALL
int           dm_dataset_find_label         (DmDataset   *self,
                                             const char  *name);
DM_AVAILABLE_IN_ALL
guint         dm_dataset_add_label          (DmDataset   *self,
                                             const char  *name);

DM_AVAILABLE_IN_ALL
const char   *dm_dataset_get_source_path    (DmDataset   *self);
DM_AVAILABLE_IN_ALL
void          dm_dataset_set_source_path    (DmDataset   *self,
                                             const char  *path);
DM_AVAILABLE_IN_ALL
const char   *dm_dataset_get_format         (DmDataset   *self);
DM_AVAILABLE_IN_ALL
void          dm_dataset_set_format         (DmDataset   *self,
                                             const char  *format);
DM_AVAILABLE_IN_ALL
const char   *dm_dataset_get_hash_key_origin (DmDataset  *self);
DM_AVAILABLE_IN_ALL
void          dm_dataset_set_hash_key_origin (DmDataset  *self,
                                              const char *origin);

G_END_DECLS
