/* dm-html-report.c: a self-contained HTML page showing what a transform kept
 * and what it dropped.
 *
 * One file, index.html, with everything inline: the style, the charts as
 * SVG and the thumbnails as data: URIs, so it opens from disk, offline,
 * and can be mailed or archived alone.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "dm-file-tree-private.h"
#include "dm-html-report.h"
#include "dm-json-stream.h"

/* cluster_of_item of an item that was not clustered. */
#define NO_CLUSTER G_MAXUINT

/* Tables list at most this many clusters; the rest are summed up. */
#define MAX_TABLE_ROWS 200

/* The list of skipped items shows at most this many; the rest are
 * counted. */
#define MAX_SKIPPED_ROWS 100

#define CHART_WIDTH 680
#define CHART_NAME_WIDTH 160
#define CHART_BAR_WIDTH 380
#define CHART_ROW_HEIGHT 22
#define CHART_TOP 26

static const char report_style[] =
  "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:70em;"
  "padding:0 1em;color:#1d232b;background:#fff}"
  "h1{margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #dde2e8;padding-bottom:.2em}"
  ".summary{font-size:1.15em}.params{color:#56606c}"
  "table{border-collapse:collapse;margin:.6em 0}th,td{padding:.25em .8em;text-align:right;"
  "border-bottom:1px solid #eceff3}th:first-child,td:first-child{text-align:left}"
  "thead th{background:#f3f5f8}"
  "svg.chart text{font-size:12px;fill:#1d232b}"
  ".group{margin:1em 0}.group h3{font-size:1em;margin:.2em 0}"
  ".thumbs{display:flex;flex-wrap:wrap;gap:6px}"
  "figure{margin:0;width:72px;text-align:center}"
  "figure .frame{width:68px;height:68px;display:flex;align-items:center;justify-content:center;"
  "box-sizing:border-box;border-radius:3px}"
  "figure.kept .frame{border:3px solid #2b7bd6}"
  "figure.dropped .frame{border:2px dashed #aab2bd;opacity:.45}"
  "figure .missing{font-size:10px;color:#56606c}"
  /* A long name wraps anywhere onto two lines, then ends in an ellipsis;
   * the line height keeps underscores and descenders in view. */
  "figcaption{font-size:10px;line-height:1.3;overflow-wrap:anywhere;overflow:hidden;"
  "display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;line-clamp:2}"
  ".legend span{display:inline-block;width:.9em;height:.9em;vertical-align:middle;margin:0 .3em 0 1em}"
  ".note{color:#56606c}"
  "table.list th,table.list td{text-align:left}";

#define KEPT_COLOUR "#2b7bd6"
#define DROPPED_COLOUR "#c9ced6"
#define SKIPPED_COLOUR "#d9822b"

/* A row's items are kept, dropped by the transform's choice, or skipped
 * (left out before it chose, %DM_TRANSFORM_REPORT_SKIPPED). */
typedef struct
{
  char *name;
  guint total;
  guint kept;
  guint skipped;
} ChartRow;

static void
chart_rows_free (GArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    g_free (g_array_index (rows, ChartRow, i).name);
  g_array_unref (rows);
}

typedef struct
{
  char *title;
  GArray *kept;     /* item indices */
  GArray *dropped;
} ItemGroup;

static void
item_group_free (gpointer data)
{
  ItemGroup *group = data;

  g_free (group->title);
  g_array_unref (group->kept);
  g_array_unref (group->dropped);
  g_free (group);
}

static ItemGroup *
item_group_new (char *title)
{
  ItemGroup *group = g_new0 (ItemGroup, 1);

  group->title = title;
  group->kept = g_array_new (FALSE, FALSE, sizeof (guint));
  group->dropped = g_array_new (FALSE, FALSE, sizeof (guint));
  return group;
}

/* The clusters, as the transform reported them. */
typedef struct
{
  guint n_clusters;
  guint n_nonempty;         /* clusters with items, the ones listed */
  guint *sizes;
  guint *quotas;
  guint *cluster_of_item;   /* NULL when the report does not give it */
} ClusterInfo;

static void
cluster_info_clear (ClusterInfo *info)
{
  g_free (info->sizes);
  g_free (info->quotas);
  g_free (info->cluster_of_item);
}

/**
 * dm_html_report_content_init:
 * @content: the content to fill
 * @input: the dataset before the transform
 * @output: the dataset after it
 *
 * Sets @content to show @input and @output with the default sizes.
 */
void
dm_html_report_content_init (DmHtmlReportContent *content,
                             DmDataset           *input,
                             DmDataset           *output)
{
  memset (content, 0, sizeof *content);
  content->input = input;
  content->output = output;
  content->thumbnail_size = DM_HTML_REPORT_THUMBNAIL_SIZE;
  content->thumbnails_per_group = DM_HTML_REPORT_THUMBNAILS_PER_GROUP;
  content->max_groups = DM_HTML_REPORT_MAX_GROUPS;
}

static JsonObject *
report_object (const DmHtmlReportContent *content)
{
  if (content->transform_report == NULL || !JSON_NODE_HOLDS_OBJECT (content->transform_report))
    return NULL;
  return json_node_get_object (content->transform_report);
}

/* The member @name of @object if it is an array, else NULL: the report
 * may come from any plugin, so its shape is checked, not assumed. */
static JsonArray *
array_member (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* The member @name of @object if it is a string, else NULL. */
static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The report's skipped items (%DM_TRANSFORM_REPORT_SKIPPED, or NULL for
 * none), each of the input that one names marked in @skipped: an entry
 * that names no item, or a kept one, is listed but not counted. */
