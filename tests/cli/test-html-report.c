/* dm prune --report-html: the page's content, and the page in a real
 * browser (headless Chromium, offline) when one is installed. */
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "dm-html-report.h"
#include "test-helpers.h"

#define N_SAMPLE_ITEMS 24

typedef SourceFixture Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  source_fixture_init (fixture, "source");
  make_sample (fixture->source, data != NULL ? GPOINTER_TO_UINT (data) : N_SAMPLE_ITEMS);
  write_sample_hash_keys (fixture->source);
  source_fixture_guard (fixture);
}

/* Runs dm prune with --report-html and the JSON report; returns the page. */
static char *
prune_with_report (Fixture    *fixture,
                   const char *method,
                   JsonObject **json_report)
{
  g_autofree char *html_dir = path_in (fixture, "report");
  g_autofree char *json_path = path_in (fixture, "report.json");
  g_autofree char *index = g_build_filename (html_dir, "index.html", NULL);
  g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", method, "-r", "0.5",
                                 "-o", fixture->dest, "--report", json_path, "--report-html", html_dir, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  char *page = NULL;

  if (run->status != 0)
    g_error ("dm prune -m %s failed: %s", method, run->err);
  g_assert_true (g_file_get_contents (index, &page, NULL, NULL));
  *json_report = json_object_ref (load_json_object (parser, json_path));

  return page;
}

/* Nothing the page shows may come from elsewhere. */
static void
assert_self_contained (const char *page)
{
  g_assert_null (strstr (page, "http:"));
  g_assert_null (strstr (page, "https:"));
  g_assert_null (strstr (page, "<link"));
  g_assert_null (strstr (page, "src=\"file"));
  g_assert_null (strstr (page, "@import"));
}

static void
test_clusters (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *page = prune_with_report (fixture, "cluster_random", &report);
  g_autofree char *kept = NULL;
  g_autofree char *total = NULL;
  JsonArray *clusters = json_object_get_array_member (report, "clusters");
  guint n_kept = (guint) json_object_get_int_member (report, "kept");
  guint n_items = (guint) json_object_get_int_member (report, "items");

  assert_self_contained (page);
  assert_contains (page, "<title>Prune report");
  kept = g_strdup_printf ("<strong id=\"kept-count\">%u</strong>", n_kept);
  total = g_strdup_printf ("<strong id=\"total-count\">%u</strong>", n_items);
  assert_contains (page, kept);
  assert_contains (page, total);
  g_assert_cmpuint (n_items, ==, N_SAMPLE_ITEMS);
  /* The report's scalar members, whatever the transform names them. */
  assert_contains (page, "method: cluster_random");
  assert_contains (page, "simd: ");

  /* The charts and tables, and one row of thumbnails per cluster. */
  assert_contains (page, "<section id=\"subsets\">");
  assert_contains (page, "<section id=\"labels\">");
  assert_contains (page, "<section id=\"clusters\">");
  g_assert_cmpuint (count_occurrences (page, "<svg class=\"chart\""), ==, 3);
  g_assert_nonnull (clusters);
  g_assert_cmpuint (count_occurrences (page, "<div class=\"group\">"), ==, json_array_get_length (clusters));
  for (guint c = 0; c < json_array_get_length (clusters); c++)
    {
      JsonObject *cluster = json_array_get_object_element (clusters, c);
      g_autofree char *row = g_strdup_printf ("<tr><td>%u</td><td>%" G_GINT64_FORMAT "</td><td>%" G_GINT64_FORMAT "</td>",
                                              c, json_object_get_int_member (cluster, "size"),
                                              json_object_get_int_member (cluster, "quota"));

      /* An empty cluster is only counted (test_cluster_order). */
      if (json_object_get_int_member (cluster, "size") > 0)
        assert_contains (page, row);
    }

  /* Every item once, kept ones outlined, each with its thumbnail. */
  g_assert_cmpuint (count_occurrences (page, "<figure class=\"kept\""), ==, n_kept);
  g_assert_cmpuint (count_occurrences (page, "<figure class=\"dropped\""), ==, n_items - n_kept);
  g_assert_cmpuint (count_occurrences (page, "src=\"data:image/"), ==, n_items);
  g_assert_true (json_object_has_member (report, "cluster_of_item"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (report, "cluster_of_item")), ==, n_items);
}

