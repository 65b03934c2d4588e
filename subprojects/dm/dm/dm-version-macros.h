/* dm-version-macros.h: the export macro of libdm's public API.
 *
 * libdm is built with hidden symbol visibility; a declaration marked
 * DM_AVAILABLE_IN_ALL is exported, every other function stays inside the
 * library (tests/abi checks that the two sets agree).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined (DM_INSIDE) && !defined (DM_COMPILATION)
#error "Only <dm.h> can be included directly."
#endif

#if defined (_WIN32) && defined (DM_COMPILATION)
#define _DM_EXTERN __declspec(dllexport) extern
#elif defined (__GNUC__)
#define _DM_EXTERN __attribute__((visibility ("default"))) extern
#else
#define _DM_EXTERN extern
#endif

/* Every public symbol of libdm-1.0 (the API has one version so far). */
#define DM_AVAILABLE_IN_ALL _DM_EXTERN
