/* dm-dataset-io.c: format detection, loading, and saving that appears whole
 * or not at all.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "dm-dataset-io.h"
#include "dm-dataset-private.h"
#include "dm-datumaro-private.h"
#include "dm-destination-private.h"
#include "dm-error.h"
#include "dm-file-tree-private.h"
#include "dm-imagenet-private.h"
#include "dm-in-place-private.h"

/* Temporary outputs are <destination>.tmp-XXXXXX, beside the destination. */
#define TEMP_SUFFIX ".tmp-XXXXXX"

/* Attempts at a temporary output that a concurrent cleanup does not take
 * for a killed run's before this run locks it. */
#define TEMP_ATTEMPTS 5

static gboolean
check_source_directory (const char  *path,
                        GError     **error)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_NOT_FOUND,
                   _("Cannot read %s: no such file or directory"), path);
      return FALSE;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                   _("Cannot read %s: a dataset is a directory, and this is a file"), path);
      return FALSE;
    }
  return TRUE;
}

/**
 * dm_dataset_detect_format:
 * @path: (type filename): a dataset directory
 * @error: return location for a #GError
 *
 * Tells the format of the dataset at @path: "datumaro" when it has
 * JSON files in `annotations/`, otherwise "imagenet_txt",
 * "imagenet_with_subset_dirs" or "imagenet" as Datumaro's detectors decide
 * (see dm_imagenet_detect()).
 *
 * Returns: (transfer full): the format name, or %NULL with @error set
 *   (%DM_ERROR_UNKNOWN_FORMAT when neither matches)
 */
char *
dm_dataset_detect_format (const char  *path,
                          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char *format = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_source_directory (path, error))
    return NULL;
  if (dm_datumaro_has_annotation_files (path))
    return g_strdup ("datumaro");
  if (!dm_datumaro_check_not_a_project (path, error))
    return NULL;
  format = dm_imagenet_detect (path, &local_error);
  if (format == NULL)
    {
      if (g_error_matches (local_error, DM_ERROR, DM_ERROR_UNKNOWN_FORMAT))
        dm_datumaro_note_datasets_below (path, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return format;
}

/* The formats the host reads and, for those that take options when
 * loading, the format's own code for them: the options are the format's
 * to name and check. */
typedef struct
{
  const char *name;
  const char * const * (*list_options) (void);
  gboolean (*check_options) (const char * const *assignments, GError **error);
} Format;

static const Format formats[] = {
  { "datumaro", NULL, NULL },
  { "imagenet", NULL, NULL },
  { "imagenet_with_subset_dirs", NULL, NULL },
  { "imagenet_txt", dm_imagenet_txt_list_options, dm_imagenet_txt_check_options },
};

static const Format *
find_format (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_str_equal (formats[i].name, name))
      return &formats[i];
  return NULL;
}

static gboolean
check_format_known (const char  *format,
                    GError     **error)
{
  g_auto(GStrv) names = NULL;
  g_autofree char *known = NULL;

  if (format == NULL || find_format (format) != NULL)
    return TRUE;
  names = dm_dataset_list_formats ();
  known = g_strjoinv (", ", names);
  g_set_error (error, DM_ERROR, DM_ERROR_UNKNOWN_FORMAT,
               _("Unknown dataset format “%s” (known: %s)"), format, known);
  return FALSE;
}

/**
 * dm_dataset_list_formats:
 *
 * Lists the formats dm_dataset_load() reads, by the names it takes.
 *
 * Returns: (transfer full): the format names
 */
char **
dm_dataset_list_formats (void)
{
  char **names = g_new0 (char *, G_N_ELEMENTS (formats) + 1);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    names[i] = g_strdup (formats[i].name);
  return names;
}

/**
 * dm_dataset_list_load_options:
 * @format: a format name, as dm_dataset_list_formats() lists them
 *
 * Lists the options dm_dataset_load_with_options() takes for @format,
 * each as `NAME=VALUES`: the option's name, then the values it takes
 * (`labels=file|generate`) or what its value is (`labels_file=FILE`).
 *
 * Returns: (transfer full): the options, none for a format that takes
 *   none or is unknown
 */
