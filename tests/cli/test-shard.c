/* dm hash --shard and --merge end to end: shards hashed by separate
 * processes, some killed and rerun, merge to the keys of one run; bad
 * merges and bad flags fail cleanly. */
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "test-helpers.h"

/* Items of the sample: enough that a shard is still hashing when it is
 * killed, or few where that does not matter. */
#define N_ITEMS_KILLED 2000
#define N_ITEMS 40
#define N_SHARDS 4

typedef struct
{
  char *tmp;
  char *source;
  char *single_cache;  /* the cache one `dm hash` run writes */
  char *shards[N_SHARDS + 1];
} Fixture;

static char *
cache_path (const char *dataset)
{
  return g_build_filename (dataset, "hash_key_meta", "hash_keys.json", NULL);
}

static void
assert_run (DmRun *run,
            int    status)
{
  if (run->status != status)
    g_error ("dm exited with %d, not %d: %s", run->status, status, run->err);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *single = NULL;
  guint n_items = GPOINTER_TO_UINT (data);

  fixture->tmp = make_temp_dir ();
  fixture->source = g_build_filename (fixture->tmp, "source", NULL);
  single = g_build_filename (fixture->tmp, "single", NULL);
  make_sample (fixture->source, n_items);
  make_hashed_sample (single, n_items);
  fixture->single_cache = cache_path (single);
  for (guint i = 0; i < N_SHARDS; i++)
    fixture->shards[i] = g_strdup_printf ("%s/keys-%u.json", fixture->tmp, i);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  for (guint i = 0; i < N_SHARDS; i++)
    g_free (fixture->shards[i]);
  discard_temp_dir (fixture->tmp, fixture->source, fixture->single_cache, NULL);
}

static GSubprocess *
spawn_shard (Fixture *fixture,
             guint    index)
{
  g_autofree char *shard = g_strdup_printf ("%u/%u", index, N_SHARDS);
  g_autoptr(GError) error = NULL;
  GSubprocess *process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                           &error, g_getenv ("DM_CLI"), "hash", fixture->source,
                                           "--shard", shard, "--keys-out", fixture->shards[index],
                                           "--threads", "1", NULL);

  g_assert_no_error (error);
  return process;
}

/* Reads @process's progress (lines on stdout when it is not a terminal)
 * until it is hashing. */
static void
wait_until_hashing (GSubprocess *process)
{
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_autoptr(GError) error = NULL;

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL || strstr (line, "hashing") != NULL)
        return;
    }
}

static void
merge_all (Fixture *fixture)
{
  g_autoptr(DmRun) run = dm_run (NULL, "hash", "-q", fixture->source, "--merge",
                                 fixture->shards[2], fixture->shards[0],
                                 fixture->shards[3], fixture->shards[1], NULL);

  assert_run (run, 0);
}

/* Every shard in parallel, shards 1 and 3 killed while hashing: the killed
 * leave no key file, the rerun skips the complete ones, and the merge
 * writes the very cache of one run. */
static void
test_parallel_killed_rerun (Fixture       *fixture,
                            gconstpointer  data)
{
  GSubprocess *processes[N_SHARDS];
  g_autofree char *cache = cache_path (fixture->source);
  g_autoptr(GHashTable) before = snapshot_tree (fixture->source);
  guint n_killed = 0;

  for (guint i = 0; i < N_SHARDS; i++)
    processes[i] = spawn_shard (fixture, i);
  for (guint i = 1; i < N_SHARDS; i += 2)
    {
      wait_until_hashing (processes[i]);
      g_subprocess_send_signal (processes[i], SIGKILL);
    }
  for (guint i = 0; i < N_SHARDS; i++)
    {
      g_assert_true (g_subprocess_wait (processes[i], NULL, NULL));
      if (i % 2 == 0)
        g_assert_true (g_subprocess_get_successful (processes[i]));
      else if (g_subprocess_get_if_signaled (processes[i]))
        {
          g_assert_false (g_file_test (fixture->shards[i], G_FILE_TEST_EXISTS));
          n_killed++;
        }
      g_object_unref (processes[i]);
    }
  /* A shard may finish before its signal; not both. */
  g_assert_cmpuint (n_killed, >=, 1);
  /* No half-written file beside the key files either. */
  g_assert_false (dir_has_entry_containing (fixture->tmp, ".tmp-"));
  /* A shard run never touches SOURCE. */
  assert_tree_matches (before, fixture->source);

  for (guint i = 0; i < N_SHARDS; i++)
    {
      g_autofree char *shard = g_strdup_printf ("%u/%u", i, N_SHARDS);
      g_autoptr(DmRun) run = dm_run (NULL, "hash", fixture->source, "--shard", shard,
                                     "--keys-out", fixture->shards[i], NULL);

      assert_run (run, 0);
      if (i % 2 == 0)
        g_assert_nonnull (strstr (run->out, "skipped"));
      g_assert_true (g_file_test (fixture->shards[i], G_FILE_TEST_IS_REGULAR));
    }

  g_assert_false (g_file_test (cache, G_FILE_TEST_EXISTS));
  merge_all (fixture);
  assert_same_bytes (cache, fixture->single_cache);
}