/* --report-html alone (no --report): the page still groups the items by
 * cluster, with each cluster's figures, as with --report beside it: the
 * per-item members come from the transform's written report, not its
 * tree. */
static void
test_clusters_without_json_report (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autofree char *html_dir = path_in (fixture, "html-only");
  g_autofree char *dest = path_in (fixture, "html-only-out");
  g_autofree char *index = g_build_filename (html_dir, "index.html", NULL);
  g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "cluster_random", "-r", "0.5",
                                 "-o", dest, "--report-html", html_dir, NULL);
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *page = NULL;
  g_autofree char *page_with_json = NULL;
  g_autoptr(GRegex) heading = g_regex_new ("<div class=\"group\"><h3>Cluster ([0-9]+) — kept ([0-9]+) of ([0-9]+) items?</h3>",
                                           G_REGEX_DEFAULT, G_REGEX_MATCH_DEFAULT, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree guint *sizes = NULL;
  JsonArray *clusters, *cluster_of_item;
  guint n_groups = 0, kept_sum = 0;

  if (run->status != 0)
    g_error ("dm prune --report-html failed: %s", run->err);
  g_assert_true (g_file_get_contents (index, &page, NULL, NULL));
  page_with_json = prune_with_report (fixture, "cluster_random", &report);

  /* Each item counted in its cluster, as the JSON report assigns it. */
  clusters = json_object_get_array_member (report, "clusters");
  cluster_of_item = json_object_get_array_member (report, "cluster_of_item");
  sizes = g_new0 (guint, json_array_get_length (clusters));
  for (guint i = 0; i < json_array_get_length (cluster_of_item); i++)
    {
      gint64 c = json_array_get_int_element (cluster_of_item, i);

      if (c >= 0)
        sizes[c]++;
    }

  g_regex_match (heading, page, G_REGEX_MATCH_DEFAULT, &match);
  for (; g_match_info_matches (match); g_match_info_next (match, NULL), n_groups++)
    {
      g_autofree char *cluster = g_match_info_fetch (match, 1);
      g_autofree char *kept = g_match_info_fetch (match, 2);
      g_autofree char *all = g_match_info_fetch (match, 3);
      guint c = (guint) g_ascii_strtoull (cluster, NULL, 10);

      g_assert_cmpuint (c, <, json_array_get_length (clusters));
      g_assert_cmpuint ((guint) g_ascii_strtoull (all, NULL, 10), ==, sizes[c]);
      kept_sum += (guint) g_ascii_strtoull (kept, NULL, 10);
    }
  g_assert_cmpuint (n_groups, ==, json_array_get_length (clusters));
  g_assert_cmpuint (kept_sum, ==, json_object_get_int_member (report, "kept"));
  g_assert_cmpuint (count_occurrences (page, "<div class=\"group\">"), ==, n_groups);
  g_assert_cmpuint (count_occurrences (page_with_json, "<div class=\"group\">"), ==, n_groups);
}

static void
test_random_by_subset (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *page = prune_with_report (fixture, "random", &report);
  JsonObject *subsets = json_object_get_object_member (report, "subsets");
  GList *names = json_object_get_members (subsets);

  assert_self_contained (page);
  /* No clusters: the thumbnails go by subset. */
  g_assert_null (strstr (page, "<section id=\"clusters\">"));
  g_assert_cmpuint (count_occurrences (page, "<div class=\"group\">"), ==, g_list_length (names));
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *subset = json_object_get_object_member (subsets, l->data);
      g_autofree char *title = g_strdup_printf ("Subset %s — kept %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " items",
                                                (char *) l->data, json_object_get_int_member (subset, "kept"),
                                                json_object_get_int_member (subset, "items"));
      assert_contains (page, title);
    }
  g_list_free (names);
  g_assert_cmpuint (count_occurrences (page, "<figure class=\"kept\""), ==,
                    json_object_get_int_member (report, "kept"));
}

