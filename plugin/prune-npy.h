/* prune-npy.h: a matrix of floats from NumPy's .npy file.
 *
 * Reads format versions 1.0, 2.0 and 3.0 (NumPy's
 * numpy.lib.format): the magic string, the version, the header length,
 * then a Python dict literal with 'descr', 'fortran_order' and 'shape'.
 * Accepted: dtype float32 or float16 ('f4', 'f2') of either byte order,
 * C or Fortran order, shape (N, D) with N, D ≥ 1, and exactly N × D values
 * after the header. Every failure is one message naming the file and what
 * is wrong.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * prune_npy_read_matrix:
 * @path: the .npy file
 * @n_rows: (out): N
 * @n_columns: (out): D
 * @error: return location for a #GError (DM_ERROR)
 *
 * Returns: (transfer full): N × D floats, row-major, or %NULL with @error
 *   set (DM_ERROR_INVALID_DATA for a bad file, DM_ERROR_NOT_FOUND for
 *   one that cannot be read)
 */
float *prune_npy_read_matrix (const char  *path,
                              gsize       *n_rows,
                              gsize       *n_columns,
                              GError     **error);

G_END_DECLS
