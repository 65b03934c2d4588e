/* fuzz-common.h: what the fuzz targets share: a scratch directory per
 * input, writing files into it, and removing it without following links.
 *
 * Each target defines LLVMFuzzerTestOneInput(); built with -Dfuzzing=true it
 * links libFuzzer, otherwise fuzz-replay.c gives it a main() that replays
 * the committed corpus as an ordinary test. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

int         LLVMFuzzerInitialize   (int           *argc,
                                    char        ***argv);
int         LLVMFuzzerTestOneInput (const uint8_t *data,
                                    size_t         size);

/* A fresh directory; fuzz_remove_tree() it when done. */
char       *fuzz_make_root         (void);

/* Writes @size bytes to @root/@relative, creating the directories. */
void        fuzz_write_file        (const char    *root,
                                    const char    *relative,
                                    const void    *data,
                                    gsize          size);

/* Removes @path and everything below it; symbolic links are removed, never
 * followed. */
void        fuzz_remove_tree       (const char    *path);

/* A loader's answer must be a dataset or an error, never both or neither,
 * and an error must name the directory or a file in it. */
void        fuzz_check_result      (gpointer       dataset,
                                    const GError  *error,
                                    const char    *root);

G_END_DECLS