char **
dm_dataset_list_load_options (const char *format)
{
  const Format *known;

  g_return_val_if_fail (format != NULL, NULL);

  known = find_format (format);
  if (known == NULL || known->list_options == NULL)
    return g_new0 (char *, 1);
  return g_strdupv ((char **) known->list_options ());
}

/**
 * dm_dataset_check_load_options:
 * @format: a format name, as dm_dataset_list_formats() lists them
 * @options: (nullable) (array zero-terminated=1): options, as `NAME=VALUE`
 * @error: return location for a #GError
 *
 * Checks that @format takes @options, as dm_dataset_load_with_options()
 * does before it reads anything: for a check before other work.
 *
 * Returns: %TRUE when it does, %FALSE with @error set
 *   (%DM_ERROR_INVALID_ARGUMENT naming the option and the format, or
 *   %DM_ERROR_UNKNOWN_FORMAT)
 */
gboolean
dm_dataset_check_load_options (const char          *format,
                               const char * const  *options,
                               GError             **error)
{
  const Format *known;

  g_return_val_if_fail (format != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_format_known (format, error))
    return FALSE;
  known = find_format (format);
  if (known->check_options != NULL)
    return known->check_options (options, error);
  if (options != NULL && options[0] != NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_INVALID_ARGUMENT,
                   _("The format %s takes no options (given “%s”)"), format, options[0]);
      return FALSE;
    }
  return TRUE;
}

/**
 * dm_dataset_load:
 * @path: (type filename): a dataset directory
 * @format: (nullable): "datumaro", "imagenet", "imagenet_with_subset_dirs",
 *   "imagenet_txt", or %NULL to detect it
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Loads the dataset at @path in @format, or in the format
 * dm_dataset_detect_format() finds.
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set
 */
DmDataset *
dm_dataset_load (const char    *path,
                 const char    *format,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return dm_dataset_load_with_options (path, format, NULL, cancellable, error);
}

/**
 * dm_dataset_load_with_options:
 * @path: (type filename): a dataset directory
 * @format: (nullable): "datumaro", "imagenet", "imagenet_with_subset_dirs",
 *   "imagenet_txt", or %NULL to detect it
 * @options: (nullable) (array zero-terminated=1): options of the format,
 *   each as `NAME=VALUE` (see dm_dataset_list_load_options()), the last
 *   of a name counting
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Loads the dataset at @path as dm_dataset_load() does, with @options,
 * the arguments of Datumaro's importer for the format. Only
 * "imagenet_txt" takes some: `labels=generate` (no file of label names:
 * the labels are `class-0` to `class-<the largest id listed>`, and every
 * `*.txt` file is a list) or `labels=file` (the default), and
 * `labels_file=FILE` (the label names' file instead of `synsets.txt`, a
 * path below @path or absolute; a list of that file name is no subset).
 * An option the format does not take, or a bad value, fails the load
 * before anything is read (%DM_ERROR_INVALID_ARGUMENT).
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set
 */
DmDataset *
dm_dataset_load_with_options (const char          *path,
                              const char          *format,
                              const char * const  *options,
                              GCancellable        *cancellable,
                              GError             **error)
{
  g_autofree char *detected = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_format_known (format, error) ||
      (format != NULL && !dm_dataset_check_load_options (format, options, error)))
    return NULL;
  if (!check_source_directory (path, error))
    return NULL;
  if (format == NULL)
    {
      format = detected = dm_dataset_detect_format (path, error);
      if (format == NULL || !dm_dataset_check_load_options (format, options, error))
        return NULL;
    }

  if (g_str_equal (format, "datumaro"))
    return dm_datumaro_check_not_a_project (path, error) ? dm_datumaro_load (path, cancellable, error) : NULL;
  if (g_str_equal (format, "imagenet_txt"))
    return dm_imagenet_txt_load_with_options (path, options, cancellable, error);
  return dm_imagenet_load (path, g_str_equal (format, "imagenet_with_subset_dirs"), cancellable, error);
}

static void
remove_quietly (const char *path)
{
  g_autoptr(GError) error = NULL;

  if (!dm_remove_tree (path, &error))
    g_warning ("%s", error->message);
}

