#!/bin/sh
# bench-load.sh LOAD_DATASET: times loading a 1.28M-item Datumaro dataset
# (150 MB of annotations, a 405 MB hash-key cache) against the targets,
# 15 s and 1 GiB peak RSS (the whole `dm prune` run's budget, issue 10),
# and against Python's json.load of the same files (what Datumaro's
# loader starts with) measured in the same run.
#
# The dataset is generated once with ../shared/reference/keys.py and kept
# in tests/bench/work/. Exit 77 (skipped) without ../shared or the tools.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

load_dataset=${1:?usage: bench-load.sh LOAD_DATASET [N LABELS]}
n=${2:-1280000}
labels=${3:-1000}
max_seconds=15
max_kib=$((1024 * 1024))

here=$(cd "$(dirname "$0")" && pwd)
top=$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../.." && pwd))
shared="$top/../shared"
python=/usr/bin/python3

if [ ! -f "$shared/reference/keys.py" ]; then
    echo "skip: $shared/reference/keys.py not found"
    exit 77
fi
if [ ! -x /usr/bin/time ] || ! "$python" -c 'import numpy' 2>/dev/null; then
    echo "skip: needs /usr/bin/time and $python with numpy"
    exit 77
fi

work="$here/work/keys-$n-$labels"
if [ ! -f "$work/hash_key_meta/hash_keys.json" ]; then
    echo "generating $n items, $labels labels in $work (once)"
    rm -rf "$work"
    "$python" "$shared/reference/keys.py" "$n" "$labels" "$work"
fi
echo "annotations: $(du -sh "$work/annotations" | cut -f1), hash keys: $(du -sh "$work/hash_key_meta" | cut -f1)"

# Prints "SECONDS KIB" of the command's wall time and peak RSS.
measure() {
    log=$(mktemp)
    if ! /usr/bin/time -v "$@" > "$log.out" 2> "$log"; then
        cat "$log" "$log.out" >&2
        rm -f "$log" "$log.out"
        return 1
    fi
    cat "$log.out" >&2
    awk -F': ' '
        /Elapsed \(wall clock\)/ {
            n = split($2, t, ":"); s = 0
            for (i = 1; i <= n; i++) s = s * 60 + t[i]
            seconds = s
        }
        /Maximum resident set size/ { kib = $2 }
        END { printf "%.2f %d\n", seconds, kib }' "$log"
    rm -f "$log" "$log.out"
}

set -- $(measure "$load_dataset" "$work")
ours_s=$1 ours_kib=$2
set -- $(measure "$python" -c '
import glob, json, sys
d = sys.argv[1]
items = 0
for path in sorted(glob.glob(d + "/annotations/*.json")):
    with open(path) as f:
        items += len(json.load(f)["items"])
with open(d + "/hash_key_meta/hash_keys.json") as f:
    keys = len(json.load(f)["hashkey"])
print("python json.load: items=%d keys=%d" % (items, keys))
' "$work")
ref_s=$1 ref_kib=$2

# Saving it back (annotations streamed, keys rewritten), for the record.
saved="$work.saved"
rm -rf "$saved"
save_line=$("$load_dataset" "$work" --save "$saved" | grep '^saved')
rm -rf "$saved"
echo "dm_dataset_save:  ${save_line#saved to * in }"

awk -v os="$ours_s" -v ok="$ours_kib" -v rs="$ref_s" -v rk="$ref_kib" \
    -v ms="$max_seconds" -v mk="$max_kib" 'BEGIN {
    printf "dm_dataset_load:  %6.2f s  %7.0f MiB peak RSS   (targets: %d s, %.0f MiB)\n", os, ok / 1024, ms, mk / 1024
    printf "python json.load: %6.2f s  %7.0f MiB peak RSS\n", rs, rk / 1024
    printf "ratio (ours / json.load): time %.2f, memory %.2f\n", os / rs, ok / rk
}'

status=0
if awk -v s="$ours_s" -v m="$max_seconds" 'BEGIN { exit !(s > m) }'; then
    echo "FAIL: loading took more than $max_seconds s"
    status=1
fi
if [ "$ours_kib" -gt "$max_kib" ]; then
    echo "FAIL: peak RSS above $max_kib KiB"
    status=1
fi
exit $status
