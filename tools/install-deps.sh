#!/bin/sh
# Installs, from Debian 12's archive, everything the project needs to build
# and test; with --bench, also what the benchmarks compare against (the
# Datumaro/scikit-learn reference path on OpenBLAS, as a user's numpy runs
# it, with threadpoolctl to check that; OpenCV for NDR's; Fashion-MNIST for
# the quality benchmark). Safe to run again; run it as root, or as a user
# who may use sudo (it calls sudo itself then).
set -eu

bench=false
[ "${1:-}" = "--bench" ] && bench=true

packages="
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libjson-glib-dev libgdk-pixbuf-2.0-dev libyajl-dev
  gobject-introspection libgirepository1.0-dev python3-gi gir1.2-glib-2.0 gir1.2-json-1.0
  gi-docgen
  locales
  python3
  clang libclang-rt-14-dev valgrind
  shared-mime-info
  chromium
"

if $bench; then
  packages="$packages python3-numpy python3-sklearn python3-opencv time
    libopenblas0-pthread python3-threadpoolctl dataset-fashion-mnist"
fi

# As root (a fresh container has no sudo) apt-get runs directly; otherwise
# through sudo, which must then be there.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-deps.sh: installing packages needs root: run this as root, or install sudo" >&2
    exit 1
  fi
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $packages

# The translation tests (tests/i18n) run dm in German: gettext needs a real
# de_DE.UTF-8 locale, as it ignores LANGUAGE under the C locale.
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
  $SUDO sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen
  $SUDO locale-gen
fi