static JsonArray *
read_skipped (const DmHtmlReportContent *content,
              const gboolean            *kept,
              gboolean                  *skipped)
{
  JsonObject *report = report_object (content);
  JsonArray *entries = report != NULL ? array_member (report, DM_TRANSFORM_REPORT_SKIPPED) : NULL;
  g_autoptr(GHashTable) items = NULL;

  if (entries == NULL || json_array_get_length (entries) == 0)
    return NULL;

  items = g_hash_table_new (NULL, NULL);
  for (guint e = 0; e < json_array_get_length (entries); e++)
    {
      JsonNode *node = json_array_get_element (entries, e);
      const char *subset, *id;
      DmItem *item;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      subset = string_member (json_node_get_object (node), DM_TRANSFORM_REPORT_SUBSET);
      id = string_member (json_node_get_object (node), DM_TRANSFORM_REPORT_ID);
      item = subset != NULL && id != NULL ? dm_dataset_find_item (content->input, subset, id) : NULL;
      if (item != NULL)
        g_hash_table_add (items, item);
    }
  for (guint i = 0; i < dm_dataset_get_n_items (content->input); i++)
    skipped[i] = !kept[i] && g_hash_table_contains (items, dm_dataset_get_item (content->input, i));
  return entries;
}

/* Stores item @index's @cluster (-1: an item left out before clustering,
 * --skip-broken); FALSE when it names no cluster of @info. */
static gboolean
store_cluster_of_item (ClusterInfo *info,
                       guint        index,
                       gint64       cluster)
{
  if (cluster == -1)
    {
      info->cluster_of_item[index] = NO_CLUSTER;
      return TRUE;
    }
  if (cluster < 0 || cluster >= info->n_clusters)
    return FALSE;
  info->cluster_of_item[index] = (guint) cluster;
  return TRUE;
}

/* The state of the event parse of cluster_of_item out of the report's
 * text: the member can be as long as the dataset, so it goes straight
 * into a guint array instead of a tree. */
typedef struct
{
  ClusterInfo *info;
  guint n_items;
  guint depth;            /* 1: in the report object */
  gboolean key_is_ours;   /* the last key at depth 1 was cluster_of_item */
  gboolean in_array;      /* in that member's array (depth 2) */
  gboolean seen;          /* the member was an array */
  gboolean valid;
  guint n_read;
  GError *error;          /* what stopped the parse */
} ClusterOfItemParse;

/* The report's text in the errors of its parse, which are never shown:
 * a text that does not parse only leaves cluster_of_item out. */
#define REPORT_TEXT_NAME "the transform's report"

/* One element of the array: a value that is not a whole number counts
 * as -1. */
static void
parse_element (ClusterOfItemParse *parse,
               gint64              cluster)
{
  if (!parse->valid)
    return;
  if (parse->n_read >= parse->n_items || !store_cluster_of_item (parse->info, parse->n_read, cluster))
    parse->valid = FALSE;
  parse->n_read++;
}

/* A scalar: an element when directly in the array, else nothing to us. */
static void
parse_scalar (ClusterOfItemParse *parse,
              gint64              cluster)
{
  if (parse->in_array && parse->depth == 2)
    parse_element (parse, cluster);
  if (parse->depth == 1)
    {
      if (parse->key_is_ours)
        parse->seen = FALSE;   /* a later member of the name replaces the array */
      parse->key_is_ours = FALSE;
    }
}

/* A number as the cluster it names, -1 for one that is no whole number;
 * FALSE for a number beyond a 64-bit integer's or a double's range, which
 * leaves the whole text untrusted. */
static gboolean
number_as_cluster (const char *text,
                   size_t      length,
                   gint64     *cluster)
{
  g_autofree char *number = NULL;

  if (dm_json_parse_integer (text, length, cluster))
    return TRUE;
  *cluster = -1;
  number = g_strndup (text, length);
  return strpbrk (number, ".eE") != NULL && isfinite (g_ascii_strtod (number, NULL));
}

static int
on_value (gpointer         parser,
          DmJsonValueKind  kind,
          const char      *text,
          size_t           length)
{
  ClusterOfItemParse *parse = parser;
  gint64 cluster = -1;

  if (kind == DM_JSON_VALUE_NUMBER && !number_as_cluster (text, length, &cluster))
    return dm_json_events_fail (REPORT_TEXT_NAME, &parse->error, "a number is out of range");
  parse_scalar (parse, cluster);
  return 1;
}

static int
on_member (gpointer    parser,
           const char *name,
           size_t      length)
{
  ClusterOfItemParse *parse = parser;

  if (parse->depth == 1)
    parse->key_is_ours = dm_json_text_is (name, length, DM_TRANSFORM_REPORT_CLUSTER_OF_ITEM);
  return 1;
}

static int
on_open (gpointer parser,
         gboolean is_array)
{
  ClusterOfItemParse *parse = parser;

  /* A later member of the same name wins, as in json-glib's tree. */
  if (is_array && parse->depth == 1 && parse->key_is_ours)
    {
      parse->in_array = parse->seen = parse->valid = TRUE;
      parse->n_read = 0;
      parse->depth++;
      return 1;
    }
  /* A map or array inside the array is an element that is no number. */
  if (parse->in_array && parse->depth == 2)
    parse_element (parse, -1);
  parse->depth++;
  return 1;
}

static int
on_close (gpointer parser,
          gboolean is_array G_GNUC_UNUSED)
{
  ClusterOfItemParse *parse = parser;

  parse->depth--;
  if (parse->depth == 1)
    {
      if (parse->in_array)
        parse->in_array = FALSE;
      else if (parse->key_is_ours)
        parse->seen = FALSE;   /* a later non-array member replaces the array */
      parse->key_is_ours = FALSE;
    }
  return 1;
}

/* A string or member name that is not UTF-8 is a string that is no
 * cluster: a member name at depth 1 always follows a value that cleared
 * key_is_ours, so the scalar's bookkeeping leaves the state as the name
 * would, and no name is "cluster_of_item" without being UTF-8. */
static int
on_not_utf8 (gpointer    parser,
             const char *message G_GNUC_UNUSED)
{
  parse_scalar (parser, -1);
  return 1;
}

/* No string is read: any escape is taken as yajl decodes it. */
static const DmJsonEvents cluster_of_item_events = {
  on_value, on_member,
  on_open, on_close, on_not_utf8,
  DM_JSON_ESCAPES_ANY,
};

/* cluster_of_item out of the report's @text, for a transform that leaves
 * the per-item members out of its tree (dm_transform_write_report()). */