/* A big group shows at most 24 thumbnails, kept and dropped ones both. */
static void
test_thumbnails_capped (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *page = prune_with_report (fixture, "random", &report);
  JsonObject *train = json_object_get_object_member (json_object_get_object_member (report, "subsets"), "train");
  JsonObject *val = json_object_get_object_member (json_object_get_object_member (report, "subsets"), "val");
  g_autofree char *train_title = NULL;
  const char *train_group, *val_group;
  guint n_val = (guint) json_object_get_int_member (val, "items");

  g_assert_cmpint (json_object_get_int_member (train, "items"), >, 24);
  g_assert_cmpuint (n_val, <=, 24);
  train_title = g_strdup_printf ("Subset train — kept %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " items (showing 24)",
                                 json_object_get_int_member (train, "kept"), json_object_get_int_member (train, "items"));
  train_group = strstr (page, train_title);
  val_group = strstr (page, "Subset val — ");
  g_assert_nonnull (train_group);
  g_assert_nonnull (val_group);
  g_assert_true (val_group > train_group);

  /* 24 for train, split between kept and dropped; all of val. */
  g_assert_cmpuint (count_occurrences (page, "<figure "), ==, 24 + n_val);
  {
    g_autofree char *train_part = g_strndup (train_group, val_group - train_group);
    g_assert_cmpuint (count_occurrences (train_part, "<figure class=\"kept\""), ==, 12);
    g_assert_cmpuint (count_occurrences (train_part, "<figure class=\"dropped\""), ==, 12);
  }
}

/* A dataset of keys only (no images) gets the charts and tables alone. */
static void
test_without_images (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *images = g_build_filename (fixture->source, "images", NULL);
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *page = NULL;

  /* The same dataset with its images gone: the fixture's snapshot is
   * retaken so the tear-down still checks dm left it alone. */
  remove_tree (images);
  {
    g_autofree char *annotations = g_build_filename (fixture->source, "annotations", NULL);
    const char *files[] = { "train.json", "val.json" };

    for (guint f = 0; f < G_N_ELEMENTS (files); f++)
      {
        g_autofree char *path = g_build_filename (annotations, files[f], NULL);
        g_autoptr(JsonParser) parser = json_parser_new ();
        JsonArray *items;

        items = json_object_get_array_member (load_json_object (parser, path), "items");
        for (guint i = 0; i < json_array_get_length (items); i++)
          json_object_remove_member (json_array_get_object_element (items, i), "image");
        write_json (path, json_parser_get_root (parser));
      }
  }
  source_fixture_guard (fixture);

  page = prune_with_report (fixture, "cluster_random", &report);
  assert_self_contained (page);
  assert_contains (page, "<section id=\"clusters\">");
  g_assert_cmpuint (count_occurrences (page, "<svg class=\"chart\""), ==, 3);
  g_assert_null (strstr (page, "<img"));
  g_assert_null (strstr (page, "<figure"));
  assert_contains (page, "no images");
}

/* An image declaring over 100 megapixels is not decoded for its
 * thumbnail: its figure says why, the others keep theirs. */
static void
test_huge_image_placeholder (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *train = g_build_filename (fixture->source, "images", "train", NULL);
  g_autoptr(GDir) dir = g_dir_open (train, 0, NULL);
  g_autofree char *huge = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *page = NULL;
  int width = 0, height = 0;

  g_assert_nonnull (dir);
  huge = g_build_filename (train, g_dir_read_name (dir), NULL);
  write_png_declaring (huge, 20000, 20000);
  g_assert_nonnull (gdk_pixbuf_get_file_info (huge, &width, &height));
  g_assert_cmpint (width, ==, 20000);
  g_assert_cmpint (height, ==, 20000);
  source_fixture_guard (fixture);

  page = prune_with_report (fixture, "random", &report);
  g_assert_cmpuint (count_occurrences (page, "no image: over 100 megapixels"), ==, 1);
  g_assert_cmpuint (count_occurrences (page, "<img "), ==, N_SAMPLE_ITEMS - 1);
}

