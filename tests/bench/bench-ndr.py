#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Benchmarks prune's "ndr" method against Datumaro's NDR algorithm.

Writes N procedural images (PNG originals, plus near-duplicates: JPEG
re-encodes and rescaled copies) in two subsets, then in the same run:
- times our `bench-ndr` on all cores and on one core (taskset), decode
  included;
- times the Datumaro path re-stated with its own libraries (cv2.imread,
  cv2.resize INTER_AREA, scipy orth, numpy), same images and quota;
- compares our gradient features with the cv2 ones, image by image.
Prints one JSON object. Needs python3-numpy, python3-scipy, python3-opencv.

Usage: bench-ndr.py BENCH_NDR_BINARY [--items N] [--size WxH] [--ratio R]
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_blas  # noqa: E402

# The reference runs in this process: without the variables that pin a
# slower OpenBLAS kernel, as a user's numpy would (see reference_blas.py).
if any(name in os.environ for name in reference_blas.PINNING_VARIABLES):
    os.execve(sys.executable, [sys.executable] + sys.argv, reference_blas.clean_environment())

try:
    import cv2
    import numpy as np
    from scipy.linalg import orth
except ImportError as error:  # a benchmark, not a test: say why and skip
    print(json.dumps({"skipped": f"missing {error.name}"}))
    sys.exit(77)


