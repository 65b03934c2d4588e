#!/bin/sh
# Fuzzes the dataset readers (subprojects/dm/tests/fuzz: the Datumaro annotations, the
# hash-key cache, ImageNet folders) with libFuzzer and AddressSanitizer.
# Each target runs SECONDS (default 600: the long run; CI uses 30), starting
# from its committed seed corpus (subprojects/dm/tests/fuzz/corpus/<target>/, never
# written); new inputs go to BUILD/fuzz-corpus/<target>/ and any crash, leak,
# timeout or out-of-memory input to BUILD/fuzz-artifacts/, and fails the run.
#
# Usage: tools/run-fuzz.sh [SECONDS] [BUILD]     (default 600, build-fuzz)
set -eu

cd "$(dirname "$0")/.."
seconds=${1:-600}
build=${2:-build-fuzz}

if [ -d "$build/meson-private" ]; then
  meson setup --reconfigure "$build"
else
  CC=clang meson setup -Ddm:fuzzing=true -Db_sanitize=address -Db_lundef=false "$build"
fi
# Only the fuzzers (and the library they link), not the rest of the tree.
fuzz=subprojects/dm/tests/fuzz
meson compile -C "$build" -j 2 fuzz-datumaro fuzz-hash-keys fuzz-imagenet

export G_SLICE=always-malloc
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export LSAN_OPTIONS="suppressions=$(pwd)/tools/lsan.supp:print_suppressions=0"

status=0
for target in datumaro hash-keys imagenet; do
  corpus="$build/fuzz-corpus/$target"
  artifacts="$build/fuzz-artifacts/$target/"
  mkdir -p "$corpus" "$artifacts"
  dict=""
  if [ -f "$fuzz/$target.dict" ]; then dict="-dict=$fuzz/$target.dict"; fi
  echo "== fuzz-$target: $seconds s"
  # shellcheck disable=SC2086
  "$build/$fuzz/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=4096 -print_final_stats=1 -artifact_prefix="$artifacts" $dict \
    "$corpus" "$fuzz/corpus/$target" || status=1
done

if [ $status -ne 0 ]; then
  echo "fuzzing found a problem: see $build/fuzz-artifacts/"
fi
exit $status
