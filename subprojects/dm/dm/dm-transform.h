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

/**
 * SECTION:dm-transform-report
 *
 * The report a transform leaves (dm_transform_get_report()) is a JSON
 * object. Its members are the transform's own, except those named below,
 * which are the contract between any transform and any host: a transform
 * that fills one gives it exactly this shape, and a host (the `dm` command,
 * its HTML report) reads only these. Every one is optional.
 *
 * Members that list the input items one by one (such as
 * %DM_TRANSFORM_REPORT_CLUSTER_OF_ITEM, and a transform's own per-item
 * lists) cost, as a #JsonNode tree at millions of items, as much memory as
 * the dataset. A host that does not read them from the tree says so with
 * dm_transform_set_report_per_item(), and the transform leaves them out of
 * it; dm_transform_write_report() still writes them, from the transform's
 * own compact data.
 */

/**
 * DM_TRANSFORM_REPORT_SKIPPED:
 *
 * Report member: an array of the input items the transform left out
 * rather than fail on (always in the tree, whatever
 * dm_transform_get_report_per_item() says: a host tells the user about
 * them), each an object with the string members
 * %DM_TRANSFORM_REPORT_SUBSET, %DM_TRANSFORM_REPORT_ID and
 * %DM_TRANSFORM_REPORT_REASON (a one-line, translated explanation that
 * does not name the item: the host names it by its subset and id).
 */
#define DM_TRANSFORM_REPORT_SKIPPED "skipped"

/**
 * DM_TRANSFORM_REPORT_SUBSET:
 *
 * Member of a %DM_TRANSFORM_REPORT_SKIPPED entry: the item's subset.
 */
#define DM_TRANSFORM_REPORT_SUBSET "subset"

/**
 * DM_TRANSFORM_REPORT_ID:
 *
 * Member of a %DM_TRANSFORM_REPORT_SKIPPED entry: the item's id.
 */
#define DM_TRANSFORM_REPORT_ID "id"

/**
 * DM_TRANSFORM_REPORT_REASON:
 *
 * Member of a %DM_TRANSFORM_REPORT_SKIPPED entry: why it was left out,
 * one translated line saying what is wrong with the item and naming the
 * file at fault (“/data/images/train/a.jpg is missing”), without naming
 * the item: a host shows it beside the item's %DM_TRANSFORM_REPORT_SUBSET
 * and %DM_TRANSFORM_REPORT_ID (`dm` as “train/a: …”, its HTML report in
 * columns), so a reason that named the item would name it twice.
 */
#define DM_TRANSFORM_REPORT_REASON "reason"

/**
 * DM_TRANSFORM_REPORT_CLUSTERS:
 *
 * Report member: an array of the groups the transform chose from, cluster
 * c at index c, each an object with the integer members
 * %DM_TRANSFORM_REPORT_CLUSTER_SIZE and %DM_TRANSFORM_REPORT_CLUSTER_QUOTA.
 */
#define DM_TRANSFORM_REPORT_CLUSTERS "clusters"

/**
 * DM_TRANSFORM_REPORT_CLUSTER_SIZE:
 *
 * Member of a %DM_TRANSFORM_REPORT_CLUSTERS entry: how many input items
 * the cluster holds.
 */
#define DM_TRANSFORM_REPORT_CLUSTER_SIZE "size"

/**
 * DM_TRANSFORM_REPORT_CLUSTER_QUOTA:
 *
 * Member of a %DM_TRANSFORM_REPORT_CLUSTERS entry: how many of them the
 * output keeps.
 */
#define DM_TRANSFORM_REPORT_CLUSTER_QUOTA "quota"

/**
 * DM_TRANSFORM_REPORT_CLUSTER_OF_ITEM:
 *
 * Report member: an array of integers, one per input item in the input's
 * order: the index of its cluster in %DM_TRANSFORM_REPORT_CLUSTERS, or -1
 * for an item in none (one that was skipped). A per-item member: left out
 * when dm_transform_get_report_per_item() is %FALSE.
 */
#define DM_TRANSFORM_REPORT_CLUSTER_OF_ITEM "cluster_of_item"

/**
 * DM_TRANSFORM_REPORT_HOST_SECONDS:
 *
 * Report member that the host adds to the report it writes, and a
 * transform never fills: an object of the wall-clock seconds the host
 * spent around the transform, with the number members
 * %DM_TRANSFORM_REPORT_HOST_LOADING, %DM_TRANSFORM_REPORT_HOST_WRITING and
 * %DM_TRANSFORM_REPORT_HOST_TOTAL. A transform's own timings are members
 * of its own.
 */
#define DM_TRANSFORM_REPORT_HOST_SECONDS "host_seconds"

/**
 * DM_TRANSFORM_REPORT_HOST_LOADING:
 *
 * Member of %DM_TRANSFORM_REPORT_HOST_SECONDS: reading the input dataset,
 * its hash-key cache included (the cache is parsed alongside the
 * annotations, so it has no time of its own).
 */
#define DM_TRANSFORM_REPORT_HOST_LOADING "loading"