def procedural(rng, width, height):
    """A smooth colour ramp with soft blobs and stripes."""
    y, x = np.mgrid[0:height, 0:width].astype(float)
    ramp = rng.uniform(0, 255, (2, 3))
    t = (x / width)[..., None]
    image = (1 - t) * ramp[0] + t * ramp[1]
    fx, fy = rng.uniform(-0.4, 0.4, 2) * 96 / width
    image += rng.uniform(10, 50) * np.sin(fx * x + fy * y + rng.uniform(0, 2 * np.pi))[..., None]
    for _ in range(3):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        radius = rng.uniform(6, 20) * width / 96
        blob = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius ** 2))
        image += blob[..., None] * rng.uniform(-160, 160, 3)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def write_images(directory, n_items, width, height):
    """Returns [(subset, path, picture)] with about 1 near-duplicate in 5."""
    rng = np.random.default_rng(2024)
    n_train = n_items * 4 // 5
    entries = []
    originals = []
    for index in range(n_items):
        subset = "train" if index < n_train else "val"
        if index == n_train:
            originals = []  # val gets pictures of its own
        if originals and rng.uniform() < 0.2:
            picture, source = originals[rng.integers(len(originals))]
            if rng.uniform() < 0.5:
                path = os.path.join(directory, f"{index:05d}.jpg")
                cv2.imwrite(path, source, [cv2.IMWRITE_JPEG_QUALITY, 85])
            else:
                path = os.path.join(directory, f"{index:05d}.png")
                small = cv2.resize(source, (width * 3 // 4, height * 3 // 4),
                                   interpolation=cv2.INTER_LINEAR)
                cv2.imwrite(path, small)
        else:
            picture = index
            source = procedural(rng, width, height)[..., ::-1].copy()
            path = os.path.join(directory, f"{index:05d}.png")
            cv2.imwrite(path, source)
            originals.append((picture, source))
        entries.append((subset, path, picture))
    return entries


def gradient_feature(rgb):
    """Datumaro's gradient feature of an 8-bit image."""
    image = rgb.astype(float) / 255.0
    mean = cv2.resize(image, (8, 8), interpolation=cv2.INTER_AREA)
    mean_of_squares = cv2.resize(image ** 2, (8, 8), interpolation=cv2.INTER_AREA)
    spread = np.sqrt(np.maximum(mean_of_squares - mean ** 2, 0))
    padded = np.pad(np.concatenate([mean, spread], axis=-1), ((1, 1), (1, 1), (0, 0)))
    grad_x = padded[1:-1, :-2, :] - padded[1:-1, 2:, :]
    grad_y = padded[:-2, 1:-1, :] - padded[2:, 1:-1, :]
    feature = np.concatenate([grad_x, grad_y], axis=-1)
    return feature / np.sqrt(np.sum(feature ** 2))


def datumaro_ndr(features, n_keep, rng, hash_dim=32, threshold=0.5):
    """Datumaro's selection: orthonormal projection hash, 50th-power
    similarity on collisions, random oversampling / uniform undersampling."""
    n, dim = features.shape
    projection = orth(rng.uniform(-1, 1, (dim, dim)))[:, :hash_dim]
    bits = np.packbits(features @ projection >= 0, axis=-1)
    keys = ["".join(f"{b:02x}" for b in row) for row in bits]
    kept, removed, buckets = [], [], {}
    for i in rng.permutation(n):
        bucket = buckets.setdefault(keys[i], [])
        if bucket and np.max((features[bucket] @ features[i]) ** 50) >= threshold:
            removed.append(i)
            continue
        bucket.append(i)
        kept.append(i)
    n_removed = len(removed)
    if n_keep > len(kept):
        kept += list(rng.choice(sorted(removed), n_keep - len(kept), replace=False))
    elif n_keep < len(kept):
        kept = list(rng.choice(kept, n_keep, replace=False))
    return kept, n_removed


def reference_run(entries, ratio):
    start = time.perf_counter()
    kept_total, removed_total = 0, 0
    features_by_path = {}
    rng = np.random.default_rng(0)
    for subset in dict.fromkeys(s for s, _, _ in entries):
        paths = [p for s, p, _ in entries if s == subset]
        features = []
        for path in paths:
            rgb = cv2.imread(path, cv2.IMREAD_COLOR)[..., ::-1]
            feature = gradient_feature(rgb)
            features_by_path[path] = feature
            features.append(feature.reshape(-1))
        kept, n_removed = datumaro_ndr(np.array(features), math.ceil(len(paths) * ratio), rng)
        kept_total += len(kept)
        removed_total += n_removed
    return time.perf_counter() - start, kept_total, removed_total, features_by_path


def run_ours(binary, list_path, ratio, features_path=None, one_core=False):
    command = [binary, list_path, str(ratio), "1"]
    if features_path:
        command.append(features_path)
    if one_core and shutil.which("taskset"):
        command = ["taskset", "-c", "0"] + command
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--ratio", type=float, default=0.5)
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    blas = reference_blas.blas_info()

    directory = tempfile.mkdtemp(prefix="bench-ndr-")
    try:
        entries = write_images(directory, args.items, width, height)
        list_path = os.path.join(directory, "list.tsv")
        with open(list_path, "w") as listing:
            for subset, path, _ in entries:
                listing.write(f"{subset}\t{path}\n")

        features_path = os.path.join(directory, "features.f32")
        ours = run_ours(args.binary, list_path, args.ratio, features_path)
        ours_one_core = run_ours(args.binary, list_path, args.ratio, one_core=True)
        ref_seconds, ref_kept, ref_removed, ref_features = reference_run(entries, args.ratio)

        ours_features = np.fromfile(features_path, dtype=np.float32).reshape(len(entries), -1)
        differences = {"png": 0.0, "jpg": 0.0}
        for i, (_, path, _) in enumerate(entries):
            reference = ref_features[path].reshape(-1)
            kind = "jpg" if path.endswith(".jpg") else "png"
            differences[kind] = max(differences[kind],
                                    float(np.max(np.abs(ours_features[i] - reference))))

        ratios = {
            "speedup_all_cores": round(ref_seconds / ours["seconds"], 2),
            "speedup_one_core": round(ref_seconds / ours_one_core["seconds"], 2),
        } if blas["ok"] else {"speedup": "refused: " + blas["reason"]}
        print(json.dumps({
            "reference_blas": blas,
            "items": len(entries),
            "pictures": len({p for _, _, p in entries}),
            "image_size": f"{width}x{height}",
            "ratio": args.ratio,
            "ours_seconds": ours["seconds"],
            "ours_threads": ours["threads"],
            "ours_one_core_seconds": ours_one_core["seconds"],
            "reference_seconds": round(ref_seconds, 4),
            **ratios,
            "ours_kept": ours["kept"],
            "reference_kept": ref_kept,
            "ours_near_duplicates_removed": ours["near_duplicates"],
            "reference_near_duplicates_removed": ref_removed,
            "feature_max_abs_difference": differences,
        }, indent=2))
    finally:
        shutil.rmtree(directory)
    return 0 if blas["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
