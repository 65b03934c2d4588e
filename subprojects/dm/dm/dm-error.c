/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dm-error.h"

/**
 * dm_error_quark:
 *
 * The quark of the %DM_ERROR domain; use %DM_ERROR instead.
 *
 * Returns: the error domain's quark
 */
G_DEFINE_QUARK (dm-error-quark, dm_error)
