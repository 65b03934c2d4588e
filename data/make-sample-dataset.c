/* make-sample-dataset.c: writes a small Datumaro-format dataset with real
 * JPEG images, for the demo and the end-to-end tests.
 *
 * Each label has its own kind of picture (discs, bars, checks, rings), drawn
 * with random position, size and colours, so that images of one label look
 * alike and the clustering methods have something to find.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <math.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

static const char *label_names[] = { "disc", "bars", "checks", "rings" };

typedef struct
{
  double cx, cy, size;
  guint8 fg[3], bg[3];
} Shape;

static void
draw (GdkPixbuf   *pixbuf,
      guint        label,
      const Shape *shape,
      GRand       *rand)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        double dx = x - shape->cx * width, dy = y - shape->cy * height;
        double r = sqrt (dx * dx + dy * dy) / (shape->size * width);
        gboolean on;
        guint8 *p = pixels + y * stride + x * 3;
        int noise = (int) g_rand_int_range (rand, -12, 13);

        switch (label)
          {
          case 0: on = r < 1.0; break;
          case 1: on = ((int) (x / (shape->size * width * 0.5))) % 2 == 0; break;
          case 2: on = (((int) (x / (shape->size * width * 0.4))) + ((int) (y / (shape->size * width * 0.4)))) % 2 == 0; break;
          default: on = ((int) (r * 3.0)) % 2 == 0; break;
          }
        for (int c = 0; c < 3; c++)
          p[c] = (guint8) CLAMP ((on ? shape->fg[c] : shape->bg[c]) + noise, 0, 255);
      }
}

static void
add_label_annotation (JsonBuilder *builder,
                      guint        label)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "label");
  json_builder_set_member_name (builder, "attributes");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "group");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "label_id");
  json_builder_add_int_value (builder, label);
  json_builder_end_object (builder);
}

static void
add_bbox_annotation (JsonBuilder *builder,
                     guint        label,
                     const Shape *shape,
                     int          width,
                     int          height)
{
  double w = shape->size * width * 2, h = shape->size * width * 2;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "bbox");
  json_builder_set_member_name (builder, "attributes");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "occluded");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "group");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "label_id");
  json_builder_add_int_value (builder, label);
  json_builder_set_member_name (builder, "z_order");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "bbox");
  json_builder_begin_array (builder);
  json_builder_add_double_value (builder, floor (shape->cx * width - w / 2));
  json_builder_add_double_value (builder, floor (shape->cy * height - h / 2));
  json_builder_add_double_value (builder, floor (w));
  json_builder_add_double_value (builder, floor (h));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
add_categories (JsonBuilder *builder)
{
  json_builder_set_member_name (builder, "categories");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "label");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "labels");
  json_builder_begin_array (builder);
  for (guint l = 0; l < G_N_ELEMENTS (label_names); l++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, label_names[l]);
      json_builder_set_member_name (builder, "parent");
      json_builder_add_string_value (builder, "");
      json_builder_set_member_name (builder, "attributes");
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "label_groups");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "attributes");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

static gboolean
write_subset (const char  *root,
              const char  *subset,
              guint        first,
              guint        count,
              int          width,
              int          height,
              GRand       *rand,
              GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root_node = NULL;
  g_autofree char *image_dir = g_build_filename (root, "images", subset, NULL);
  g_autofree char *annotation_dir = g_build_filename (root, "annotations", NULL);
  g_autofree char *annotation_file = NULL;
  g_autofree char *annotation_name = g_strconcat (subset, ".json", NULL);

  if (g_mkdir_with_parents (image_dir, 0755) != 0 || g_mkdir_with_parents (annotation_dir, 0755) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "cannot create %s: %s", image_dir, g_strerror (errno));
      return FALSE;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "dm_format_version");
  json_builder_add_string_value (builder, "1.0");
  json_builder_set_member_name (builder, "media_type");
  json_builder_add_int_value (builder, 2);
  json_builder_set_member_name (builder, "infos");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  add_categories (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);

  for (guint i = first; i < first + count; i++)
    {
      guint label = g_rand_int_range (rand, 0, G_N_ELEMENTS (label_names));
      g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
      g_autofree char *id = g_strdup_printf ("%s_%04u", label_names[label], i);
      g_autofree char *file_name = g_strconcat (id, ".jpg", NULL);
      g_autofree char *image_path = g_build_filename (image_dir, file_name, NULL);
      Shape shape;

      shape.cx = g_rand_double_range (rand, 0.3, 0.7);
      shape.cy = g_rand_double_range (rand, 0.3, 0.7);
      shape.size = g_rand_double_range (rand, 0.12, 0.25);
      for (int c = 0; c < 3; c++)
        {
          /* Each label has its own palette, varied per image. */
          shape.fg[c] = (guint8) CLAMP (60 + 60 * (((int) label + c) % 3) + g_rand_int_range (rand, -40, 40), 0, 255);
          shape.bg[c] = (guint8) CLAMP (200 - 50 * (((int) label * 2 + c) % 4) + g_rand_int_range (rand, -30, 30), 0, 255);
        }
      draw (pixbuf, label, &shape, rand);
      if (!gdk_pixbuf_save (pixbuf, image_path, "jpeg", error, "quality", "90", NULL))
        return FALSE;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, id);
      json_builder_set_member_name (builder, "annotations");
      json_builder_begin_array (builder);
      add_label_annotation (builder, label);
      if (i % 3 == 0)
        add_bbox_annotation (builder, label, &shape, width, height);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "image");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, file_name);
      json_builder_set_member_name (builder, "size");
      json_builder_begin_array (builder);
      json_builder_add_int_value (builder, height);
      json_builder_add_int_value (builder, width);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root_node = json_builder_get_root (builder);
  json_generator_set_root (generator, root_node);
  annotation_file = g_build_filename (annotation_dir, annotation_name, NULL);
  return json_generator_to_file (generator, annotation_file, error);
}

int
main (int argc, char **argv)
{
  int items = 40;
  int width = 128, height = 96;
  int seed = 1;
  g_autoptr(GOptionContext) context = g_option_context_new ("DIR");
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = NULL;
  guint n_train;
  const GOptionEntry entries[] = {
    { "items", 'n', 0, G_OPTION_ARG_INT, &items, "Number of items (default 40)", "N" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Image width (default 128)", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "Image height (default 96)", "H" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Seed (default 1)", "S" },
    G_OPTION_ENTRY_NULL
  };

  g_option_context_set_summary (context,
    "Writes a Datumaro-format sample dataset with JPEG images of four labels\n"
    "into DIR (subsets train and val, 3:1).");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 ||
      items < 1 || width < 8 || height < 8)
    {
      g_printerr ("make-sample-dataset: %s\n", error ? error->message : "usage: make-sample-dataset [-n N] DIR");
      return 2;
    }

  if (g_file_test (argv[1], G_FILE_TEST_EXISTS))
    {
      g_printerr ("make-sample-dataset: %s exists already\n", argv[1]);
      return 1;
    }

  rand = g_rand_new_with_seed ((guint32) seed);
  n_train = (guint) (items * 3 / 4);
  if (!write_subset (argv[1], "train", 0, n_train, width, height, rand, &error) ||
      !write_subset (argv[1], "val", n_train, items - n_train, width, height, rand, &error))
    {
      g_printerr ("make-sample-dataset: %s\n", error->message);
      return 1;
    }

  g_print ("Wrote %d items with images to %s\n", items, argv[1]);
  return 0;
}
