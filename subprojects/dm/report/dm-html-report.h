/* dm-html-report.h: a self-contained HTML page showing what a transform
 * kept and what it dropped.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "dm.h"

G_BEGIN_DECLS

#define DM_HTML_REPORT_THUMBNAIL_SIZE 64
#define DM_HTML_REPORT_THUMBNAILS_PER_GROUP 24
#define DM_HTML_REPORT_MAX_GROUPS 60

/**
 * DmHtmlReportContent:
 * @input: the dataset before the transform
 * @output: the dataset after it
 * @source: (nullable): where @input came from, for the title
 * @transform_label: (nullable): the transform's label
 *   (dm_transform_get_label()), which names the page
 * @transform_report: (nullable): the transform's JSON report, without its
 *   per-item members; its "clusters" member sizes the groups
 * @transform_report_text: (nullable): the same report as JSON text
 *   (dm_transform_write_report()), the one place "cluster_of_item", which
 *   groups the items by cluster, is read from
 * @transform_report_text_length: the length of @transform_report_text
 * @thumbnail_size: the longest side of a thumbnail, in pixels
 * @thumbnails_per_group: at most this many thumbnails per cluster
 * @max_groups: thumbnails for at most this many clusters (or subsets)
 */
typedef struct
{
  DmDataset *input;
  DmDataset *output;
  const char *source;
  const char *transform_label;
  JsonNode *transform_report;
  const char *transform_report_text;
  gsize transform_report_text_length;
  guint thumbnail_size;
  guint thumbnails_per_group;
  guint max_groups;
} DmHtmlReportContent;

/* Called for each thumbnail made; returning FALSE is not needed to stop,
 * the cancellable does that. */
typedef void (*DmHtmlReportProgressFunc) (guint    done,
                                          guint    total,
                                          gpointer user_data);

void      dm_html_report_content_init (DmHtmlReportContent      *content,
                                       DmDataset                *input,
                                       DmDataset                *output);

char     *dm_html_report_render       (const DmHtmlReportContent *content,
                                       GCancellable             *cancellable,
                                       DmHtmlReportProgressFunc  progress,
                                       gpointer                  progress_data,
                                       GError                  **error);

gboolean  dm_json_report_check_destination (const char        *path,
                                            const char        *source,
                                            const char        *dataset_destination,
                                            GError           **error);
gboolean  dm_html_report_check_destination (const char        *directory,
                                            const char        *source,
                                            const char        *dataset_destination,
                                            gboolean           overwrite,
                                            GError           **error);
G_END_DECLS