static void
read_cluster_of_item_text (const char  *text,
                           gsize        length,
                           guint        n_items,
                           ClusterInfo *info)
{
  ClusterOfItemParse parse = { info, n_items };
  g_autoptr(GInputStream) input = g_memory_input_stream_new_from_data (text, (gssize) length, NULL);
  gboolean parsed;

  info->cluster_of_item = g_new (guint, MAX (n_items, 1));
  parsed = dm_json_input_parse_events (input, REPORT_TEXT_NAME, &cluster_of_item_events,
                                       &parse, &parse.error, NULL, NULL);
  g_clear_error (&parse.error);
  if (!parsed || !parse.seen || !parse.valid || parse.n_read != n_items)
    g_clear_pointer (&info->cluster_of_item, g_free);
}

/* Reads the report's clusters and each item's cluster (the schema of
 * dm-transform.h); a member that is missing or does
 * not fit the dataset is left out rather than trusted. */
static void
read_cluster_info (const DmHtmlReportContent *content,
                   ClusterInfo               *info)
{
  JsonObject *report = report_object (content);
  JsonArray *clusters;
  guint n_items = dm_dataset_get_n_items (content->input);

  memset (info, 0, sizeof *info);
  if (report == NULL)
    return;
  clusters = array_member (report, DM_TRANSFORM_REPORT_CLUSTERS);
  if (clusters == NULL || json_array_get_length (clusters) == 0)
    return;

  info->n_clusters = json_array_get_length (clusters);
  info->sizes = g_new0 (guint, info->n_clusters);
  info->quotas = g_new0 (guint, info->n_clusters);
  for (guint c = 0; c < info->n_clusters; c++)
    {
      JsonNode *node = json_array_get_element (clusters, c);
      JsonObject *cluster;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      cluster = json_node_get_object (node);
      info->sizes[c] = (guint) MAX (json_object_get_int_member_with_default (cluster, DM_TRANSFORM_REPORT_CLUSTER_SIZE, 0), 0);
      info->quotas[c] = (guint) MAX (json_object_get_int_member_with_default (cluster, DM_TRANSFORM_REPORT_CLUSTER_QUOTA, 0), 0);
      info->n_nonempty += info->sizes[c] > 0;
    }

  /* The per-item member comes from the written text, never a tree of a
   * node per item (dm_transform_set_report_per_item()). */
  if (content->transform_report_text != NULL)
    read_cluster_of_item_text (content->transform_report_text,
                               content->transform_report_text_length, n_items, info);
}

static void
append_escaped (GString    *html,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_string_append (html, escaped);
}

/* A horizontal bar per row: the kept part in colour over the whole in
 * grey, so the dropped part is what stays grey. */
static void
append_bar_chart (GString    *html,
                  const char *label,
                  GArray     *rows)
{
  guint largest = 1, n_skipped = 0;
  guint height = CHART_TOP + rows->len * CHART_ROW_HEIGHT + 4;

  for (guint r = 0; r < rows->len; r++)
    {
      largest = MAX (largest, g_array_index (rows, ChartRow, r).total);
      n_skipped += g_array_index (rows, ChartRow, r).skipped;
    }

  g_string_append_printf (html,
                          "<svg class=\"chart\" width=\"%d\" height=\"%u\" "
                          "viewBox=\"0 0 %d %u\" role=\"img\" aria-label=\"",
                          CHART_WIDTH, height, CHART_WIDTH, height);
  append_escaped (html, label);
  g_string_append (html, "\">\n");
  g_string_append_printf (html,
                          "<rect x=\"%d\" y=\"4\" width=\"12\" height=\"12\" fill=\"" KEPT_COLOUR "\"/>"
                          "<text x=\"%d\" y=\"14\">%s</text>"
                          "<rect x=\"%d\" y=\"4\" width=\"12\" height=\"12\" fill=\"" DROPPED_COLOUR "\"/>"
                          "<text x=\"%d\" y=\"14\">%s</text>\n",
                          CHART_NAME_WIDTH, CHART_NAME_WIDTH + 16, _("kept"),
                          CHART_NAME_WIDTH + 80, CHART_NAME_WIDTH + 96, _("dropped"));
  if (n_skipped > 0)
    g_string_append_printf (html,
                            "<rect x=\"%d\" y=\"4\" width=\"12\" height=\"12\" fill=\"" SKIPPED_COLOUR "\"/>"
                            "<text x=\"%d\" y=\"14\">%s</text>\n",
                            CHART_NAME_WIDTH + 180, CHART_NAME_WIDTH + 196, _("skipped"));

  for (guint r = 0; r < rows->len; r++)
    {
      ChartRow *row = &g_array_index (rows, ChartRow, r);
      guint y = CHART_TOP + r * CHART_ROW_HEIGHT;
      double total_width = (double) CHART_BAR_WIDTH * row->total / largest;
      double kept_width = (double) CHART_BAR_WIDTH * row->kept / largest;
      double skipped_width = (double) CHART_BAR_WIDTH * row->skipped / largest;

      g_string_append_printf (html, "<text x=\"0\" y=\"%u\">", y + 13);
      append_escaped (html, row->name);
      g_string_append_printf (html,
                              "</text><rect x=\"%d\" y=\"%u\" width=\"%.1f\" height=\"16\" fill=\"" DROPPED_COLOUR "\"/>"
                              "<rect x=\"%d\" y=\"%u\" width=\"%.1f\" height=\"16\" fill=\"" KEPT_COLOUR "\"/>",
                              CHART_NAME_WIDTH, y, total_width,
                              CHART_NAME_WIDTH, y, kept_width);
      /* The skipped part at the bar's end, apart from what was chosen. */
      if (row->skipped > 0)
        g_string_append_printf (html,
                                "<rect x=\"%.1f\" y=\"%u\" width=\"%.1f\" height=\"16\" fill=\"" SKIPPED_COLOUR "\"/>",
                                CHART_NAME_WIDTH + total_width - skipped_width, y, skipped_width);
      g_string_append_printf (html, "<text x=\"%.1f\" y=\"%u\">%u / %u</text>\n",
                              CHART_NAME_WIDTH + total_width + 6, y + 13, row->kept, row->total);
    }
  g_string_append (html, "</svg>\n");
}

