/* dm-dataset-io.h: loading and saving datasets in the formats the host knows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (DM_INSIDE) && !defined (DM_COMPILATION)
#error "Only <dm.h> can be included directly."
#endif

#include "dm-version-macros.h"

#include <gio/gio.h>

#include "dm-dataset.h"

G_BEGIN_DECLS

/**
 * DmSaveFlags:
 * @DM_SAVE_NONE: refuse a destination that exists and is not an empty directory
 * @DM_SAVE_OVERWRITE: replace the dataset at the destination (a directory
 *   that holds anything else is refused), or change the source in place
 * @DM_SAVE_LINK_MEDIA: hard-link media files into the destination where the
 *   file system allows, instead of copying them
 *
 * How dm_dataset_save() treats an existing destination and media files.
 */
typedef enum {
  DM_SAVE_NONE = 0,
  DM_SAVE_OVERWRITE = 1 << 0,
  DM_SAVE_LINK_MEDIA = 1 << 1,
} DmSaveFlags;

DM_AVAILABLE_IN_ALL
char       *dm_dataset_detect_format (const char    *path,
                                      GError       **error);
DM_AVAILABLE_IN_ALL
DmDataset  *dm_dataset_load          (const char    *path,
                                      const char    *format,
                                      GCancellable  *cancellable,
                                      GError       **error);
DM_AVAILABLE_IN_ALL
DmDataset  *dm_dataset_load_with_options (const char          *path,
                                          const char          *format,
                                          const char * const  *options,
                                          GCancellable        *cancellable,
                                          GError             **error);
DM_AVAILABLE_IN_ALL
char      **dm_dataset_list_formats  (void);
DM_AVAILABLE_IN_ALL
char      **dm_dataset_list_load_options (const char *format);
DM_AVAILABLE_IN_ALL
gboolean    dm_dataset_check_load_options (const char          *format,
                                           const char * const  *options,
                                           GError             **error);
DM_AVAILABLE_IN_ALL
gboolean    dm_dataset_save          (DmDataset     *dataset,
                                      const char    *destination,
                                      DmSaveFlags    flags,
                                      GCancellable  *cancellable,
                                      GError       **error);

DM_AVAILABLE_IN_ALL
void        dm_dataset_load_async    (const char          *path,
                                      const char          *format,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
DM_AVAILABLE_IN_ALL
DmDataset  *dm_dataset_load_finish   (GAsyncResult  *result,
                                      GError       **error);
DM_AVAILABLE_IN_ALL
void        dm_dataset_load_with_options_async  (const char          *path,
                                                 const char          *format,
                                                 const char * const  *options,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
DM_AVAILABLE_IN_ALL
DmDataset  *dm_dataset_load_with_options_finish (GAsyncResult  *result,
                                                 GError       **error);
DM_AVAILABLE_IN_ALL
void        dm_dataset_save_async    (DmDataset           *dataset,
                                      const char          *destination,
                                      DmSaveFlags          flags,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
DM_AVAILABLE_IN_ALL
gboolean    dm_dataset_save_finish   (DmDataset     *dataset,
                                      GAsyncResult  *result,
                                      GError       **error);

DM_AVAILABLE_IN_ALL
gboolean    dm_dataset_check_destination (const char  *destination,
                                          const char  *source,
                                          DmSaveFlags  flags,
                                          GError     **error);
DM_AVAILABLE_IN_ALL
gboolean    dm_dataset_check_in_place (const char  *destination,
                                       const char  *source,
                                       const char  *format,
                                       GError     **error);

/* The formats, for direct use and for tests. */
DM_AVAILABLE_IN_ALL
DmDataset  *dm_datumaro_load         (const char    *path,
                                      GCancellable  *cancellable,
                                      GError       **error);
DM_AVAILABLE_IN_ALL
gboolean    dm_datumaro_write        (DmDataset     *dataset,
                                      const char    *directory,
                                      GCancellable  *cancellable,
                                      GError       **error);
DM_AVAILABLE_IN_ALL
gboolean    dm_datumaro_write_hash_keys (DmDataset  *dataset,
                                         const char *directory,
                                         GError    **error);
DM_AVAILABLE_IN_ALL
DmDataset  *dm_imagenet_load         (const char    *path,
                                      gboolean       with_subset_dirs,
                                      GCancellable  *cancellable,
                                      GError       **error);
DM_AVAILABLE_IN_ALL
DmDataset  *dm_imagenet_txt_load     (const char    *path,
                                      GCancellable  *cancellable,
                                      GError       **error);

G_END_DECLS
