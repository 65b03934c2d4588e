#!/bin/sh
# bench-image-key.sh BENCH_IMAGE_KEY [WORKDIR]: the image key's robustness on
# near-duplicate groups, and the hasher's throughput against GdkPixbuf's
# plain full-size decoding of the same JPEGs, measured in the same run.
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

bench=${1:?usage: bench-image-key.sh BENCH_IMAGE_KEY [WORKDIR]}
workdir=${2:-$(dirname "$0")/work/imagekey}
mkdir -p "$workdir"

"$bench" robustness "$workdir" 50
"$bench" throughput "$workdir" 500 0 3
"$bench" throughput "$workdir" 500 1 3