static void
hash_shards (Fixture *fixture)
{
  for (guint i = 0; i < N_SHARDS; i++)
    {
      g_autofree char *shard = g_strdup_printf ("%u/%u", i, N_SHARDS);
      g_autoptr(DmRun) run = dm_run (NULL, "hash", "-q", fixture->source, "--shard", shard,
                                     "--keys-out", fixture->shards[i], NULL);

      assert_run (run, 0);
    }
}

/* A merge of @files fails with one line naming @names, and SOURCE,
 * cache included, is byte-identical. */
static void
assert_bad_merge (Fixture    *fixture,
                  const char *names,
                  const char *file0,
                  const char *file1,
                  const char *file2,
                  const char *file3)
{
  g_autoptr(GHashTable) before = snapshot_tree (fixture->source);
  g_autoptr(DmRun) run = dm_run (NULL, "hash", fixture->source, "--merge", file0, file1, file2, file3, NULL);
  const char *newline = strchr (run->err, '\n');

  assert_run (run, 1);
  if (strstr (run->err, names) == NULL)
    g_error ("the error does not name %s: %s", names, run->err);
  g_assert_nonnull (newline);
  g_assert_cmpstr (newline + 1, ==, "");
  assert_tree_matches (before, fixture->source);
}

static char *
write_variant (Fixture    *fixture,
               const char *name,
               const char *from_path,
               const char *from,
               const char *to,
               gssize      keep)
{
  g_autofree char *text = NULL;
  g_autofree char *changed = NULL;
  char *path = g_build_filename (fixture->tmp, name, NULL);

  g_assert_true (g_file_get_contents (from_path, &text, NULL, NULL));
  if (from != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (text, from, -1);

      g_assert_cmpuint (g_strv_length (parts), >, 1);
      changed = g_strjoinv (to, parts);
    }
  else
    changed = g_strdup (text);
  write_file (path, changed, keep);
  return path;
}

static void
test_bad_merges (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *other = g_build_filename (fixture->tmp, "other", NULL);
  g_autofree char *other_shard = g_build_filename (fixture->tmp, "other-0.json", NULL);
  g_autofree char *older = NULL;
  g_autofree char *corrupt = NULL;
  g_autofree char *key_version = NULL;
  g_autoptr(DmRun) other_run = NULL;
  g_autofree char *first = NULL;
  const char *origin;

  hash_shards (fixture);
  /* Against a cache there already, which must stay as it was. */
  merge_all (fixture);

  make_sample (other, N_ITEMS - 1);
  other_run = dm_run (NULL, "hash", "-q", other, "--shard", "0/4", "--keys-out", other_shard, NULL);
  assert_run (other_run, 0);

  /* The key version, as "dm_key_origin" records it, made older. */
  g_assert_true (g_file_get_contents (fixture->shards[2], &first, NULL, NULL));
  origin = strstr (first, "\"dm_key_origin\":\"");
  g_assert_nonnull (origin);
  origin += strlen ("\"dm_key_origin\":\"");
  key_version = g_strndup (origin, strchr (origin, '"') - origin);
  older = write_variant (fixture, "older-2.json", fixture->shards[2], key_version, "dm-image-key-1", -1);
  corrupt = write_variant (fixture, "corrupt-2.json", fixture->shards[2], NULL, NULL, 300);

  assert_bad_merge (fixture, "shard 1/4 is missing", fixture->shards[0], fixture->shards[2], fixture->shards[3], NULL);
  assert_bad_merge (fixture, other_shard, other_shard, fixture->shards[1], fixture->shards[2], fixture->shards[3]);
  assert_bad_merge (fixture, fixture->shards[0], fixture->shards[0], fixture->shards[1], fixture->shards[0], fixture->shards[3]);
  assert_bad_merge (fixture, older, fixture->shards[0], fixture->shards[1], older, fixture->shards[3]);
  assert_bad_merge (fixture, corrupt, fixture->shards[0], fixture->shards[1], corrupt, fixture->shards[3]);
}

static void
test_bad_flags (Fixture       *fixture,
                gconstpointer  data)
{
  const char *const cases[][5] = {
    { "--shard", "3/2", "--keys-out", "k.json", NULL },
    { "--shard", "0/0", "--keys-out", "k.json", NULL },
    { "--shard", "a/2", "--keys-out", "k.json", NULL },
    { "--shard", "0/2", NULL },
    { "--keys-out", "k.json", NULL },
    { "--merge", "--shard", "0/2", "k.json", NULL },
    { "--merge", NULL },
    { "--shard", "0/2", "--keys-out", "k.json", "--embeddings=e.npy" },
  };
  g_autoptr(GHashTable) before = snapshot_tree (fixture->source);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(DmRun) run = dm_run (NULL, "hash", fixture->source, cases[c][0], cases[c][1],
                                     cases[c][2], cases[c][3], cases[c][4], NULL);

      assert_run (run, 2);
    }
  assert_tree_matches (before, fixture->source);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/shard/parallel-killed-rerun", Fixture, GUINT_TO_POINTER (N_ITEMS_KILLED), fixture_set_up, test_parallel_killed_rerun, fixture_tear_down);
  g_test_add ("/shard/bad-merges", Fixture, GUINT_TO_POINTER (N_ITEMS), fixture_set_up, test_bad_merges, fixture_tear_down);
  g_test_add ("/shard/bad-flags", Fixture, GUINT_TO_POINTER (N_ITEMS), fixture_set_up, test_bad_flags, fixture_tear_down);

  return g_test_run ();
}
