/* dm-error.h: the error domain of the dataset manager and its plugins.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (DM_INSIDE) && !defined (DM_COMPILATION)
#error "Only <dm.h> can be included directly."
#endif

#include "dm-version-macros.h"

#include <glib.h>

G_BEGIN_DECLS

/**
 * DmError:
 * @DM_ERROR_FAILED: a failure with no more specific code
 * @DM_ERROR_INVALID_ARGUMENT: a parameter or flag is out of range or malformed
 * @DM_ERROR_INVALID_DATA: an input file is malformed (bad JSON, wrong types, ...)
 * @DM_ERROR_UNKNOWN_FORMAT: the dataset format cannot be detected or is unknown
 * @DM_ERROR_NOT_FOUND: a named transform, item or file does not exist
 * @DM_ERROR_NOT_SUPPORTED: the request is valid but not implemented
 * @DM_ERROR_OUTPUT: the output destination cannot be used as asked
 * @DM_ERROR_EXISTS: the output destination holds data (or is the source)
 *   and the caller did not allow replacing it (%DM_SAVE_OVERWRITE)
 * @DM_ERROR_INCOMPLETE: a save in place was made (the dataset is the new
 *   one) but not all of its clean-up: some files of dropped items are
 *   still there; the next load of the dataset tries again
 * @DM_ERROR_IN_PLACE: the destination is the dataset's own source, and it
 *   cannot be changed in place (its format is not Datumaro's, or a folder
 *   the save writes in cannot be written to); saving to another directory
 *   can work
 *
 * Error codes in the %DM_ERROR domain. Cancellation is reported as
 * %G_IO_ERROR_CANCELLED and file system failures as %G_IO_ERROR codes.
 *
 * The messages say what is wrong in the library's terms and name no
 * option of any program: a caller that offers the user a way out (the
 * `dm` tool names its flags) chooses it by the code: %DM_ERROR_EXISTS
 * (allow replacing, %DM_SAVE_OVERWRITE), %DM_ERROR_IN_PLACE (another
 * destination).
 */
typedef enum {
  DM_ERROR_FAILED,
  DM_ERROR_INVALID_ARGUMENT,
  DM_ERROR_INVALID_DATA,
  DM_ERROR_UNKNOWN_FORMAT,
  DM_ERROR_NOT_FOUND,
  DM_ERROR_NOT_SUPPORTED,
  DM_ERROR_OUTPUT,
  DM_ERROR_EXISTS,
  DM_ERROR_INCOMPLETE,
  DM_ERROR_IN_PLACE,
} DmError;

/**
 * DM_ERROR:
 *
 * The error domain of the dataset manager.
 */
#define DM_ERROR (dm_error_quark ())

DM_AVAILABLE_IN_ALL
GQuark dm_error_quark (void);

G_END_DECLS
