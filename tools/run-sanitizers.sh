#!/bin/sh
# Memory safety. Builds the project with AddressSanitizer and
# UndefinedBehaviorSanitizer in ASAN_BUILD and runs the whole test suite with
# leak detection (LeakSanitizer; tools/lsan.supp lists the few one-time
# allocations of GLib's type system and of system libraries it may ignore,
# never the project's). Then runs the end-to-end tests (suites cli and
# bad-input, which drive the real dm) under valgrind, with every dm they start
# traced: any definite leak or memory error fails.
#
# Usage: tools/run-sanitizers.sh [ASAN_BUILD] [VALGRIND_BUILD]
#        (defaults build-asan, build; VALGRIND_BUILD is an ordinary build,
#        such as the one tools/run-tests.sh made)
set -eu

cd "$(dirname "$0")/.."
asan_build=${1:-build-asan}
valgrind_build=${2:-build}
top=$(pwd)

setup () {
  dir=$1
  shift
  if [ -d "$dir/meson-private" ]; then
    meson setup --reconfigure "$@" "$dir"
  else
    meson setup "$@" "$dir"
  fi
}

echo "== AddressSanitizer, UndefinedBehaviorSanitizer, LeakSanitizer: $asan_build"
setup "$asan_build" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
meson compile -C "$asan_build" -j 2

# GLib's slice allocator would hide leaks and reuse from the sanitizers.
export G_SLICE=always-malloc
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1:fast_unwind_on_malloc=0:detect_stack_use_after_return=1:strict_init_order=1"
export LSAN_OPTIONS="suppressions=$top/tools/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
# Every suite with a C host, with room for the slowdown. The suites whose
# host is python3 (gi, i18n, install) are left out: an uninstrumented
# interpreter cannot load the instrumented library without preloading the
# ASan runtime into it, and what they reach in C the other suites cover.
meson test -C "$asan_build" --print-errorlogs --num-processes 2 --timeout-multiplier 4 \
  --no-suite gi --no-suite i18n --no-suite install
unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS

echo "== valgrind: end-to-end tests of $valgrind_build"
if [ ! -d "$valgrind_build/meson-private" ]; then
  setup "$valgrind_build" -Dwerror=true
fi
meson compile -C "$valgrind_build" -j 2

logs="$top/$valgrind_build/meson-logs/valgrind"
rm -rf "$logs"
mkdir -p "$logs"
# Every process is traced except the tools the tests call to set up and
# clean up (the sample generator runs under the sanitizers above).
wrapper="valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1
  --trace-children=yes --trace-children-skip=/usr/*,/bin/*,*/make-sample-dataset
  --log-file=$logs/%p.log"
# JSIMD_FORCENONE: libjpeg-turbo decodes with its C code, which memcheck
# follows; through its SIMD code memcheck reports uninitialised pixels that
# are not (libjpeg-turbo issue #238), for instance in a 1×1 JPEG.
# The interrupt tests (suite signals) run under the sanitizers only: under
# valgrind their large datasets cost minutes.
JSIMD_FORCENONE=1 G_DEBUG=gc-friendly meson test -C "$valgrind_build" --suite cli --suite bad-input \
  --no-suite signals \
  --print-errorlogs --num-processes 2 --timeout-multiplier 10 --wrap="$wrapper"

# A dm that leaked in a run expected to fail would still have failed: look
# at every process's log too.
status=0
for log in "$logs"/*.log; do
  [ -s "$log" ] || continue
  if grep -q -E "ERROR SUMMARY: [1-9]|definitely lost: [1-9]" "$log"; then
    echo "valgrind found errors: $log"
    cat "$log"
    status=1
  fi
done
[ $status -eq 0 ] && echo "valgrind: no memory errors, no definite leaks ($(ls "$logs" | wc -l) processes)"
exit $status