/* A row per @rows, with a column of the skipped items when there are
 * any: dropped are the items the transform chose against. */
static void
append_count_table (GString    *html,
                    const char *first_heading,
                    GArray     *rows)
{
  gboolean any_skipped = FALSE;

  for (guint r = 0; r < rows->len; r++)
    any_skipped |= g_array_index (rows, ChartRow, r).skipped > 0;

  g_string_append (html, "<table><thead><tr><th>");
  append_escaped (html, first_heading);
  g_string_append_printf (html, "</th><th>%s</th><th>%s</th><th>%s</th>", _("Items"), _("Kept"), _("Dropped"));
  if (any_skipped)
    g_string_append_printf (html, "<th>%s</th>", _("Skipped"));
  g_string_append_printf (html, "<th>%s</th></tr></thead><tbody>\n", _("Kept %"));
  for (guint r = 0; r < rows->len; r++)
    {
      ChartRow *row = &g_array_index (rows, ChartRow, r);

      g_string_append (html, "<tr><td>");
      append_escaped (html, row->name);
      g_string_append_printf (html, "</td><td>%u</td><td>%u</td><td>%u</td>",
                              row->total, row->kept, row->total - row->kept - row->skipped);
      if (any_skipped)
        g_string_append_printf (html, "<td>%u</td>", row->skipped);
      g_string_append_printf (html, "<td>%.1f</td></tr>\n",
                              row->total > 0 ? 100.0 * row->kept / row->total : 0.0);
    }
  g_string_append (html, "</tbody></table>\n");
}

static GArray *
new_chart_rows (void)
{
  return g_array_new (FALSE, TRUE, sizeof (ChartRow));
}

static void
add_chart_row (GArray     *rows,
               const char *name,
               guint       total,
               guint       kept,
               guint       skipped)
{
  ChartRow row = { g_strdup (name), total, kept, skipped };

  g_array_append_val (rows, row);
}

/* A section with @rows as a bar chart and a table; frees @rows. */
static void
append_chart_section (GString    *html,
                      const char *id,
                      const char *heading,
                      const char *chart_title,
                      const char *column,
                      GArray     *rows)
{
  g_string_append_printf (html, "<section id=\"%s\"><h2>%s</h2>\n", id, heading);
  append_bar_chart (html, chart_title, rows);
  append_count_table (html, column, rows);
  g_string_append (html, "</section>\n");
  chart_rows_free (rows);
}

static void
append_subsets (GString                   *html,
                const DmHtmlReportContent *content,
                const gboolean            *kept,
                const gboolean            *skipped)
{
  const char * const *subsets = dm_dataset_get_subsets (content->input);
  GArray *rows = new_chart_rows ();

  for (guint s = 0; subsets[s] != NULL; s++)
    {
      guint total = 0, n_kept = 0, n_skipped = 0;

      for (guint i = 0; i < dm_dataset_get_n_items (content->input); i++)
        if (g_str_equal (dm_item_get_subset (dm_dataset_get_item (content->input, i)), subsets[s]))
          {
            total++;
            n_kept += kept[i];
            n_skipped += skipped[i];
          }
      add_chart_row (rows, subsets[s], total, n_kept, n_skipped);
    }

  append_chart_section (html, "subsets", _("Subsets"), _("Items kept per subset"), _("Subset"), rows);
}

static void
append_labels (GString                   *html,
               const DmHtmlReportContent *content,
               const gboolean            *kept,
               const gboolean            *skipped)
{
  guint n_labels = dm_dataset_get_n_labels (content->input);
  g_autofree guint *totals = g_new0 (guint, n_labels + 1);
  g_autofree guint *kept_counts = g_new0 (guint, n_labels + 1);
  g_autofree guint *skipped_counts = g_new0 (guint, n_labels + 1);
  GArray *rows = new_chart_rows ();

  /* An item counts once under each of its labels; the last slot holds
   * the items without one. */
  for (guint i = 0; i < dm_dataset_get_n_items (content->input); i++)
    {
      guint n_item_labels = 0;
      const int *labels = dm_item_get_labels (dm_dataset_get_item (content->input, i), &n_item_labels);
      guint counted = 0;

      for (guint l = 0; l < n_item_labels; l++)
        if (labels[l] >= 0 && (guint) labels[l] < n_labels)
          {
            totals[labels[l]]++;
            kept_counts[labels[l]] += kept[i];
            skipped_counts[labels[l]] += skipped[i];
            counted++;
          }
      if (counted == 0)
        {
          totals[n_labels]++;
          kept_counts[n_labels] += kept[i];
          skipped_counts[n_labels] += skipped[i];
        }
    }

  for (guint l = 0; l < n_labels; l++)
    add_chart_row (rows, dm_dataset_get_label_name (content->input, l), totals[l], kept_counts[l],
                   skipped_counts[l]);
  if (totals[n_labels] > 0)
    add_chart_row (rows, _("(no label)"), totals[n_labels], kept_counts[n_labels], skipped_counts[n_labels]);

  append_chart_section (html, "labels", _("Labels"), _("Items kept per label"), _("Label"), rows);
}

static int
compare_cluster_sizes (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data)
{
  const ClusterInfo *info = user_data;
  guint x = *(const guint *) a, y = *(const guint *) b;

  if (info->sizes[x] != info->sizes[y])
    return info->sizes[x] > info->sizes[y] ? -1 : 1;
  return (x > y) - (x < y);
}

/* Cluster indices, largest cluster first (ties: lower index), the order
 * the chart, the table and the thumbnails show them in: the empty ones
 * last, where none of them looks. */
static guint *
clusters_by_size (const ClusterInfo *info)
{
  guint *order = g_new (guint, info->n_clusters);

  for (guint c = 0; c < info->n_clusters; c++)
    order[c] = c;
  g_qsort_with_data (order, (gint) info->n_clusters, sizeof (guint),
                     compare_cluster_sizes, (gpointer) info);
  return order;
}

