/* dm-datumaro-private.h: Datumaro's layout, and the Datumaro writer and
 * reader functions the other format files use.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef DM_COMPILATION
#error "This header is private to libdm: include <dm.h>."
#endif

#include "dm-dataset-io.h"
#include "dm-hash-key-cache.h"

G_BEGIN_DECLS

/* Datumaro's layout below a dataset directory. */
#define DM_DATUMARO_ANNOTATIONS_DIR "annotations"
#define DM_DATUMARO_IMAGES_DIR "images"
#define DM_DATUMARO_POINT_CLOUDS_DIR "point_clouds"
#define DM_DATUMARO_VIDEOS_DIR "videos"
/* What makes a directory a Datumaro project rather than a dataset. */
#define DM_DATUMARO_PROJECT_DIR ".datumaro"
/* The image file of an item whose image has no path: "<id>.jpg". */
#define DM_DATUMARO_IMAGE_EXT ".jpg"

gboolean  dm_datumaro_check_not_a_project (const char  *source,
                                           GError     **error);
void      dm_datumaro_note_datasets_below (const char  *source,
                                           GError      *error);

/* Where the media files of a dataset being written go. */
typedef struct _DmMediaPlan DmMediaPlan;

void      dm_media_plan_free         (DmMediaPlan   *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmMediaPlan, dm_media_plan_free)

DmMediaPlan *dm_datumaro_plan_media  (DmDataset     *dataset,
                                      GError       **error);
void      dm_datumaro_warn_missing_media (DmDataset *dataset);
gboolean  dm_datumaro_write_planned  (DmDataset     *dataset,
                                      DmMediaPlan   *plan,
                                      const char    *directory,
                                      DmSaveFlags    flags,
                                      GCancellable  *cancellable,
                                      GError       **error);
gboolean  dm_datumaro_write_annotations (DmDataset   *dataset,
                                         const char  *annotations_dir,
                                         GHashTable  *rewritten,
                                         GCancellable *cancellable,
                                         GError     **error);

gboolean  dm_datumaro_has_annotation_files (const char *path);

G_END_DECLS
