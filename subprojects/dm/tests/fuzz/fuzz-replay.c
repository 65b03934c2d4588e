/* fuzz-replay.c: without libFuzzer, a fuzz target is a test that feeds it
 * every file of its committed corpus (the directories or files given as
 * arguments), so the normal and sanitizer builds run what fuzzing found. */
#include <glib.h>

#include "fuzz-common.h"

static void
replay_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_test_message ("%s", path);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
}

static void
test_replay (gconstpointer data)
{
  const char *const *paths = data;
  guint n_inputs = 0;

  for (guint p = 0; paths[p] != NULL; p++)
    {
      g_autoptr(GDir) dir = NULL;
      const char *name;

      if (!g_file_test (paths[p], G_FILE_TEST_IS_DIR))
        {
          replay_file (paths[p]);
          n_inputs++;
          continue;
        }
      dir = g_dir_open (paths[p], 0, NULL);
      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (paths[p], name, NULL);

          replay_file (path);
          n_inputs++;
        }
    }
  /* A corpus that went missing would make this test pass vacuously. */
  g_assert_cmpuint (n_inputs, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  LLVMFuzzerInitialize (&argc, &argv);
  g_test_add_data_func ("/fuzz/replay-corpus", argv + 1, test_replay);
  return g_test_run ();
}