/* Puts the complete output @temp in the place of @destination (@shown to
 * the user; @source and @flags as dm_dataset_save() checked them).
 *
 * rename(2) alone makes a missing destination or replaces an empty
 * directory, and fails (ENOTEMPTY or EEXIST) when the directory holds
 * anything: the kernel makes that check at the moment of the move, so
 * whatever was written into the destination since the check before the
 * work (by the user, or by another run saving there) is never lost. Only
 * with %DM_SAVE_OVERWRITE is a destination that holds something replaced,
 * after checking again, right before, that it is still a dataset and
 * nothing else; where the file system can, it is exchanged atomically, so
 * that at every moment @destination is either the old or the new tree. */
static gboolean
move_into_place (const char   *temp,
                 const char   *destination,
                 const char   *shown,
                 const char   *source,
                 DmSaveFlags   flags,
                 GError      **error)
{
  g_autofree char *aside = NULL;
  int saved_errno;

  if (g_rename (temp, destination) == 0)
    return TRUE;
  if (errno != ENOTEMPTY && errno != EEXIST)
    goto failed;
  if ((flags & DM_SAVE_OVERWRITE) == 0)
    {
      /* Something was written into it during the run: nothing changes. */
      g_set_error (error, DM_ERROR, DM_ERROR_EXISTS,
                   _("Cannot write to %s: it is no longer empty (something was written into it "
                     "during the run); nothing was changed"), shown);
      return FALSE;
    }
  if (!dm_check_destination (shown, source, flags, TRUE, error))
    return FALSE;

  if (renameat2 (AT_FDCWD, temp, AT_FDCWD, destination, RENAME_EXCHANGE) == 0)
    {
      /* @temp is now the old tree. */
      remove_quietly (temp);
      return TRUE;
    }
  if (errno != EINVAL && errno != ENOSYS)
    goto failed;

  /* No atomic exchange here: move the old tree aside, then the new in. */
  aside = g_strconcat (destination, TEMP_SUFFIX, NULL);
  if (g_mkdtemp (aside) == NULL || g_rename (destination, aside) != 0)
    goto failed;
  if (g_rename (temp, destination) != 0)
    {
      saved_errno = errno;
      g_rename (aside, destination);
      errno = saved_errno;
      goto failed;
    }
  remove_quietly (aside);
  return TRUE;

failed:
  saved_errno = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Cannot move the output into place at %s: %s"), destination, g_strerror (saved_errno));
  g_prefix_error (error, _("Cannot write to %s: "), shown);
  return FALSE;
}

/* DEST is replaced as a whole, its folder too: the new folder @temp takes
 * the mode, owner and group of the folder @destination it replaces, so
 * that a folder made private (`mkdir -m 700 out`) or shared with a group
 * stays so, as far as the process may set them (a group it is not in is
 * not its to give). */
static void
adopt_destination_attributes (const char *temp,
                              const char *destination)
{
  GStatBuf info;

  if (g_stat (destination, &info) != 0 || !S_ISDIR (info.st_mode))
    return;
  if (chown (temp, info.st_uid, info.st_gid) != 0)
    g_debug ("Cannot give %s the owner of %s: %s", temp, destination, g_strerror (errno));
  if (g_chmod (temp, info.st_mode & 07777) != 0)
    g_debug ("Cannot give %s the mode of %s: %s", temp, destination, g_strerror (errno));
}

/* Makes the temporary output for @destination and locks it, returning its
 * path and the lock's descriptor. Between g_mkdtemp() and the lock, another
 * run's remove_stale_temps() may take it for a killed run's and remove it:
 * then this tries again with another name. */