static void
append_clusters (GString           *html,
                 const ClusterInfo *info,
                 const guint       *order,
                 guint              max_groups)
{
  GArray *chart_rows = new_chart_rows ();
  GArray *table_rows = new_chart_rows ();
  guint n_empty = info->n_clusters - info->n_nonempty;
  guint shown = MIN (info->n_nonempty, max_groups);
  guint n_table_rows = MIN (info->n_nonempty, MAX_TABLE_ROWS);

  for (guint r = 0; r < shown; r++)
    {
      g_autofree char *name = g_strdup_printf (_("cluster %u"), order[r]);
      add_chart_row (chart_rows, name, info->sizes[order[r]], info->quotas[order[r]], 0);
    }
  for (guint r = 0; r < n_table_rows; r++)
    {
      g_autofree char *name = g_strdup_printf ("%u", order[r]);
      add_chart_row (table_rows, name, info->sizes[order[r]], info->quotas[order[r]], 0);
    }

  g_string_append_printf (html, "<section id=\"clusters\"><h2>%s</h2>\n", _("Clusters"));
  g_string_append_printf (html, "<p>%s</p>\n",
                          _("Each cluster keeps its quota of items; the bars show its size and quota, "
                            "largest cluster first."));
  if (n_empty > 0)
    {
      g_string_append (html, "<p class=\"note\" id=\"empty-clusters\">");
      g_string_append_printf (html, ngettext ("%u empty cluster (no items) is not listed.",
                                              "%u empty clusters (no items) are not listed.", n_empty),
                              n_empty);
      g_string_append (html, "</p>\n");
    }
  if (shown < info->n_nonempty)
    g_string_append_printf (html, "<p class=\"note\">%s</p>\n",
                            _("The chart shows the largest clusters only."));
  append_bar_chart (html, _("Cluster sizes and quotas"), chart_rows);
  append_count_table (html, _("Cluster"), table_rows);
  if (info->n_nonempty > n_table_rows)
    {
      g_string_append (html, "<p class=\"note\">");
      g_string_append_printf (html, ngettext ("… and %u more cluster.", "… and %u more clusters.",
                                              info->n_nonempty - n_table_rows),
                              info->n_nonempty - n_table_rows);
      g_string_append (html, "</p>\n");
    }
  g_string_append (html, "</section>\n");
  chart_rows_free (chart_rows);
  chart_rows_free (table_rows);
}

/* The items each group shows: half the places go to kept items and half
 * to dropped ones when both have more than that, else what one side does
 * not use goes to the other. */
static void
choose_shown (const ItemGroup *group,
              guint            per_group,
              guint           *n_kept,
              guint           *n_dropped)
{
  guint half = per_group / 2;

  *n_kept = MIN (group->kept->len, MAX (half, per_group - MIN (group->dropped->len, per_group)));
  *n_dropped = MIN (group->dropped->len, per_group - *n_kept);
}

/* Images larger are not decoded for a thumbnail: scaling decodes the
 * whole image first (400 MB as RGBA at this size), and the hasher refuses
 * them as well. */
#define MAX_THUMBNAIL_SOURCE_PIXELS G_GINT64_CONSTANT (100000000)

/* A thumbnail as a data: URI, or NULL when the image cannot be read or,
 * with @why_not set to the placeholder's text, is too large to decode. */
static char *
thumbnail_uri (const char  *image_path,
               guint        size,
               int         *width,
               int         *height,
               const char **why_not)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree char *buffer = NULL;
  g_autofree char *base64 = NULL;
  gsize length = 0;
  const char *mime = "image/jpeg";
  int declared_width = 0, declared_height = 0;
  GStatBuf info;

  /* A named pipe (or device) would be waited on for ever, past Ctrl-C:
   * only a regular file is opened. */
  if (g_stat (image_path, &info) != 0 || !S_ISREG (info.st_mode))
    return NULL;
  /* The size from the header alone, before anything is decoded. */
  if (gdk_pixbuf_get_file_info (image_path, &declared_width, &declared_height) == NULL)
    return NULL;
  if ((gint64) declared_width * declared_height > MAX_THUMBNAIL_SOURCE_PIXELS)
    {
      *why_not = _("no image: over 100 megapixels");
      return NULL;
    }

  pixbuf = gdk_pixbuf_new_from_file_at_scale (image_path, (int) size, (int) size, TRUE, NULL);
  if (pixbuf == NULL)
    return NULL;

  /* JPEG is a tenth of PNG's size for photos; PNG if the JPEG saver is
   * missing or the image has an alpha channel JPEG cannot keep. */
  if (gdk_pixbuf_get_has_alpha (pixbuf)
      || !gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "jpeg", NULL, "quality", "85", NULL))
    {
      g_clear_pointer (&buffer, g_free);
      mime = "image/png";
      if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "png", NULL, NULL))
        return NULL;
    }

  *width = gdk_pixbuf_get_width (pixbuf);
  *height = gdk_pixbuf_get_height (pixbuf);
  base64 = g_base64_encode ((const guchar *) buffer, length);
  return g_strdup_printf ("data:%s;base64,%s", mime, base64);
}

static void
append_thumbnail (GString                   *html,
                  const DmHtmlReportContent *content,
                  guint                      index,
                  gboolean                   kept)
{
  DmItem *item = dm_dataset_get_item (content->input, index);
  const char *image = dm_item_get_image_path (item);
  g_autofree char *uri = NULL;
  g_autofree char *name = g_strdup_printf ("%s/%s", dm_item_get_subset (item), dm_item_get_id (item));
  int width = 0, height = 0;
  const char *why_not = _("no image");

  if (image != NULL)
    uri = thumbnail_uri (image, content->thumbnail_size, &width, &height, &why_not);

  g_string_append_printf (html, "<figure class=\"%s\" title=\"", kept ? "kept" : "dropped");
  append_escaped (html, name);
  g_string_append_printf (html, " (%s)\"><div class=\"frame\">", kept ? _("kept") : _("dropped"));
  if (uri != NULL)
    {
      g_string_append_printf (html, "<img src=\"%s\" width=\"%d\" height=\"%d\" alt=\"", uri, width, height);
      append_escaped (html, dm_item_get_id (item));
      g_string_append (html, "\">");
    }
  else
    g_string_append_printf (html, "<span class=\"missing\">%s</span>", why_not);
  g_string_append (html, "</div><figcaption title=\"");
  append_escaped (html, name);
  g_string_append (html, "\">");
  append_escaped (html, dm_item_get_id (item));
  g_string_append (html, "</figcaption></figure>\n");
}