/* Runs dm prune into @dest with the HTML report in @html_dir, asserting
 * it is refused before any work: exit status 1, a "dm: " line saying
 * @part, no @dest. */
static void
assert_report_refused (Fixture    *fixture,
                       const char *dest,
                       const char *html_dir,
                       const char *part)
{
  g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "random", "-o", dest,
                                 "--report-html", html_dir, NULL);

  g_assert_cmpint (run->status, ==, 1);
  g_assert_true (g_str_has_prefix (run->err, "dm: "));
  assert_contains (run->err, part);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
}

static void
test_refuses_existing_report (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *html_dir = path_in (fixture, "report");
  g_autofree char *index = g_build_filename (html_dir, "index.html", NULL);
  g_autofree char *contents = NULL;

  g_assert_cmpint (g_mkdir (html_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (index, "mine", -1, NULL));
  assert_report_refused (fixture, fixture->dest, html_dir, "--overwrite");
  /* The old page kept. */
  g_assert_true (g_file_get_contents (index, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "mine");
}

/* The report goes beside the datasets, never into one. */
static void
test_refuses_inside_dataset (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *in_source = g_build_filename (fixture->source, "report", NULL);
  g_autofree char *in_dest = g_build_filename (fixture->dest, "report", NULL);
  const char *places[] = { in_source, in_dest, fixture->dest };
  const char *datasets[] = { fixture->source, fixture->dest, fixture->dest };

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      g_autofree char *named = g_strdup_printf ("inside the dataset %s;", datasets[i]);

      assert_report_refused (fixture, fixture->dest, places[i], named);
      g_assert_false (g_file_test (places[i], G_FILE_TEST_EXISTS));
    }
}

/* The JSON report follows the same rule, checked before any work: a
 * report inside SOURCE would be loaded with it next time, one inside a
 * new DEST made it non-empty. One line naming the file. */
static void
test_json_report_refuses_inside_dataset (Fixture       *fixture,
                                         gconstpointer  data)
{
  g_autofree char *in_source = g_build_filename (fixture->source, "annotations", "r.json", NULL);
  g_autofree char *in_dest = g_build_filename (fixture->dest, "r.json", NULL);
  const char *places[] = { in_source, in_dest };
  const char *datasets[] = { fixture->source, fixture->dest };

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      g_autoptr(DmRun) run = dm_run (NULL, "prune", fixture->source, "-m", "random", "-o", fixture->dest,
                                     "--report", places[i], NULL);
      g_autofree char *expected = g_strdup_printf ("dm: Cannot write the report to %s: it is inside the dataset %s; "
                                                   "choose a file outside both datasets\n", places[i], datasets[i]);

      g_assert_cmpint (run->status, ==, 1);
      g_assert_cmpstr (run->err, ==, expected);
      g_assert_false (g_file_test (places[i], G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (fixture->dest, G_FILE_TEST_EXISTS));
    }
}

/* ---- in a browser ---------------------------------------------------- */

static char *
find_chromium (void)
{
  const char *names[] = { "chromium", "chromium-browser", "google-chrome" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      char *path = g_find_program_in_path (names[i]);
      if (path != NULL)
        return path;
    }
  return NULL;
}

/* Runs headless Chromium offline on @page_path with @action
 * ("--dump-dom" or "--screenshot=FILE"); returns its standard output. */
static char *
run_chromium (const char *chromium,
              const char *profile,
              const char *page_path,
              const char *action)
{
  g_autofree char *user_data_dir = g_strdup_printf ("--user-data-dir=%s", profile);
  g_autofree char *uri = g_filename_to_uri (page_path, NULL, NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                              "--no-first-run", "--disable-background-networking",
                              "--disable-component-update", "--disable-sync", "--disable-extensions",
                              /* Containers give /dev/shm a few megabytes. */
                              "--disable-dev-shm-usage",
                              /* No host name resolves and no proxy answers:
                               * the page must need no network. */
                              "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
                              "--hide-scrollbars", "--window-size=1200,1600",
                              user_data_dir, action, uri, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("%s %s failed: %s", chromium, action, err);

  return out;
}

/* The browser rendered the page: its title, the counts, and every
 * thumbnail decoded (the page's own script counts them on load). */
static void
assert_dom_rendered (const char *dom,
                     guint       n_kept)
{
  g_autofree char *kept = g_strdup_printf ("<strong id=\"kept-count\">%u</strong>", n_kept);
  g_autofree char *total = g_strdup_printf ("<strong id=\"total-count\">%u</strong>", N_SAMPLE_ITEMS);
  g_autofree char *decoded = g_strdup_printf ("data-images-decoded=\"%u\"", N_SAMPLE_ITEMS);

  if (g_test_verbose ())
    g_test_message ("DOM: %.2000s", dom);
  assert_contains (dom, "<title>Prune report");
  assert_contains (dom, kept);
  assert_contains (dom, total);
  assert_contains (dom, decoded);
}

/* And drew it: a PNG of the window's size with a real picture in it, not
 * a blank page. Text, charts and photos make hundreds of colours; a blank
 * or error page a handful. */
static void
assert_screenshot_drawn (const char *screenshot)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) image = gdk_pixbuf_new_from_file (screenshot, &error);
  g_autoptr(GHashTable) colours = g_hash_table_new (g_direct_hash, g_direct_equal);
  int stride, channels;
  const guint8 *pixels;

  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (image), ==, 1200);
  g_assert_cmpint (gdk_pixbuf_get_height (image), ==, 1600);
  stride = gdk_pixbuf_get_rowstride (image);
  channels = gdk_pixbuf_get_n_channels (image);
  pixels = gdk_pixbuf_read_pixels (image);
  for (int y = 0; y < gdk_pixbuf_get_height (image); y += 4)
    for (int x = 0; x < gdk_pixbuf_get_width (image); x += 4)
      {
        const guint8 *p = pixels + y * stride + x * channels;
        g_hash_table_add (colours, GUINT_TO_POINTER ((p[0] << 16) | (p[1] << 8) | p[2]));
      }
  g_assert_cmpuint (g_hash_table_size (colours), >, 200);
}

