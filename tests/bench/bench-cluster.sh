#!/bin/sh
# bench-cluster.sh: the clustering prune against Datumaro's path, measured
# side by side in the same run.
#
# usage: bench-cluster.sh CLUSTER_BENCH [DM_CLI]
#   CLUSTER_BENCH  the cluster-bench program (core only, keys.bin in)
#   DM_CLI         the dm command line; when `dm prune` runs clustering
#                  methods, end-to-end figures are measured with it
# environment: BENCH_CASES  space-separated case names to run (default all:
#                           cr50k centroid10k centroid100k cr1280k)
#              BENCH_NO_REF=1  skip the (slow) reference runs
# Needs ../shared beside the checkout (keys.py, datumaro_ref.py); exits 77
# (skip) without it. Generated key sets are cached in tests/bench/work/.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

cluster_bench=${1:?usage: bench-cluster.sh CLUSTER_BENCH [DM_CLI]}
dm_cli=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
top=$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../.." && pwd))
shared="$top/../shared"
python=/usr/bin/python3
work="$here/work"
cases=${BENCH_CASES:-cr50k centroid10k centroid100k cr1280k}

if [ ! -f "$shared/reference/keys.py" ] || [ ! -f "$shared/reference/datumaro_ref.py" ]; then
  echo "bench-cluster: $shared/reference is missing (keys.py, datumaro_ref.py): skipped"
  exit 77
fi
mkdir -p "$work"
results="$work/cluster-results.jsonl"
: > "$results"

# keys N LABELS -> prints the cached dataset directory
keys() {
  dir="$work/keys-$1-$2"
  if [ ! -f "$dir/keys.bin" ]; then
    echo "bench-cluster: generating $1 keys, $2 labels" >&2
    "$python" "$shared/reference/keys.py" "$1" "$2" "$dir" >&2
  fi
  echo "$dir"
}

dm_prune_works() {
  [ -n "$dm_cli" ] && [ -x "$dm_cli" ] && "$dm_cli" prune --help 2>/dev/null | grep -q centroid
}

# measure NAME N LABELS METHOD RATIO WITH_REF
measure() {
  name=$1 n=$2 labels=$3 method=$4 ratio=$5 with_ref=$6
  dir=$(keys "$n" "$labels")
  ref='null'
  if [ "$with_ref" = yes ] && [ "${BENCH_NO_REF:-0}" != 1 ]; then
    echo "bench-cluster: $name: reference (scikit-learn) ..." >&2
    ref=$("$python" "$shared/reference/datumaro_ref.py" "$dir" "$method" "$ratio")
  fi
  echo "bench-cluster: $name: core ..." >&2
  core=$("$cluster_bench" "$dir" "$method" "$ratio")
  e2e='null'
  if dm_prune_works; then
    echo "bench-cluster: $name: dm prune ..." >&2
    out="$work/out-$name"
    rm -rf "$out"
    /usr/bin/time -v -o "$work/time-$name.txt" \
      "$dm_cli" prune "$dir" -m "$method" -r "$ratio" -o "$out" \
      --report "$work/report-$name.json" >/dev/null
    e2e=$("$python" - "$work/time-$name.txt" "$work/report-$name.json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
def find(node, key):
    if isinstance(node, dict):
        if key in node:
            return node[key]
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            found = find(child, key)
            if found is not None:
                return found
    return None
report = json.load(open(sys.argv[2]))
kept = find(report, "kept_items")
print(json.dumps({"seconds": seconds, "max_rss_kib": rss,
                  "inertia": find(report, "inertia"),
                  "selected": len(kept) if isinstance(kept, list) else find(report, "kept")}))
PY
)
  fi
  echo "{\"case\": \"$name\", \"n\": $n, \"labels\": $labels, \"method\": \"$method\", \"ratio\": $ratio, \"reference\": $ref, \"core\": $core, \"dm\": $e2e}" >> "$results"
}

for case in $cases; do
  case $case in
    cr50k)        measure cr50k 50000 1000 cluster_random 0.5 yes ;;
    centroid10k)  measure centroid10k 10000 100 centroid 0.5 yes ;;
    centroid100k) measure centroid100k 100000 100 centroid 0.5 no ;;
    cr1280k)      measure cr1280k 1280000 1000 cluster_random 0.5 no ;;
    *) echo "bench-cluster: unknown case $case" >&2; exit 2 ;;
  esac
done

# The targets, checked and printed with the ratios.
"$python" - "$results" <<'PY'
import json, math, sys
targets = {  # case: (min speed-up vs reference, max seconds, max RSS GiB, inertia <= reference)
    "cr50k": (50, None, None, True),
    "centroid10k": (50, None, None, False),
    "centroid100k": (None, 30, None, False),
    "cr1280k": (None, 60, 2, False),
}
failed = False
for line in open(sys.argv[1]):
    r = json.loads(line)
    speedup, max_s, max_gib, inertia_le = targets[r["case"]]
    ours = r["dm"] or r["core"]
    via = "dm prune (whole process)" if r["dm"] else "cluster-bench (core only)"
    expected = math.ceil(r["n"] * r["ratio"])
    print("== %s: %s %s, %d keys, %d labels, via %s" % (r["case"], r["method"], r["ratio"], r["n"], r["labels"], via))
    print("   ours: %.3f s (core %.3f s: seeding %.3f, Lloyd %.3f), kept %s of %d, inertia %.1f, %s iterations"
          % (ours["seconds"], r["core"]["seconds"], r["core"]["seconds_seeding"],
             r["core"]["seconds_lloyd"], ours["selected"], expected, r["core"]["inertia"],
             r["core"]["iterations"]))
    if r["dm"]:
        print("   peak RSS: %.1f MiB" % (r["dm"]["max_rss_kib"] / 1024))
    checks = [("kept exactly ceil(n*ratio)", ours["selected"] == expected)]
    ref = r["reference"]
    if ref:
        ratio = ref["seconds"] / ours["seconds"]
        print("   reference: %.3f s, kept %d, inertia %.1f -> speed-up %.1fx, inertia ratio ours/ref %.5f"
              % (ref["seconds"], ref["selected"], ref["inertia"], ratio, r["core"]["inertia"] / ref["inertia"]))
        if speedup:
            checks.append(("speed-up >= %dx" % speedup, ratio >= speedup))
        if inertia_le:
            checks.append(("inertia <= reference", r["core"]["inertia"] <= ref["inertia"]))
    if max_s:
        checks.append(("<= %d s" % max_s, ours["seconds"] <= max_s))
    if max_gib and r["dm"]:
        checks.append(("peak RSS <= %d GiB" % max_gib, r["dm"]["max_rss_kib"] <= max_gib * 1024 * 1024))
    for what, ok in checks:
        print("   %-28s %s" % (what, "ok" if ok else "MISSED"))
        failed |= not ok
sys.exit(1 if failed else 0)
PY
