/* test-helpers.h: running dm and checking what it did to the file system,
 * shared by the test suites. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  int status;          /* exit status, or -1 if killed */
  char *out;
  char *err;
} DmRun;

void        dm_run_free       (DmRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DmRun, dm_run_free)

/* Runs the dm under test ($DM_CLI) with the NULL-terminated arguments;
 * @unset_env names one variable to remove from its environment, or NULL. */
DmRun      *dm_run            (const char *unset_env,
                               const char *first_arg,
                               ...) G_GNUC_NULL_TERMINATED;
/* dm_run() with the arguments as a NULL-terminated array. */
DmRun      *dm_run_argv       (const char         *unset_env,
                               const char * const *args);

/* For g_subprocess_wait_async(): sets the gboolean @exited points to
 * once @process has exited (or the wait was cancelled). */
void        note_subprocess_exit (GObject      *process,
                                  GAsyncResult *result,
                                  gpointer      exited);

/* Waits at most @seconds for @process to exit, running the thread-default
 * main context; returns whether it exited. */
gboolean    wait_for_exit     (GSubprocess *process,
                               guint        seconds);

/* A fresh directory under the test's temporary directory. */
char       *make_temp_dir     (void);

/* Writes a sample dataset of @n_items items with JPEG images into @dir. */
void        make_sample       (const char *dir,
                               guint       n_items);

/* make_sample() into @dir, then `dm hash` on it, asserting it succeeds:
 * every item's key in the cache. */
void        make_hashed_sample (const char *dir,
                                guint       n_items);

/* Writes a Datumaro dataset of @n_items items (subsets train and val,
 * 4:1) with a label each and no image, whose 64-byte keys sit in Datumaro's
 * cache hash_key_meta/hash_keys.json: each label's random key with bits
 * flipped as noise, the shape of sign-binarised CLIP features. */
void        write_keys_dataset (const char *dir,
                                guint       n_items,
                                guint       n_labels,
                                guint32     seed);

/* The fixture of the tests that work on a dataset in a temporary
 * directory: a fresh directory @tmp, the dataset's path @source in it, a
 * path @dest beside it ("dest", absent until a test makes it), and
 * @source_before, source_fixture_guard()'s snapshot of the dataset as
 * written (NULL: unguarded). The tear-down asserts that whatever the test
 * did left a guarded input byte-identical, then removes @tmp. */
typedef struct
{
  char *tmp;
  char *source;
  char *dest;
  GHashTable *source_before;
} SourceFixture;

/* Makes @tmp and names @source (@source_name in @tmp) and @dest; the
 * caller writes the dataset. */
void        source_fixture_init      (SourceFixture *fixture,
                                      const char    *source_name);
/* @name in the fixture's directory @tmp, beside @source. */
char       *path_in                  (SourceFixture *fixture,
                                      const char    *name);
/* Snapshots the dataset as it is, for the tear-down to compare: as
 * written, or again once the test changed it on purpose. */
void        source_fixture_guard     (SourceFixture *fixture);
void        source_fixture_tear_down (SourceFixture *fixture,
                                      gconstpointer  data);

/* Writes Datumaro's key cache for make_sample()'s dataset at @dataset, so
 * the clustering methods run without decoding an image: the items of one
 * label get noisy copies of one random key. */
void        write_sample_hash_keys (const char *dataset);

/* A set-up of a SourceFixture: make_sample()'s dataset of
 * GPOINTER_TO_UINT (@n_items) items at "source", guarded. */
void        sample_fixture_set_up  (SourceFixture *fixture,
                                    gconstpointer  n_items);

/* The end-to-end method tests' dataset: write_keys_dataset() of these. */
typedef struct
{
  guint n_items;
  guint n_labels;
  guint32 seed;
} KeysDataset;

/* A SourceFixture holding, at "keys", write_keys_dataset() of the
 * KeysDataset @spec (the test's data). */
typedef SourceFixture KeysFixture;

void        keys_fixture_set_up    (KeysFixture  *fixture,
                                    gconstpointer spec);

/* Removes the temporary directory @tmp and all it holds, then frees @tmp
 * and the NULL-terminated paths after it: the tear-down of a fixture of
 * paths in a temporary directory. */
void        discard_temp_dir  (char       *tmp,
                               ...) G_GNUC_NULL_TERMINATED;

/* Loads the JSON file @path into @parser, asserting it parses, and returns
 * its root object (owned by @parser). */
JsonObject *load_json_object  (JsonParser *parser,
                               const char *path);

/* Writes a Datumaro dataset with every kind of media into @dir, and an
 * image that an item names by its absolute path into @outside:
 * subset "pcd": pc1 (point cloud, related images pc1/cam0.jpg, pc1/cam1.jpg),
 *   pc2 (point cloud, related image shared.jpg);
 * subset "video": vf0, vf1 (frames of clip.avi), vid (the video whole.mp4);
 * subset "train": nopath (image without path: nopath.jpg), abs (absolute
 *   path into @outside), sh1, sh2 (both shared.jpg), legacy (old.jpg, kept
 *   in images/ as before Datumaro 1.0), plain (sub/plain.jpg);
 * and files no item refers to: README, annotations/README.txt,
 * images/train/unreferenced.jpg. Every file has contents of its own. */
void        write_media_dataset (const char *dir,
                                 const char *outside);

/* Every entry below @dir (relative path -> checksum of contents, "dir"
 * for a directory, "link to TARGET" for a symbolic link, not followed), to
 * compare before and after. */