static void
test_in_browser (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *chromium = find_chromium ();
  g_autofree char *profile = path_in (fixture, "chromium-profile");
  g_autofree char *index = g_build_filename (fixture->tmp, "report", "index.html", NULL);
  g_autofree char *screenshot = path_in (fixture, "report.png");
  g_autofree char *screenshot_arg = g_strdup_printf ("--screenshot=%s", screenshot);
  g_autofree char *dom = NULL;
  g_autofree char *page = NULL;
  g_autofree char *ignored = NULL;
  g_autoptr(JsonObject) report = NULL;

  if (chromium == NULL)
    {
      g_test_skip ("chromium is not installed (Debian: apt install chromium); CI installs it");
      return;
    }

  page = prune_with_report (fixture, "cluster_random", &report);
  g_assert_cmpint (g_mkdir (profile, 0700), ==, 0);
  dom = run_chromium (chromium, profile, index, "--dump-dom");
  assert_dom_rendered (dom, (guint) json_object_get_int_member (report, "kept"));
  ignored = run_chromium (chromium, profile, index, screenshot_arg);
  assert_screenshot_drawn (screenshot);
}

/* The page of the items @ids of subset train (the first @n_kept kept,
 * the others dropped; their images missing) after a transform whose
 * report's tree is @tree_json and whose written report is @text, the one
 * place the page takes cluster_of_item from. */
