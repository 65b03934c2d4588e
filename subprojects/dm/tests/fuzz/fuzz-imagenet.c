/* fuzz-imagenet.c: the ImageNet folder reader on directory trees decoded
 * from the input: directories, image and other files, truncated images and
 * symbolic links (loops included), read in every ImageNet format (labels,
 * subset folders, ImageNet-txt lists), and format detection on the same
 * tree.
 *
 * The input is a list of operations, one byte each, followed by their
 * arguments:
 *   op % 6 == 0  enter a new directory NAME        (at most 5 deep)
 *          1  go back up
 *          2  an image file NAME.EXT: a 1×1 PNG cut to the next byte's length
 *          3  a file NAME.EXT of the next (byte % 64) input bytes
 *          4  a symbolic link NAME to one of a few targets, loops included
 *          5  an empty directory NAME
 * NAME is 1 to 8 characters of a small alphabet, EXT one of a few
 * extensions, images' and others', except that a folder or link right in
 * the root (a subset, with subset folders) is named by one byte from a
 * short list of names that matter to the reader (train, val, no_label,
 * images, ...). That list also bounds the subset names, which items
 * intern: GLib never frees interned strings and lets its table's old
 * copies go when it grows, which LeakSanitizer would report. */
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <dm.h>

#include "fuzz-common.h"

#define MAX_ENTRIES 48
#define MAX_DEPTH 5

static const guint8 png_1x1[] = {
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
  0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
  0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe, 0x92, 0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
  0x44, 0xae, 0x42, 0x60, 0x82,
};

static const char *const extensions[] = {
  ".png", ".jpg", ".JPEG", ".jpeg", ".bmp", ".txt", ".json", "",
};

static const char *const formats[] = {
  "imagenet", "imagenet_with_subset_dirs", "imagenet_txt",
};

static const char *const top_level_names[] = {
  "train", "val", "test", "Val", "no_label", "images", "cat", "cat-x",
};

/* Relative to the link's directory, except "@" for the tree's root. */
static const char *const link_targets[] = {
  ".", "..", "../..", "@", "a", "a.png", "missing", "b/../..",
};

typedef struct
{
  const uint8_t *data;
  size_t size;
  size_t pos;
} Input;

static gboolean
input_done (const Input *in)
{
  return in->pos >= in->size;
}

static guint
next_byte (Input *in)
{
  return in->pos < in->size ? in->data[in->pos++] : 0;
}

static char *
next_name (Input *in,
           gboolean with_extension)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz019._- ";
  guint length = 1 + next_byte (in) % 8;
  GString *name = g_string_new (NULL);

  for (guint i = 0; i < length; i++)
    g_string_append_c (name, alphabet[next_byte (in) % (sizeof alphabet - 1)]);
  if (g_str_equal (name->str, ".") || g_str_equal (name->str, ".."))
    g_string_prepend_c (name, 'n');
  if (with_extension)
    g_string_append (name, extensions[next_byte (in) % G_N_ELEMENTS (extensions)]);
  return g_string_free (name, FALSE);
}

static void
build_tree (const char *root,
            Input      *in)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (stack, g_strdup (root));
  for (guint entries = 0; entries < MAX_ENTRIES && !input_done (in); entries++)
    {
      const char *here = g_ptr_array_index (stack, stack->len - 1);
      guint op = next_byte (in) % 6;
      gboolean top_level_folder = stack->len == 1 && op != 1 && op != 2 && op != 3;
      g_autofree char *name = top_level_folder
        ? g_strdup (top_level_names[next_byte (in) % G_N_ELEMENTS (top_level_names)])
        : next_name (in, op == 2 || op == 3);
      g_autofree char *path = g_build_filename (here, name, NULL);

      switch (op)
        {
        case 0:
          if (stack->len <= MAX_DEPTH && g_mkdir (path, 0755) == 0)
            g_ptr_array_add (stack, g_steal_pointer (&path));
          break;
        case 1:
          if (stack->len > 1)
            g_ptr_array_set_size (stack, stack->len - 1);
          break;
        case 2:
          {
            gsize cut = 8 + next_byte (in);
            gsize length = MIN (sizeof png_1x1, cut);

            g_file_set_contents (path, (const char *) png_1x1, (gssize) length, NULL);
          }
          break;
        case 3:
          {
            gsize wanted = next_byte (in) % 64;
            gsize length = MIN (wanted, in->size - in->pos);

            g_file_set_contents (path, (const char *) in->data + in->pos, (gssize) length, NULL);
            in->pos += length;
          }
          break;
        case 4:
          {
            const char *target = link_targets[next_byte (in) % G_N_ELEMENTS (link_targets)];

            if (symlink (g_str_equal (target, "@") ? root : target, path) != 0)
              { /* the name is taken: fine, the tree is just smaller */ }
          }
          break;
        default:
          g_mkdir (path, 0755);
          break;
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *root = fuzz_make_root ();
  Input in = { data, size, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(DmDataset) detected = NULL;

  build_tree (root, &in);

  /* Every ImageNet format, whatever the tree looks like. */
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autoptr(DmDataset) dataset = dm_dataset_load (root, formats[f], NULL, &error);

      fuzz_check_result (dataset, error, root);
      g_clear_error (&error);
    }

  /* Detection looks at the same tree from another angle. */
  detected = dm_dataset_load (root, NULL, NULL, &error);
  fuzz_check_result (detected, error, root);

  fuzz_remove_tree (root);
  return 0;
}
