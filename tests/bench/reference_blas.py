#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Which BLAS the reference's numpy runs, checked with threadpoolctl.

A Datumaro user's numpy runs OpenBLAS (the wheels bundle it); Debian's
reference BLAS (libblas3) makes scikit-learn 7-8x slower and any ratio
against it meaningless. The benchmarks report a ratio only when this
passes.

As a module: blas_info() -> dict, and clean_environment() removes
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set on some machines to work around
old OpenBLAS bugs; they pin a slower kernel), so the reference runs the
kernel OpenBLAS picks for this CPU, as a user's would.
As a command: prints the dict as JSON; exit status 0 when it is OpenBLAS,
1 when not (the reason on stderr).
"""

import json
import os
import sys

PINNING_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def clean_environment(environ=None):
    """A copy of environ without the variables that pin an OpenBLAS kernel."""
    environ = dict(os.environ if environ is None else environ)
    for name in PINNING_VARIABLES:
        environ.pop(name, None)
    return environ


def blas_info():
    """{"ok": bool, "blas": ..., "architecture": ..., "version": ...,
    "threads": ..., "reason": ...} for the numpy imported here."""
    try:
        import numpy  # noqa: F401  (loads the BLAS threadpoolctl inspects)
        import threadpoolctl
    except ImportError as error:
        return {"ok": False, "reason": "cannot import %s (install python3-threadpoolctl "
                                        "and python3-numpy)" % error.name}
    blas = [entry for entry in threadpoolctl.threadpool_info() if entry.get("user_api") == "blas"]
    if not blas:
        return {"ok": False, "reason": "numpy loads no BLAS threadpoolctl recognises "
                                        "(Debian's reference libblas3?)"}
    entry = blas[0]
    info = {"ok": entry.get("internal_api") == "openblas",
            "blas": entry.get("internal_api"),
            "architecture": entry.get("architecture"),
            "version": entry.get("version"),
            "threads": entry.get("num_threads"),
            "pinned": {name: os.environ[name] for name in PINNING_VARIABLES if name in os.environ}}
    if not info["ok"]:
        info["reason"] = "numpy runs %s, not OpenBLAS (install libopenblas0-pthread)" % info["blas"]
    return info


if __name__ == "__main__":
    info = blas_info()
    print(json.dumps(info))
    if not info["ok"]:
        print("reference BLAS check: " + info["reason"], file=sys.stderr)
    sys.exit(0 if info["ok"] else 1)