static char *
render_items (const char * const *ids,
              guint               n_ids,
              guint               n_kept,
              const char         *tree_json,
              const char         *text)
{
  g_autoptr(DmDataset) input = dm_dataset_new ();
  g_autoptr(DmDataset) output = dm_dataset_new ();
  g_autoptr(JsonNode) tree = json_from_string (tree_json, NULL);
  g_autoptr(GError) error = NULL;
  DmHtmlReportContent content;
  char *page;

  for (guint i = 0; i < n_ids; i++)
    {
      g_autoptr(DmItem) item = dm_item_new (ids[i], "train");

      dm_item_set_image_path (item, "/nonexistent/image.jpg");
      if (i < n_kept)
        {
          g_autoptr(DmItem) copy = dm_item_copy (item);

          dm_dataset_append_item (output, copy);
        }
      dm_dataset_append_item (input, item);
    }
  dm_html_report_content_init (&content, input, output);
  content.transform_report = tree;
  content.transform_report_text = text;
  content.transform_report_text_length = strlen (text);
  page = dm_html_report_render (&content, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return page;
}

/* The page of the items a, b and c (a kept) after a transform that
 * reported two clusters and wrote @text as its report. */
static char *
render_with_report_text (const char *text)
{
  const char * const ids[] = { "a", "b", "c" };

  return render_items (ids, G_N_ELEMENTS (ids), 1,
                       "{\"clusters\": [{\"size\": 1, \"quota\": 1}, {\"size\": 2, \"quota\": 0}]}", text);
}

/* Whether the page groups the items by cluster as cluster_of_item
 * [1, 0, 1] does (c, when @c_clustered), or by subset because the text
 * gives no cluster_of_item the page can trust. */
static void
assert_groups (const char *text,
               gboolean    by_cluster,
               gboolean    c_clustered)
{
  g_autofree char *page = render_with_report_text (text);

  if (!by_cluster)
    {
      g_assert_cmpuint (count_occurrences (page, "<h3>Cluster "), ==, 0);
      assert_contains (page, "<h3>Subset train — kept 1 of 3 items</h3>");
      return;
    }
  g_assert_cmpuint (count_occurrences (page, "<h3>Subset "), ==, 0);
  assert_contains (page, "<h3>Cluster 0 — kept 0 of 1 item</h3>");
  assert_contains (page, c_clustered ? "<h3>Cluster 1 — kept 1 of 2 items</h3>"
                                     : "<h3>Cluster 1 — kept 1 of 1 item</h3>");
}

/* cluster_of_item read from the transform's written report: as
 * json-glib's tree would read it (a later member of the name wins), an
 * element that is no whole number puts its item in no cluster, and a
 * member that does not fit the dataset, or text that is not JSON, leaves
 * the grouping by subset. */
static void
test_cluster_of_item_text (void)
{
  assert_groups ("{\"cluster_of_item\": [1, 0, 1]}", TRUE, TRUE);
  assert_groups ("{\"a\": [[1], {\"b\": 2}], \"cluster_of_item\": [1, 0, 1], \"s\": \"\\ud800\"}", TRUE, TRUE);
  assert_groups ("{\"cluster_of_item\": [0, 0, 0], \"cluster_of_item\": [1, 0, 1]}", TRUE, TRUE);
  assert_groups ("{\"cluster_of_item\": [1, 0, -1]}", TRUE, FALSE);
  assert_groups ("{\"cluster_of_item\": [1, 0, 1.5]}", TRUE, FALSE);
  assert_groups ("{\"cluster_of_item\": [1, 0, null]}", TRUE, FALSE);
  assert_groups ("{\"cluster_of_item\": [1, 0, \"1\"]}", TRUE, FALSE);
  assert_groups ("{\"cluster_of_item\": [1, 0, [1]]}", TRUE, FALSE);

  assert_groups ("{\"cluster_of_item\": [1, 0, 1], \"cluster_of_item\": null}", FALSE, FALSE);
  assert_groups ("{\"cluster_of_item\": [1, 0, 1], \"cluster_of_item\": {}}", FALSE, FALSE);
  assert_groups ("{\"cluster_of_item\": [1, 0]}", FALSE, FALSE);
  assert_groups ("{\"cluster_of_item\": [1, 0, 1, 0]}", FALSE, FALSE);
  assert_groups ("{\"cluster_of_item\": [1, 0, 2]}", FALSE, FALSE);
  assert_groups ("{\"cluster_of_item\": [1, 0, -2]}", FALSE, FALSE);
  assert_groups ("{\"x\": {\"cluster_of_item\": [1, 0, 1]}}", FALSE, FALSE);
  assert_groups ("{\"cluster_of_item\": [1, 0, 1], \"n\": 99999999999999999999}", FALSE, FALSE);
  assert_groups ("{\"cluster_of_item\": [1, 0, 1], \"n\": 1e999}", FALSE, FALSE);
  assert_groups ("{\"cluster_of_item\": [1, 0, 1]", FALSE, FALSE);
  assert_groups ("", FALSE, FALSE);
}

/* Asserts that @parts occur in @page in this order, each once. */
static void
assert_in_order (const char         *page,
                 const char * const *parts,
                 guint               n_parts)
{
  const char *previous = page;

  for (guint p = 0; p < n_parts; p++)
    {
      const char *at = strstr (page, parts[p]);

      g_assert_cmpuint (count_occurrences (page, parts[p]), ==, 1);
      if (at < previous)
        g_error ("“%s” comes before “%s”", parts[p], parts[p - 1]);
      previous = at;
    }
}

#define LONG_ID "an_item_whose_name_is_far_too_long_for_a_thumbnail_caption_of_seventy_pixels"

/* The clusters in one order, largest first, in the chart, the table and
 * the thumbnails; the empty ones (1 and 3) in none of them, counted once;
 * a caption as long as it is, with the full name for its title. */
static void
test_cluster_order (void)
{
  const char * const ids[] = { "a", "b", "c", "d", LONG_ID };
  const char *text = "{\"clusters\": [{\"size\": 1, \"quota\": 1}, {\"size\": 0, \"quota\": 0},"
                     " {\"size\": 3, \"quota\": 1}, {\"size\": 0, \"quota\": 0}, {\"size\": 1, \"quota\": 0}],"
                     " \"cluster_of_item\": [2, 0, 2, 2, 4]}";
  g_autofree char *page = render_items (ids, G_N_ELEMENTS (ids), 2, text, text);
  const char * const chart[] = { ">cluster 2<", ">cluster 0<", ">cluster 4<" };
  const char * const table[] = { "<tr><td>2</td><td>3</td><td>1</td>", "<tr><td>0</td><td>1</td><td>1</td>",
                                 "<tr><td>4</td><td>1</td><td>0</td>" };
  const char * const groups[] = { "<h3>Cluster 2 — kept 1 of 3 items", "<h3>Cluster 0 — kept 1 of 1 item",
                                  "<h3>Cluster 4 — kept 0 of 1 item" };

  assert_in_order (page, chart, G_N_ELEMENTS (chart));
  assert_in_order (page, table, G_N_ELEMENTS (table));
  assert_in_order (page, groups, G_N_ELEMENTS (groups));
  g_assert_cmpuint (count_occurrences (page, "2 empty clusters (no items) are not listed."), ==, 1);
  g_assert_null (strstr (page, ">cluster 1<"));
  g_assert_null (strstr (page, ">cluster 3<"));
  g_assert_null (strstr (page, "<tr><td>1</td>"));
  g_assert_null (strstr (page, "<tr><td>3</td>"));
  g_assert_cmpuint (count_occurrences (page, "<div class=\"group\">"), ==, 3);
  assert_contains (page, "<figcaption title=\"train/" LONG_ID "\">" LONG_ID "</figcaption>");
}

/* The report's skipped items: listed with their reason (escaped), an
 * entry that names no item of the input listed but not counted, counted
 * apart from the dropped ones per subset and label, and out of the
 * thumbnails; the report's objects of scalars (its parameters) listed
 * as its scalars are, the others not. */
static void
test_skipped_items (void)
{
  const char * const ids[] = { "a", "b", "c", "d", "e" };
  const char *tree = "{\"method\": \"m\", \"parameters\": {\"method\": \"m\", \"ratio\": 0.2, \"stratify\": true},"
                     " \"subsets\": {\"train\": {\"items\": 5}},"
                     " \"skipped\": [{\"subset\": \"train\", \"id\": \"c\", \"reason\": \"cannot <read> it\"},"
                     " {\"subset\": \"train\", \"id\": \"nowhere\", \"reason\": 3}]}";
  g_autofree char *page = render_items (ids, G_N_ELEMENTS (ids), 1, tree, tree);

  assert_contains (page, "<a id=\"skipped-count\" href=\"#skipped\">2 skipped</a>");
  assert_contains (page, "<section id=\"skipped\">");
  assert_contains (page, "<tr><td>train</td><td>c</td><td>cannot &lt;read&gt; it</td></tr>");
  assert_contains (page, "<tr><td>train</td><td>nowhere</td><td></td></tr>");
  assert_contains (page, "<th>Dropped</th><th>Skipped</th>");
  assert_contains (page, "<tr><td>train</td><td>5</td><td>1</td><td>3</td><td>1</td><td>20.0</td></tr>");
  assert_contains (page, "<h3>Subset train — kept 1 of 4 items");
  g_assert_null (strstr (page, "alt=\"c\""));
  g_assert_null (strstr (page, "title=\"train/c "));
  assert_contains (page, "<p class=\"params\">method: m</p>");
  assert_contains (page, "<p class=\"params\"><strong>parameters</strong>: method: m · ratio: 0.2 · stratify: true</p>");
  g_assert_null (strstr (page, "<strong>subsets</strong>"));
  g_assert_null (strstr (page, "more skipped item"));
}

/* The list of skipped items stops at 100, saying how many more. */
static void
test_skipped_items_capped (void)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) tree = g_string_new ("{\"skipped\": [");
  g_autofree char *page = NULL;

  for (guint i = 0; i < 110; i++)
    g_ptr_array_add (ids, g_strdup_printf ("i%03u", i));
  for (guint i = 2; i < 107; i++)
    g_string_append_printf (tree, "%s{\"subset\": \"train\", \"id\": \"i%03u\", \"reason\": \"r\"}",
                            i > 2 ? ", " : "", i);
  g_string_append (tree, "]}");
  page = render_items ((const char * const *) ids->pdata, ids->len, 2, tree->str, tree->str);

  assert_contains (page, "105 skipped</a>");
  assert_contains (page, "<tr><td>train</td><td>i101</td><td>r</td></tr>");
  g_assert_null (strstr (page, "<td>i102</td>"));
  assert_contains (page, "… and 5 more skipped items.");
  assert_contains (page, "<tr><td>train</td><td>110</td><td>2</td><td>3</td><td>105</td>");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/html-report/clusters", Fixture, NULL, fixture_set_up, test_clusters, source_fixture_tear_down);
  g_test_add ("/html-report/clusters-without-json-report", Fixture, NULL, fixture_set_up, test_clusters_without_json_report, source_fixture_tear_down);
  g_test_add ("/html-report/random-by-subset", Fixture, NULL, fixture_set_up, test_random_by_subset, source_fixture_tear_down);
  g_test_add ("/html-report/thumbnails-capped", Fixture, GUINT_TO_POINTER (80), fixture_set_up, test_thumbnails_capped, source_fixture_tear_down);
  g_test_add ("/html-report/without-images", Fixture, NULL, fixture_set_up, test_without_images, source_fixture_tear_down);
  g_test_add ("/html-report/huge-image-placeholder", Fixture, NULL, fixture_set_up, test_huge_image_placeholder, source_fixture_tear_down);
  g_test_add ("/html-report/refuses-existing", Fixture, NULL, fixture_set_up, test_refuses_existing_report, source_fixture_tear_down);
  g_test_add ("/html-report/refuses-inside-dataset", Fixture, NULL, fixture_set_up, test_refuses_inside_dataset, source_fixture_tear_down);
  g_test_add ("/html-report/json-report-refuses-inside-dataset", Fixture, NULL, fixture_set_up, test_json_report_refuses_inside_dataset, source_fixture_tear_down);
  g_test_add_func ("/html-report/cluster-of-item-text", test_cluster_of_item_text);
  g_test_add_func ("/html-report/cluster-order", test_cluster_order);
  g_test_add_func ("/html-report/skipped-items", test_skipped_items);
  g_test_add_func ("/html-report/skipped-items-capped", test_skipped_items_capped);
  g_test_add ("/html-report/in-browser", Fixture, NULL, fixture_set_up, test_in_browser, source_fixture_tear_down);

  return g_test_run ();
}
