#!/bin/sh
# Builds dm and its prune plugin, generates a sample dataset with real
# JPEG images, and prunes it, printing what was kept.
# Usage: tools/demo.sh [BUILD_DIR]    (default: build)
set -eu

cd "$(dirname "$0")/.."
build=${1:-build}

[ -d "$build/meson-private" ] || meson setup "$build"
meson compile -C "$build"

# dm (subprojects/dm) loads the prune plugin built in plugin/.
dm="$build/subprojects/dm/cli/dm"
DM_PLUGIN_PATH="$(pwd)/$build/plugin"
export DM_PLUGIN_PATH
demo="$build/demo"
rm -rf "$demo"
mkdir -p "$demo"

echo "== Generating a sample dataset (Datumaro format, 40 JPEG images, 4 labels)"
"$build/data/make-sample-dataset" --items 40 "$demo/sample"

echo
echo "== The transform menu (dm transforms)"
"$dm" transforms

echo "== dm prune $demo/sample -m random -r 0.5 -o $demo/pruned-random"
"$dm" prune "$demo/sample" -m random -r 0.5 -o "$demo/pruned-random"
echo "Kept items:"
/usr/bin/python3 -c '
import json, sys, os
root = sys.argv[1]
for name in sorted(os.listdir(os.path.join(root, "annotations"))):
    items = json.load(open(os.path.join(root, "annotations", name)))["items"]
    print("  %s: %s" % (name[:-5], " ".join(item["id"] for item in items)))
' "$demo/pruned-random"

echo
echo "== dm hash $demo/sample   (image keys, cached in hash_key_meta/hash_keys.json)"
"$dm" hash "$demo/sample"

echo
echo "== dm prune $demo/sample -m cluster_random -r 0.5 -o $demo/pruned-clusters --report ..."
"$dm" prune "$demo/sample" -m cluster_random -r 0.5 -o "$demo/pruned-clusters" \
  --report "$demo/report.json"
/usr/bin/python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
print("Clusters (size -> kept):", ", ".join("%d -> %d" % (c["size"], c["quota"]) for c in report["clusters"]))
by_cluster = {}
for item in report["kept_items"]:
    by_cluster.setdefault(item["cluster"], []).append(item["id"])
for cluster in sorted(by_cluster):
    print("  cluster %d: %s" % (cluster, " ".join(by_cluster[cluster])))
' "$demo/report.json"