static gboolean
dataset_has_images (DmDataset *dataset)
{
  for (guint i = 0; i < dm_dataset_get_n_items (dataset); i++)
    if (dm_item_get_image_path (dm_dataset_get_item (dataset, i)) != NULL)
      return TRUE;
  return FALSE;
}

/* The groups the thumbnails are shown in: the clusters when the report
 * says which item is in which, else the subsets. */
static GPtrArray *
make_groups (const DmHtmlReportContent *content,
             const ClusterInfo         *info,
             const guint               *order,
             const gboolean            *kept,
             const gboolean            *skipped)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func (item_group_free);
  guint n_items = dm_dataset_get_n_items (content->input);

  if (info->cluster_of_item != NULL)
    {
      guint shown = MIN (info->n_nonempty, content->max_groups);
      g_autofree int *group_of_cluster = g_new (int, info->n_clusters);

      for (guint c = 0; c < info->n_clusters; c++)
        group_of_cluster[c] = -1;
      for (guint r = 0; r < shown; r++)
        {
          group_of_cluster[order[r]] = (int) r;
          g_ptr_array_add (groups, item_group_new (g_strdup_printf (_("Cluster %u"), order[r])));
        }
      for (guint i = 0; i < n_items; i++)
        {
          int g = info->cluster_of_item[i] == NO_CLUSTER ? -1 : group_of_cluster[info->cluster_of_item[i]];

          if (g >= 0)
            {
              ItemGroup *group = g_ptr_array_index (groups, g);
              g_array_append_val (kept[i] ? group->kept : group->dropped, i);
            }
        }
      return groups;
    }

  /* The skipped items have their own list (append_skipped). */
  {
    const char * const *subsets = dm_dataset_get_subsets (content->input);

    for (guint s = 0; subsets[s] != NULL && s < content->max_groups; s++)
      {
        ItemGroup *group = item_group_new (g_strdup_printf (_("Subset %s"), subsets[s]));

        for (guint i = 0; i < n_items; i++)
          if (!skipped[i] && g_str_equal (dm_item_get_subset (dm_dataset_get_item (content->input, i)), subsets[s]))
            g_array_append_val (kept[i] ? group->kept : group->dropped, i);
        g_ptr_array_add (groups, group);
      }
  }
  return groups;
}

static gboolean
append_thumbnails (GString                   *html,
                   const DmHtmlReportContent *content,
                   GPtrArray                 *groups,
                   guint                      n_groups_in_all,
                   GCancellable              *cancellable,
                   DmHtmlReportProgressFunc   progress,
                   gpointer                   progress_data,
                   GError                   **error)
{
  guint total = 0, done = 0;

  for (guint g = 0; g < groups->len; g++)
    {
      guint n_kept, n_dropped;
      choose_shown (g_ptr_array_index (groups, g), content->thumbnails_per_group, &n_kept, &n_dropped);
      total += n_kept + n_dropped;
    }

  g_string_append_printf (html, "<section id=\"items\"><h2>%s</h2>\n", _("Kept and dropped items"));
  g_string_append_printf (html, "<p class=\"legend\"><span style=\"border:3px solid " KEPT_COLOUR "\"></span>%s"
                          "<span style=\"border:2px dashed #aab2bd\"></span>%s</p>\n",
                          _("kept (outlined)"), _("dropped (faded)"));
  if (groups->len < n_groups_in_all)
    {
      g_string_append (html, "<p class=\"note\">");
      g_string_append_printf (html, _("Showing the %u largest of %u groups."), groups->len, n_groups_in_all);
      g_string_append (html, "</p>\n");
    }

  for (guint g = 0; g < groups->len; g++)
    {
      ItemGroup *group = g_ptr_array_index (groups, g);
      guint n_kept, n_dropped;
      guint n_all = group->kept->len + group->dropped->len;

      choose_shown (group, content->thumbnails_per_group, &n_kept, &n_dropped);
      g_string_append (html, "<div class=\"group\"><h3>");
      append_escaped (html, group->title);
      g_string_append (html, " — ");
      g_string_append_printf (html, ngettext ("kept %u of %u item", "kept %u of %u items", n_all),
                              group->kept->len, n_all);
      if (n_kept + n_dropped < n_all)
        g_string_append_printf (html, _(" (showing %u)"), n_kept + n_dropped);
      g_string_append (html, "</h3><div class=\"thumbs\">\n");

      for (guint k = 0; k < n_kept + n_dropped; k++)
        {
          gboolean is_kept = k < n_kept;
          guint index = is_kept ? g_array_index (group->kept, guint, k)
                                : g_array_index (group->dropped, guint, k - n_kept);

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          append_thumbnail (html, content, index, is_kept);
          if (progress != NULL)
            progress (++done, total, progress_data);
        }
      g_string_append (html, "</div></div>\n");
    }
  g_string_append (html, "</section>\n");
  return TRUE;
}

