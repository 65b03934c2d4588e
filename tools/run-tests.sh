#!/bin/sh
# Builds the project and its API reference (gi-docgen) with warnings as
# errors and runs the whole test suite.
# Usage: tools/run-tests.sh [BUILD_DIR]    (default: build)
set -eu

cd "$(dirname "$0")/.."
build=${1:-build}

if [ -d "$build/meson-private" ]; then
  meson setup --reconfigure -Dwerror=true -Ddocs=true "$build"
else
  meson setup -Dwerror=true -Ddocs=true "$build"
fi
meson compile -C "$build"

status=0
meson test -C "$build" --print-errorlogs --num-processes 2 || status=$?

# One closing line that any CI reads: "N passed, N failed".
/usr/bin/python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
with open(sys.argv[1]) as log:
    for line in log:
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
PY
exit $status
