/* dm-transform.h: the plugin contract, an abstract dataset transform.
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
 * DM_TRANSFORM_EXTENSION_POINT_NAME:
 *
 * The GIO extension point that plugins implement to add a transform. The
 * extension name is the transform's name, its type a subclass of
 * #DmTransform.
 */
#define DM_TRANSFORM_EXTENSION_POINT_NAME "dm-transform"

#define DM_TYPE_TRANSFORM (dm_transform_get_type ())
DM_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (DmTransform, dm_transform, DM, TRANSFORM, GObject)

/**
 * DmTransformClass:
 * @apply: makes a new dataset from @input; never modifies @input
 *
 * The class of transforms. Subclasses declare their parameters as GObject
 * properties and set their menu metadata with dm_transform_class_set_metadata().
 */
struct _DmTransformClass
{
  GObjectClass parent_class;

  DmDataset *(*apply) (DmTransform   *self,
                       DmDataset     *input,
                       GCancellable  *cancellable,
                       GError       **error);

  /*< private >*/
  const char *label;
  const char *description;
  const char *translation_domain;
  gpointer padding[8];
};

DM_AVAILABLE_IN_ALL
void         dm_transform_ensure_extension_point (void);

DM_AVAILABLE_IN_ALL
void         dm_transform_class_set_metadata (DmTransformClass *klass,
                                              const char       *label,
                                              const char       *description,
                                              const char       *translation_domain);
DM_AVAILABLE_IN_ALL
const char  *dm_transform_class_get_label       (DmTransformClass *klass);
DM_AVAILABLE_IN_ALL
const char  *dm_transform_class_get_description (DmTransformClass *klass);

DM_AVAILABLE_IN_ALL
const char  *dm_transform_get_name        (DmTransform   *self);
DM_AVAILABLE_IN_ALL
const char  *dm_transform_get_label       (DmTransform   *self);
DM_AVAILABLE_IN_ALL
const char  *dm_transform_get_description (DmTransform   *self);

DM_AVAILABLE_IN_ALL
DmDataset   *dm_transform_apply           (DmTransform   *self,
                                           DmDataset     *input,
                                           GCancellable  *cancellable,
                                           GError       **error);

DM_AVAILABLE_IN_ALL
void         dm_transform_apply_async     (DmTransform         *self,
                                           DmDataset           *input,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
DM_AVAILABLE_IN_ALL
DmDataset   *dm_transform_apply_finish    (DmTransform   *self,
                                           GAsyncResult  *result,
                                           GError       **error);

DM_AVAILABLE_IN_ALL
void         dm_transform_report_progress (DmTransform   *self,
                                           const char    *phase,
                                           double         fraction);

DM_AVAILABLE_IN_ALL
JsonNode    *dm_transform_get_report      (DmTransform   *self);
DM_AVAILABLE_IN_ALL
void         dm_transform_set_report      (DmTransform   *self,
                                           JsonNode      *report);

DM_AVAILABLE_IN_ALL
gboolean     dm_transform_set_parameter_from_string (DmTransform  *self,
                                                     const char   *name,
                                                     const char   *value,
                                                     GError      **error);

G_END_DECLS