/* The skipped items, the first MAX_SKIPPED_ROWS of them, with why. */
static void
append_skipped (GString   *html,
                JsonArray *entries)
{
  guint n = json_array_get_length (entries);
  guint shown = MIN (n, MAX_SKIPPED_ROWS);

  g_string_append_printf (html, "<section id=\"skipped\"><h2>%s</h2>\n<p>", _("Skipped items"));
  g_string_append_printf (html, ngettext ("The transform left out %u item it could not use, rather than "
                                          "failing on it; it is neither kept nor dropped.",
                                          "The transform left out %u items it could not use, rather than "
                                          "failing on them; they are neither kept nor dropped.", n),
                          n);
  g_string_append_printf (html, "</p>\n<table class=\"list\"><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr>"
                                "</thead><tbody>\n", _("Subset"), _("Item"), _("Reason"));
  for (guint e = 0; e < shown; e++)
    {
      JsonNode *node = json_array_get_element (entries, e);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *columns[] = { DM_TRANSFORM_REPORT_SUBSET, DM_TRANSFORM_REPORT_ID, DM_TRANSFORM_REPORT_REASON };

      g_string_append (html, "<tr>");
      for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
        {
          const char *text = entry != NULL ? string_member (entry, columns[c]) : NULL;

          g_string_append (html, "<td>");
          append_escaped (html, text != NULL ? text : "");
          g_string_append (html, "</td>");
        }
      g_string_append (html, "</tr>\n");
    }
  g_string_append (html, "</tbody></table>\n");
  if (n > shown)
    {
      g_string_append (html, "<p class=\"note\">");
      g_string_append_printf (html, ngettext ("… and %u more skipped item.", "… and %u more skipped items.",
                                              n - shown),
                              n - shown);
      g_string_append (html, "</p>\n");
    }
  g_string_append (html, "</section>\n");
}

/* The page is named after the transform, whose label the host does not
 * know in advance ("Prune report"). */
static char *
page_title (const DmHtmlReportContent *content)
{
  if (content->transform_label == NULL)
    return g_strdup (_("Transform report"));
  /* TRANSLATORS: the report page's title; %s is the transform's label, as in “Prune report” */
  return g_strdup_printf (_("%s report"), content->transform_label);
}

/* @value as text if it is a scalar, else NULL. */
static char *
scalar_text (JsonNode *value)
{
  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
    return NULL;
  if (json_node_get_value_type (value) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (value));
  if (json_node_get_value_type (value) == G_TYPE_DOUBLE)
    return g_strdup_printf ("%g", json_node_get_double (value));
  if (json_node_get_value_type (value) == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (value) ? "true" : "false");
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
}

/* @object's scalar members as "name: value · …", in its order; sets
 * @all_scalar to whether every member is one. */
static char *
scalar_members_text (JsonObject *object,
                     gboolean   *all_scalar)
{
  GString *text = g_string_new (NULL);
  g_autoptr(GList) names = json_object_get_members (object);

  *all_scalar = TRUE;
  for (GList *name = names; name != NULL; name = name->next)
    {
      g_autofree char *value = scalar_text (json_object_get_member (object, name->data));

      if (value == NULL)
        {
          *all_scalar = FALSE;
          continue;
        }
      g_string_append_printf (text, "%s%s: %s", text->len > 0 ? " · " : "", (const char *) name->data, value);
    }
  return g_string_free (text, FALSE);
}

/* The report's own scalar members (its figures), then a line for each
 * member that is an object of scalars (its parameters, its timings),
 * each in the report's order: the host knows no transform's member
 * names. */
static void
append_report_members (GString    *html,
                       JsonObject *report)
{
  gboolean all_scalar;
  g_autofree char *scalars = scalar_members_text (report, &all_scalar);
  g_autoptr(GList) names = json_object_get_members (report);

  g_string_append (html, "<p class=\"params\">");
  append_escaped (html, scalars);
  g_string_append (html, "</p>\n");

  for (GList *name = names; name != NULL; name = name->next)
    {
      JsonNode *member = json_object_get_member (report, name->data);
      g_autofree char *text = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (member))
        continue;
      text = scalar_members_text (json_node_get_object (member), &all_scalar);
      if (!all_scalar || text[0] == '\0')
        continue;
      g_string_append (html, "<p class=\"params\"><strong>");
      append_escaped (html, name->data);
      g_string_append (html, "</strong>: ");
      append_escaped (html, text);
      g_string_append (html, "</p>\n");
    }
}

static void
append_summary (GString                   *html,
                const DmHtmlReportContent *content,
                guint                      n_skipped)
{
  JsonObject *report = report_object (content);
  guint n_items = dm_dataset_get_n_items (content->input);
  guint n_kept = dm_dataset_get_n_items (content->output);
  g_autofree char *title = page_title (content);

  g_string_append (html, "<h1>");
  append_escaped (html, title);
  g_string_append (html, "</h1>\n");
  g_string_append_printf (html,
                          "<p class=\"summary\">%s <strong id=\"kept-count\">%u</strong> %s "
                          "<strong id=\"total-count\">%u</strong> %s (%.1f%%)",
                          C_("Kept N of M items", "Kept"), n_kept, C_("Kept N of M items", "of"),
                          n_items, C_("Kept N of M items", "items"),
                          n_items > 0 ? 100.0 * n_kept / n_items : 0.0);
  if (n_skipped > 0)
    {
      g_string_append (html, "; <a id=\"skipped-count\" href=\"#skipped\">");
      g_string_append_printf (html, ngettext ("%u skipped", "%u skipped", n_skipped), n_skipped);
      g_string_append (html, "</a>");
    }
  if (content->source != NULL)
    {
      g_string_append_printf (html, " %s <code>", _("from"));
      append_escaped (html, content->source);
      g_string_append (html, "</code>");
    }
  g_string_append (html, "</p>\n");

  if (report != NULL)
    append_report_members (html, report);
}

/**
 * dm_html_report_render:
 * @content: what to show
 * @cancellable: (nullable): stops the thumbnails
 * @progress: (nullable): called for each thumbnail made
 * @progress_data: for @progress
 * @error: return location for a #GError
 *
 * Makes the page: totals before and after per subset and per label as
 * bar charts and tables; the clusters' sizes and quotas when the
 * transform's report has them; and thumbnails of kept and dropped items
 * for each cluster (or subset), at most @content's limits.
 *
 * Returns: (transfer full): the page, or %NULL if cancelled
 */