static char *
make_locked_temp (const char  *destination,
                  int         *lock,
                  GError     **error)
{
  for (guint attempt = 0; attempt < TEMP_ATTEMPTS; attempt++)
    {
      g_autofree char *temp = g_strconcat (destination, TEMP_SUFFIX, NULL);
      GStatBuf locked, named;
      int fd;

      if (g_mkdtemp_full (temp, 0777) == NULL)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot create a temporary directory beside %s: %s"),
                       destination, g_strerror (saved_errno));
          return NULL;
        }
      fd = dm_lock_directory (temp);
      if (fd >= 0 && fstat (fd, &locked) == 0 && g_lstat (temp, &named) == 0 &&
          locked.st_dev == named.st_dev && locked.st_ino == named.st_ino && locked.st_nlink > 0)
        {
          *lock = fd;
          return g_steal_pointer (&temp);
        }
      if (fd >= 0)
        g_close (fd, NULL);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
               _("Cannot create a temporary directory beside %s: other runs keep removing it"),
               destination);
  return NULL;
}

/* Removes the temporary outputs beside @destination that runs killed while
 * writing left behind: those no live process holds the lock of. */
static void
remove_stale_temps (const char *destination)
{
  g_autofree char *parent = g_path_get_dirname (destination);
  g_autofree char *base = g_path_get_basename (destination);
  g_autofree char *prefix = g_strconcat (base, ".tmp-", NULL);
  g_autoptr(GDir) dir = g_dir_open (parent, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf info;
      int lock;

      if (!g_str_has_prefix (name, prefix) || strlen (name) != strlen (base) + strlen (TEMP_SUFFIX))
        continue;
      path = g_build_filename (parent, name, NULL);
      if (g_lstat (path, &info) != 0 || !S_ISDIR (info.st_mode))
        continue;
      lock = dm_lock_directory (path);
      if (lock < 0)
        continue;
      g_debug ("Removing %s, left by an interrupted run", path);
      remove_quietly (path);
      g_close (lock, NULL);
    }
}

/**
 * dm_dataset_save:
 * @dataset: a dataset
 * @destination: (type filename): the directory to write
 * @flags: whether an existing destination may be replaced
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes @dataset in Datumaro's format (see dm_datumaro_write()) to
 * @destination, which must be absent or an empty directory unless
 * %DM_SAVE_OVERWRITE is given (see dm_dataset_check_destination()). It is
 * checked before the work and again when the output is in place beside it:
 * the output then replaces an empty directory, or, with
 * %DM_SAVE_OVERWRITE, a dataset and nothing else (the files below its top
 * level are checked only then); a destination that has had anything else
 * written into it since fails the save and stays as it is.
 *
 * The output is written into a temporary directory beside @destination
 * (`<destination>.tmp-XXXXXX`) and renamed into place when complete, so
 * @destination is never half written: on failure or cancellation it is as
 * it was and the temporary directory is gone. Temporary directories that
 * runs killed while writing left beside @destination are removed (those
 * no running process holds a lock on). With %DM_SAVE_OVERWRITE,
 * @destination may be the dataset's own source when that is in Datumaro
 * format (dm_dataset_check_in_place(), which a caller can ask before the
 * work; the save refuses by it before writing anything): then only its
 * annotation files and hash-key cache are replaced and the media files of dropped items
 * that no kept item refers to are deleted, every other file staying as it
 * is (the items a transform skipped, %DM_TRANSFORM_REPORT_SKIPPED, are
 * left as they are: annotation entries and files); a run killed at any moment leaves the source as it was or as a
 * finished run leaves it (see dm-in-place.c).
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
dm_dataset_save (DmDataset     *dataset,
                 const char    *destination,
                 DmSaveFlags    flags,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autofree char *absolute = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *made_dir = NULL;
  g_autofree char *temp = NULL;
  g_autoptr(DmMediaPlan) plan = NULL;
  g_autoptr(GError) local_error = NULL;
  DmDataset *origin;
  int lock = -1;

  g_return_val_if_fail (DM_IS_DATASET (dataset), FALSE);
  g_return_val_if_fail (destination != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  origin = dm_dataset_get_origin (dataset);
  /* The rule a caller checks before the work, with the format it loaded
   * the source in: the origin's, whose annotations an in-place save
   * replaces. Before the destination's checks, which would only ask for
   * %DM_SAVE_OVERWRITE when that cannot help. */
  if (!dm_dataset_check_in_place (destination, dm_dataset_get_source_path (dataset),
                                  dm_dataset_get_format (origin != NULL ? origin : dataset), error))
    return FALSE;
  /* The files below a replaced destination's top level are checked right
   * before it is replaced (move_into_place()). */
  if (!dm_check_destination (destination, dm_dataset_get_source_path (dataset), flags, FALSE, error))
    return FALSE;
  if (dm_dataset_get_source_path (dataset) != NULL &&
      dm_is_same_directory (destination, dm_dataset_get_source_path (dataset)))
    return dm_in_place_save (dataset, destination, cancellable, error);

  /* A missing media file is found before anything is made. */
  plan = dm_datumaro_plan_media (dataset, error);
  if (plan == NULL)
    return FALSE;

  /* The directory the checks looked at: through a symbolic link, so that
   * the output is staged on the file system it is moved into. */
  absolute = dm_resolve_path (destination);
  parent = g_path_get_dirname (absolute);
  /* The folders made on the way to @destination are the output's too: a
   * failed save removes them. */
  made_dir = dm_topmost_missing_dir (parent);
  if (g_mkdir_with_parents (parent, 0777) != 0)
    {
      int saved_errno = errno;
      g_autofree char *still_missing = dm_topmost_missing_dir (parent);
      g_autofree char *deepest_made = still_missing != NULL ? g_path_get_dirname (still_missing)
                                                             : g_strdup (parent);

      g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                   _("Cannot write to %s: cannot create %s: %s"),
                   destination, parent, g_strerror (saved_errno));
      dm_remove_made_dirs (deepest_made, made_dir);
      return FALSE;
    }

  remove_stale_temps (absolute);
  temp = make_locked_temp (absolute, &lock, &local_error);
  if (temp == NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_OUTPUT,
                   _("Cannot write to %s: %s"), destination, local_error->message);
      dm_remove_made_dirs (parent, made_dir);
      return FALSE;
    }

  if (!dm_datumaro_write_planned (dataset, plan, temp, flags, cancellable, &local_error) ||
      g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&local_error, _("Cannot write to %s: "), destination);
    }
  else
    {
      adopt_destination_attributes (temp, absolute);
      if (move_into_place (temp, absolute, destination, dm_dataset_get_source_path (dataset), flags,
                           &local_error))
        {
          g_close (lock, NULL);
          return TRUE;
        }
      /* Removable again, whatever mode it took. */
      g_chmod (temp, 0700);
    }

  remove_quietly (temp);
  g_close (lock, NULL);
  dm_remove_made_dirs (parent, made_dir);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