GHashTable *snapshot_tree     (const char *dir);
void        assert_same_tree  (GHashTable *before,
                               GHashTable *after);
/* Asserts that @dir holds exactly the entries of @snapshot, byte for
 * byte. */
void        assert_tree_matches (GHashTable *snapshot,
                                 const char *dir);

/* Whether the directory @dir holds an entry whose name contains @part. */
gboolean    dir_has_entry_containing (const char *dir,
                                      const char *part);

void        remove_tree       (const char *path);

/* Asserts the files @a and @b hold the same bytes. */
void        assert_same_bytes (const char *a,
                               const char *b);

/* Writes @length bytes (-1: up to the NUL) to @path, creating its
 * directories. */
void        write_file        (const char *path,
                               const char *contents,
                               gssize      length);

/* Writes @path as a PNG whose valid header declares @width × @height
 * 8-bit RGB pixels, followed by a few bytes of pixel data: a
 * decompression bomb, to be refused from its header. */
void        write_png_declaring (const char *path,
                                 guint32     width,
                                 guint32     height);

/* Parses the JSON file @path, asserting it parses. */
JsonNode   *read_json         (const char *path);
/* Writes @node to @path as compact JSON text, creating its directories. */
void        write_json        (const char *path,
                               JsonNode   *node);

/* How many times @part occurs in @text, not overlapping. */
guint       count_occurrences (const char *text,
                               const char *part);

/* Asserts that @text contains @part. */
void        assert_contains   (const char *text,
                               const char *part);

/* Asserts that @err, what dm wrote to standard error, is one line in its
 * own voice ("dm" first, its only newline last) and, unless @part is
 * NULL, that it contains @part. */
void        assert_one_line   (const char *err,
                               const char *part);

/* Writes @json as the annotations of subset @subset of the Datumaro
 * dataset at @dir (annotations/@subset.json). */
void        write_subset_annotations (const char *dir,
                                      const char *subset,
                                      const char *json);

/* Asserts @error is set and its message contains @part. */
void        assert_error_mentions (const GError *error,
                                   const char   *part);

/* Asserts that @error is set and its message is one line that speaks to
 * any caller of the library (Python, a graphical host, dm): no option of
 * a program ("--overwrite", "-o DEST", "-f imagenet") and none of dm's
 * names for its arguments (SOURCE, DEST). Text in “” quotes (a name, or
 * another tool's command line) is not looked at. */
void        assert_error_names_no_flag (const GError *error);

/* Writes @dir/@name as NumPy writes a .npy file of format version @major
 * (1, 2 or 3): the header dict @dict, padded, then @data. Returns the
 * path. */
char       *write_npy         (const char *dir,
                               const char *name,
                               guint       major,
                               const char *dict,
                               const void *data,
                               gsize       data_length);

/* Whether files in @dir can be written without a name (Linux's
 * O_TMPFILE), which is what a killed writer leaves no trace with. */
gboolean    can_write_nameless (const char *dir);

/* Runs the current test again in a child process, which works in @dir
 * (make_killed_child_dir()), and asserts the child killed itself with
 * kill_self() and nothing else. */
void        run_killed_child  (const char *dir);
/* make_temp_dir(), but in the child of run_killed_child() its parent's
 * directory: the child, killed, cannot remove one of its own. */
char       *make_killed_child_dir (void);
/* In that child: dies of SIGKILL, as the OOM killer or kill -9 kills. */
void        kill_self         (void) G_GNUC_NORETURN;

/* Calls @create, which writes @path, under several umasks, and asserts
 * that @path then has the permissions of a new file: 0666 less the umask. */
void        assert_new_file_modes (const char *path,
                                   void      (*create) (gpointer user_data),
                                   gpointer    user_data);

/* The fixture of the tests of writing over a file through dm-file-tree's
 * temporary files (dm_replace_file(), the dm command's staged outputs):
 * a directory @tmp (make_killed_child_dir(), so that a killed child
 * writes where its parent looks) holding the file @target, and @kind, the
 * DmTempFileKind the test writes with (the test's data). */
typedef struct
{
  char *tmp;
  char *target;
  int   kind;
} TempFileFixture;

/* Makes @tmp, and @target (@target_name in it) holding @old_contents;
 * @kind is GINT_TO_POINTER() of a DmTempFileKind. */
void        temp_file_fixture_init      (TempFileFixture *fixture,
                                         const char      *target_name,
                                         const char      *old_contents,
                                         gconstpointer    kind);
void        temp_file_fixture_tear_down (TempFileFixture *fixture,
                                         gconstpointer    data);

/* Adds the fixture test @test (g_test_add()) twice: as @suite/@name with
 * a nameless temporary file, and as @suite/named/@name with a named one
 * (the fallback where O_TMPFILE is missing), the DmTempFileKind being the
 * test's data. For the tests of what writes through dm-file-tree's
 * temporary files, which include dm-file-tree-private.h. */
#define add_test_per_temp_file_kind(suite, name, Fixture, set_up, test, tear_down) \
  G_STMT_START { \
    g_test_add (suite "/" name, Fixture, GINT_TO_POINTER (DM_TEMP_FILE_ANONYMOUS), \
                set_up, test, tear_down); \
    g_test_add (suite "/named/" name, Fixture, GINT_TO_POINTER (DM_TEMP_FILE_NAMED), \
                set_up, test, tear_down); \
  } G_STMT_END

G_END_DECLS