char *
dm_html_report_render (const DmHtmlReportContent *content,
                       GCancellable              *cancellable,
                       DmHtmlReportProgressFunc   progress,
                       gpointer                   progress_data,
                       GError                   **error)
{
  g_autoptr(GString) html = g_string_new (NULL);
  guint n_items = dm_dataset_get_n_items (content->input);
  g_autofree gboolean *kept = g_new0 (gboolean, MAX (n_items, 1));
  g_autofree gboolean *skipped = g_new0 (gboolean, MAX (n_items, 1));
  JsonArray *skipped_entries;
  g_autofree guint *order = NULL;
  g_autofree char *title = page_title (content);
  ClusterInfo info;

  for (guint i = 0; i < n_items; i++)
    {
      DmItem *item = dm_dataset_get_item (content->input, i);
      kept[i] = dm_dataset_find_item (content->output, dm_item_get_subset (item), dm_item_get_id (item)) != NULL;
    }
  read_cluster_info (content, &info);
  skipped_entries = read_skipped (content, kept, skipped);

  g_string_append (html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
  append_escaped (html, title);
  if (content->source != NULL)
    {
      g_string_append (html, ": ");
      append_escaped (html, content->source);
    }
  g_string_append_printf (html, "</title>\n<style>%s</style>\n</head><body>\n", report_style);

  append_summary (html, content, skipped_entries != NULL ? json_array_get_length (skipped_entries) : 0);
  append_subsets (html, content, kept, skipped);
  append_labels (html, content, kept, skipped);
  if (skipped_entries != NULL)
    append_skipped (html, skipped_entries);

  if (info.n_clusters > 0)
    {
      order = clusters_by_size (&info);
      append_clusters (html, &info, order, content->max_groups);
    }

  if (dataset_has_images (content->input))
    {
      g_autoptr(GPtrArray) groups = make_groups (content, &info, order, kept, skipped);
      guint n_groups_in_all = info.cluster_of_item != NULL ? info.n_nonempty
                            : g_strv_length ((char **) dm_dataset_get_subsets (content->input));

      if (!append_thumbnails (html, content, groups, n_groups_in_all, cancellable,
                              progress, progress_data, error))
        {
          cluster_info_clear (&info);
          return NULL;
        }
    }
  else
    g_string_append_printf (html, "<p class=\"note\">%s</p>\n",
                            _("The items have no images, so there are no thumbnails."));

  /* Marks how many thumbnails the browser decoded, for the tests and for
   * anyone checking a page that looks empty. */
  g_string_append (html,
                   "<script>addEventListener('load',function(){var n=0;"
                   "for(var i=0;i<document.images.length;i++)"
                   "if(document.images[i].complete&&document.images[i].naturalWidth>0)n++;"
                   "document.body.setAttribute('data-images-decoded',n)});</script>\n"
                   "</body></html>\n");
  cluster_info_clear (&info);
  return g_string_free (g_steal_pointer (&html), FALSE);
}

static char *
index_path (const char *directory)
{
  return g_build_filename (directory, "index.html", NULL);
}

/* Whether @path is @directory or below it, once both are absolute and
 * their symbolic links resolved as far as they exist (the report's
 * directory may not exist yet). */
static gboolean
is_at_or_below (const char *path,
                const char *directory)
{
  g_autofree char *resolved_dir = dm_resolve_path (directory);
  g_autofree char *resolved_path = dm_resolve_path (path);

  return g_str_equal (resolved_path, resolved_dir) || dm_path_is_below (resolved_path, resolved_dir);
}

/* The dataset (@source or @dataset_destination, either %NULL) that @path
 * is at or below, or %NULL: a report there would be taken for part of the
 * dataset, or, in a DEST still to be written, make it non-empty. */
static const char *
dataset_containing (const char *path,
                    const char *source,
                    const char *dataset_destination)
{
  if (source != NULL && is_at_or_below (path, source))
    return source;
  if (dataset_destination != NULL && is_at_or_below (path, dataset_destination))
    return dataset_destination;
  return NULL;
}

/**
 * dm_json_report_check_destination:
 * @path: the JSON report's file
 * @source: (nullable): the dataset read, which the report must not touch
 * @dataset_destination: (nullable): where the output dataset goes, which
 *   the report must not mix with
 * @error: return location for a #GError
 *
 * Checks, before any work, that the JSON report may be written to @path:
 * outside both datasets, and not onto a directory nor a path that names
 * one ("report.json/"). An existing file is replaced.
 *
 * Returns: %TRUE if it may
 */
gboolean
dm_json_report_check_destination (const char  *path,
                                  const char  *source,
                                  const char  *dataset_destination,
                                  GError     **error)
{
  const char *dataset = dataset_containing (path, source, dataset_destination);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT, _("Cannot write %s: it is a directory"), path);
  /* The report is put in place after the dataset: it would fail then. */
  else if (dm_path_names_directory (path))
    g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                 _("Cannot write the report to %s: it names a directory, not a file"), path);
  else if (dataset != NULL)
    g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                 _("Cannot write the report to %s: it is inside the dataset %s; choose a file outside both datasets"),
                 path, dataset);
  else
    return TRUE;
  return FALSE;
}

/**
 * dm_html_report_check_destination:
 * @directory: where the report is to go
 * @source: (nullable): the dataset read, which the report must not touch
 * @dataset_destination: (nullable): where the output dataset goes, which
 *   the report must not mix with
 * @overwrite: whether an earlier report there may be replaced
 * @error: return location for a #GError
 *
 * Checks, before any work, that `DIR/index.html` may be written there.
 *
 * Returns: %TRUE if it may
 */
gboolean
dm_html_report_check_destination (const char  *directory,
                                  const char  *source,
                                  const char  *dataset_destination,
                                  gboolean     overwrite,
                                  GError     **error)
{
  g_autofree char *index = index_path (directory);
  const char *dataset = dataset_containing (directory, source, dataset_destination);

  if (g_file_test (directory, G_FILE_TEST_EXISTS) && !g_file_test (directory, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                   _("Cannot write the HTML report to %s: it is a file, not a directory"), directory);
      return FALSE;
    }
  if (dataset != NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                   _("Cannot write the HTML report to %s: it is inside the dataset %s; choose a directory outside both datasets"),
                   directory, dataset);
      return FALSE;
    }
  if (g_file_test (index, G_FILE_TEST_EXISTS) && !overwrite)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_EXISTS,
                   _("Cannot write the HTML report to %s: it has an index.html already"),
                   directory);
      return FALSE;
    }
  return TRUE;
}
