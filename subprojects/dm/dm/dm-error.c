/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dm-error.h"

G_DEFINE_QUARK (dm-error-quark, dm_error)