typedef struct
{
  char *path;
  char *format;
  char **options;
  DmSaveFlags flags;
} IoData;

static void
io_data_free (gpointer data)
{
  IoData *io = data;

  g_free (io->path);
  g_free (io->format);
  g_strfreev (io->options);
  g_free (io);
}

static void
load_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  IoData *io = task_data;
  GError *error = NULL;
  DmDataset *dataset;

  dataset = dm_dataset_load_with_options (io->path, io->format, (const char * const *) io->options,
                                          cancellable, &error);
  if (dataset != NULL)
    g_task_return_pointer (task, dataset, g_object_unref);
  else
    g_task_return_error (task, error);
}

/* Runs dm_dataset_load_with_options() in a worker thread, for the
 * function @tag. */
static void
start_load (const char          *path,
            const char          *format,
            const char * const  *options,
            gpointer             tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  IoData *io;

  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  io = g_new0 (IoData, 1);
  io->path = g_strdup (path);
  io->format = g_strdup (format);
  io->options = g_strdupv ((char **) options);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, io, io_data_free);
  g_task_run_in_thread (task, load_in_thread);
}

/* The result of start_load() for the function @tag. */
static DmDataset *
finish_load (GAsyncResult  *result,
             gpointer       tag,
             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * dm_dataset_load_async:
 * @path: (type filename): a dataset directory
 * @format: (nullable): "datumaro", "imagenet", "imagenet_with_subset_dirs",
 *   "imagenet_txt", or %NULL to detect it
 * @cancellable: (nullable): to stop the work early
 * @callback: (scope async) (closure user_data): called on the
 *   thread-default main context of the caller when the dataset is loaded
 * @user_data: for @callback
 *
 * Runs dm_dataset_load() in a worker thread. Call
 * dm_dataset_load_finish() from @callback for the result.
 */
void
dm_dataset_load_async (const char          *path,
                       const char          *format,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  start_load (path, format, NULL, dm_dataset_load_async, cancellable, callback, user_data);
}

/**
 * dm_dataset_load_finish:
 * @result: the result passed to the callback of dm_dataset_load_async()
 * @error: return location for a #GError
 *
 * Finishes dm_dataset_load_async().
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set
 *   (%G_IO_ERROR_CANCELLED when the cancellable was cancelled)
 */
DmDataset *
dm_dataset_load_finish (GAsyncResult  *result,
                        GError       **error)
{
  return finish_load (result, dm_dataset_load_async, error);
}

/**
 * dm_dataset_load_with_options_async:
 * @path: (type filename): a dataset directory
 * @format: (nullable): a format name, or %NULL to detect it
 * @options: (nullable) (array zero-terminated=1): options of the format,
 *   each as `NAME=VALUE`
 * @cancellable: (nullable): to stop the work early
 * @callback: (scope async) (closure user_data): called on the
 *   thread-default main context of the caller when the dataset is loaded
 * @user_data: for @callback
 *
 * Runs dm_dataset_load_with_options() in a worker thread. Call
 * dm_dataset_load_with_options_finish() from @callback for the result.
 */
void
dm_dataset_load_with_options_async (const char          *path,
                                    const char          *format,
                                    const char * const  *options,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  start_load (path, format, options, dm_dataset_load_with_options_async, cancellable, callback, user_data);
}

/**
 * dm_dataset_load_with_options_finish:
 * @result: the result passed to the callback of
 *   dm_dataset_load_with_options_async()
 * @error: return location for a #GError
 *
 * Finishes dm_dataset_load_with_options_async().
 *
 * Returns: (transfer full): the dataset, or %NULL with @error set
 *   (%G_IO_ERROR_CANCELLED when the cancellable was cancelled)
 */
DmDataset *
dm_dataset_load_with_options_finish (GAsyncResult  *result,
                                     GError       **error)
{
  return finish_load (result, dm_dataset_load_with_options_async, error);
}

static void
save_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  IoData *io = task_data;
  GError *error = NULL;

  if (dm_dataset_save (source_object, io->path, io->flags, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * dm_dataset_save_async:
 * @dataset: a dataset; it must not be modified until the operation is
 *   finished
 * @destination: (type filename): the directory to write
 * @flags: whether an existing destination may be replaced
 * @cancellable: (nullable): to stop the work early
 * @callback: (scope async) (closure user_data): called on the
 *   thread-default main context of the caller when the work is done
 * @user_data: for @callback
 *
 * Runs dm_dataset_save() in a worker thread. A cancelled save leaves
 * @destination as it was and no temporary directory behind. Call
 * dm_dataset_save_finish() from @callback for the result.
 */
void
dm_dataset_save_async (DmDataset           *dataset,
                       const char          *destination,
                       DmSaveFlags          flags,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  IoData *io;

  g_return_if_fail (DM_IS_DATASET (dataset));
  g_return_if_fail (destination != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  io = g_new0 (IoData, 1);
  io->path = g_strdup (destination);
  io->flags = flags;

  task = g_task_new (dataset, cancellable, callback, user_data);
  g_task_set_source_tag (task, dm_dataset_save_async);
  g_task_set_task_data (task, io, io_data_free);
  /* A cancel that comes after the output was renamed into place does not
   * make a finished save a failure. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, save_in_thread);
}

/**
 * dm_dataset_save_finish:
 * @dataset: the dataset passed to dm_dataset_save_async()
 * @result: the result passed to its callback
 * @error: return location for a #GError
 *
 * Finishes dm_dataset_save_async().
 *
 * Returns: %TRUE when the dataset is in place, %FALSE with @error set
 *   (%G_IO_ERROR_CANCELLED when the cancellable was cancelled)
 */
gboolean
dm_dataset_save_finish (DmDataset     *dataset,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (DM_IS_DATASET (dataset), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, dataset), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dm_dataset_save_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