/**
 * DM_TRANSFORM_REPORT_HOST_WRITING:
 *
 * Member of %DM_TRANSFORM_REPORT_HOST_SECONDS: saving the output dataset,
 * its hash-key cache and media included, until it is in place.
 */
#define DM_TRANSFORM_REPORT_HOST_WRITING "writing"

/**
 * DM_TRANSFORM_REPORT_HOST_TOTAL:
 *
 * Member of %DM_TRANSFORM_REPORT_HOST_SECONDS: the whole run, from the
 * start of loading to the end of writing (so at least the sum of the
 * two; the rest is the transform and the reports).
 */
#define DM_TRANSFORM_REPORT_HOST_TOTAL "total"

#define DM_TYPE_TRANSFORM (dm_transform_get_type ())
DM_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (DmTransform, dm_transform, DM, TRANSFORM, GObject)

/**
 * DmTransformClass:
 * @apply: makes a new dataset from @input; never modifies @input
 * @write_report: writes the last report as JSON text (see
 *   dm_transform_write_report()); the default writes the tree
 *   dm_transform_get_report() gives. A transform that left per-item
 *   members out of that tree writes them here.
 * @check_parameters: refuses parameters that are each in their range but
 *   wrong together, or for the choice another parameter makes (see
 *   dm_transform_check_parameters()); %NULL, the default, finds nothing
 *   wrong. It looks at the parameters alone, never at a dataset.
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
  gboolean   (*write_report) (DmTransform    *self,
                              GOutputStream  *stream,
                              GCancellable   *cancellable,
                              GError        **error);

  /*< private >*/
  const char *label;
  const char *description;
  const char *translation_domain;

  /*< public >*/
  /* Taken from the padding, after the private members, so that their
   * offsets and the size of the class stay as they were. */
  gboolean   (*check_parameters) (DmTransform  *self,
                                  GError      **error);

  /*< private >*/
  gpointer padding[6];
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
const char  *dm_transform_class_get_translation_domain (DmTransformClass *klass);

DM_AVAILABLE_IN_ALL
void         dm_transform_class_add_alias    (DmTransformClass *klass,
                                              char              short_name,
                                              const char       *parameter);
DM_AVAILABLE_IN_ALL
char         dm_transform_class_get_alias    (DmTransformClass *klass,
                                              const char       *parameter);
DM_AVAILABLE_IN_ALL
void         dm_transform_class_add_positional (DmTransformClass *klass,
                                                const char       *parameter);
DM_AVAILABLE_IN_ALL
GStrv        dm_transform_class_list_positionals (DmTransformClass *klass);
DM_AVAILABLE_IN_ALL
void         dm_transform_class_require_parameter (DmTransformClass *klass,
                                                   const char       *parameter);
DM_AVAILABLE_IN_ALL
gboolean     dm_transform_class_is_parameter_required (DmTransformClass *klass,
                                                       const char       *parameter);

DM_AVAILABLE_IN_ALL
void         dm_transform_class_add_phase (DmTransformClass *klass,
                                           const char       *phase,
                                           const char       *label,
                                           const char       *counted_singular,
                                           const char       *counted_plural);
DM_AVAILABLE_IN_ALL
const char  *dm_transform_class_get_phase_label (DmTransformClass *klass,
                                                 const char       *phase);
DM_AVAILABLE_IN_ALL
char        *dm_transform_class_format_phase_count (DmTransformClass *klass,
                                                    const char       *phase,
                                                    guint             count);

DM_AVAILABLE_IN_ALL
const char  *dm_transform_get_name        (DmTransform   *self);
DM_AVAILABLE_IN_ALL
const char  *dm_transform_get_label       (DmTransform   *self);
DM_AVAILABLE_IN_ALL
const char  *dm_transform_get_description (DmTransform   *self);

DM_AVAILABLE_IN_ALL
gboolean     dm_transform_check_parameters (DmTransform  *self,
                                            GError      **error);

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
void         dm_transform_report_item_progress (DmTransform *self,
                                                const char  *phase,
                                                guint        done,
                                                guint        n_items);

DM_AVAILABLE_IN_ALL
JsonNode    *dm_transform_get_report      (DmTransform   *self);
DM_AVAILABLE_IN_ALL
void         dm_transform_set_report      (DmTransform   *self,
                                           JsonNode      *report);

DM_AVAILABLE_IN_ALL
void         dm_transform_set_report_per_item (DmTransform *self,
                                               gboolean     per_item);
DM_AVAILABLE_IN_ALL
gboolean     dm_transform_get_report_per_item (DmTransform *self);
DM_AVAILABLE_IN_ALL
gboolean     dm_transform_write_report    (DmTransform    *self,
                                           GOutputStream  *stream,
                                           GCancellable   *cancellable,
                                           GError        **error);

DM_AVAILABLE_IN_ALL
gboolean     dm_transform_set_parameter_from_string (DmTransform  *self,
                                                     const char   *name,
                                                     const char   *value,
                                                     GError      **error);

G_END_DECLS
