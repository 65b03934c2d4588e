#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Selection quality of every prune method, on real labelled images.

Datasets, all from Debian's archive (no network):
- digits: the 1797 8x8 handwritten digits python3-sklearn ships
  (sklearn.datasets.load_digits), split 2:1 into train and test, stratified,
  with a fixed seed;
- fashion: Fashion-MNIST as the dataset-fashion-mnist package installs it
  (/usr/share/datasets/fashion-mnist), 28x28 grayscale photos of 10 kinds
  of clothing; the first --fashion-train items of its train split and the
  first --fashion-test of its test split.

The train part is written as PNG files in a Datumaro dataset with label
annotations; `dm hash` computes the image keys once, then `dm prune` runs
for every method, kept fraction and seed. A logistic regression and a
1-nearest-neighbour classifier (scikit-learn) are trained on the kept
items' pixels and tested on the test split; the label distribution's total
variation distance from the full train set is measured too. References,
computed here: "random" drawn by numpy, and "kmeans-pixels": k-means
(scikit-learn, k = kept count) on the raw pixels, keeping the item nearest
each centre. The same methods also run on keys `dm hash --embeddings`
makes from a .npy of the raw pixels ("[npy]" rows).

Choosing parameters without the test split: --validate N holds out part of
the train split as the evaluation set, stratified by label with a fixed seed
(0): N below 1 is a fraction of the train items, an integer N of 1 or more
a count of them. Selection and every reference run on the rest, the
classifiers are scored on the held-out items, and the test split is not
read at all. Choose on that, then measure the choice once without
--validate.

Sweeping a method's parameters: --grid "ROW:param=v1,v2;param=v1,v2" adds
one row per combination of the values listed, each ROW's own method and
parameters with the listed ones set (replacing ROW's own value of the same
parameter), named "ROW param=v,param=v"; when ROW also runs on the .npy
keys, so do its grid rows ("... [npy]"). --grid may be given more than once;
the grid rows come after the other rows, and --methods does not filter them
(--methods "" leaves only random, the grid and kmeans-pixels). For example
  --validate 10000 --methods "" --grid "herding +stratify:herding-bandwidth=0.2,0.4;herding-max-disagreement=0.3,1"
runs four herding rows on image and on .npy keys against random.

Prints a Markdown table per dataset (mean ± sd over the seeds) and writes
every figure to WORK/quality-results.json. Exit 77 (skip) when scikit-learn,
numpy or OpenCV is missing; one line and a non-zero exit on a bad option
value (or a --validate that leaves a label without items).

Usage: bench-quality.py DM [--work DIR] [--datasets digits,fashion]
         [--ratios 0.05,0.1,0.3] [--seeds 3] [--fashion-train N]
         [--fashion-test N] [--methods m1,m2,...] [--no-npy] [--no-kmeans-pixels]
         [--validate N] [--grid ROW:PARAM=V,V;PARAM=V,V]...
"""

import argparse
import gzip
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import time

try:
    import cv2
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import KNeighborsClassifier
except ImportError as error:  # a benchmark, not a test: say why and skip
    print(json.dumps({"skipped": f"missing {error.name}"}))
    sys.exit(77)

FASHION_DIR = "/usr/share/datasets/fashion-mnist"

# Every method row: (row name, dm prune method, extra --param values).
ALL_METHODS = [
    ("cluster_random", "cluster_random", []),
    ("centroid", "centroid", []),
    ("query_clust", "query_clust", []),
    ("entropy", "entropy", []),
    ("ndr", "ndr", []),
    ("prototype", "prototype", []),
    ("prototype easy", "prototype", ["prototype-keep=easy"]),
    ("prototype hard", "prototype", ["prototype-keep=hard"]),
    ("dedup", "dedup", []),
    ("herding", "herding", []),
    ("cluster_random +stratify", "cluster_random", ["stratify=true"]),
    ("centroid +stratify", "centroid", ["stratify=true"]),
    ("query_clust +stratify", "query_clust", ["stratify=true"]),
    ("prototype +stratify", "prototype", ["stratify=true"]),
    ("dedup +stratify", "dedup", ["stratify=true"]),
    ("herding +stratify", "herding", ["stratify=true"]),
    # Herding's label-noise filter (issue #12): items whose 20 nearest keys
    # carry another label more than 40 % of the time are kept last, with the
    # kernel's width 0.4. Chosen with --validate (a held-out part of train,
    # never the test split): the best mean gain over random of LR and 1-NN
    # across digits, the first 10 000 and all 60 000 Fashion-MNIST items and
    # both key kinds, among widths 0.2-0.5, thresholds 0.2-0.4 and no filter,
    # 10, 20 and 40 neighbours (README, "Selection quality").
    ("herding +stratify +filter", "herding",
     ["stratify=true", "herding-bandwidth=0.4", "herding-max-disagreement=0.4"]),
]

# Rows also run on the keys imported from the raw pixels' .npy.
NPY_METHODS = ["cluster_random", "centroid", "centroid +stratify", "prototype", "dedup",
               "herding", "herding +stratify", "herding +stratify +filter"]


def load_fashion(part, limit):
    prefix = "train" if part == "train" else "t10k"
    with gzip.open(os.path.join(FASHION_DIR, f"{prefix}-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(os.path.join(FASHION_DIR, f"{prefix}-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return images[:limit], labels[:limit].astype(int)


def load_test_split(name, args):
    """(train images uint8, train labels, test images, test labels, label
    names), or None when the dataset is not installed."""
    if name == "digits":
        digits = load_digits()
        images = np.rint(digits.images * 255 / 16).astype(np.uint8)
        x_train, x_test, y_train, y_test = train_test_split(
            images, digits.target, test_size=1 / 3, stratify=digits.target, random_state=0)
        return x_train, y_train, x_test, y_test, [str(c) for c in range(10)]
    if name == "fashion":
        if not os.path.isdir(FASHION_DIR):
            return None
        x_train, y_train = load_fashion("train", args.fashion_train)
        # Validation never reads the test split, not even to discard it.
        x_test, y_test = (None, None) if args.validate else load_fashion("test", args.fashion_test)
        names = ["t-shirt", "trouser", "pullover", "dress", "coat",
                 "sandal", "shirt", "sneaker", "bag", "ankle-boot"]
        return x_train, y_train, x_test, y_test, names
    raise SystemExit(f"unknown dataset {name}")


def load_dataset(name, args):
    """As load_test_split; with --validate, the test split is replaced by a
    stratified part of train, held out with a fixed seed."""
    data = load_test_split(name, args)
    if data is None or not args.validate:
        return data
    x_train, y_train, _, _, names = data
    try:
        x_train, x_test, y_train, y_test = train_test_split(
            x_train, y_train, test_size=args.validate, stratify=y_train, random_state=0)
    except ValueError as error:  # too few items to hold out that many per label
        raise SystemExit(f"bench-quality.py: --validate {args.validate}: {name}: {error}")
    return x_train, y_train, x_test, y_test, names


def item_id(index):
    return f"{index:06d}"


def write_datumaro(directory, images, labels, label_names):
    os.makedirs(os.path.join(directory, "images", "train"))
    os.makedirs(os.path.join(directory, "annotations"))
    items = []
    for index, (image, label) in enumerate(zip(images, labels)):
        name = item_id(index)
        cv2.imwrite(os.path.join(directory, "images", "train", name + ".png"), image)
        items.append({"id": name,
                      "annotations": [{"id": 0, "type": "label", "attributes": {},
                                       "group": 0, "label_id": int(label)}],
                      "image": {"path": name + ".png"}})
    categories = {"label": {"labels": [{"name": n, "parent": "", "attributes": []}
                                       for n in label_names], "attributes": []}}
    with open(os.path.join(directory, "annotations", "train.json"), "w") as f:
        json.dump({"infos": {}, "categories": categories, "items": items}, f)


def run(command):
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {completed.stderr.strip()}")
    return completed


def parameter_name(line):
    """A parameter line of `dm transforms`: "    [-m, ]name  description"."""
    words = line.split()
    return words[1] if words[0].startswith("-") and words[0].endswith(",") else words[0]


def available_methods(dm):
    listing = run([dm, "transforms"]).stdout
    parameters = [line for line in listing.splitlines() if line.startswith("    ")]
    line = next(line for line in parameters if parameter_name(line) == "method")
    names = line[line.index("one of") + len("one of"):].split(";")[0]
    params = {parameter_name(line) for line in parameters}
    return {n.strip() for n in names.split(",")}, params


def prune(dm, source, work, method, params, ratio, seed):
    """Indices of the items `dm prune` keeps, and whether SIMD kernels ran."""
    out = os.path.join(work, "out")
    report = os.path.join(work, "report.json")
    command = [dm, "prune", source, "-m", method, "-r", str(ratio), "--seed", str(seed),
               "-o", out, "--overwrite", "--report", report, "-q"]
    for param in params:
        command += ["--param", param]
    run(command)
    with open(os.path.join(out, "annotations", "train.json")) as f:
        kept = sorted(int(item["id"]) for item in json.load(f)["items"])
    with open(report) as f:
        simd = json.load(f).get("simd")
    return np.array(kept), simd


def kmeans_pixels(features, k, seed):
    """scikit-learn k-means on the pixels, the item nearest each centre."""
    model = KMeans(n_clusters=k, n_init=1, random_state=seed, max_iter=300).fit(features)
    distances = model.transform(features)
    kept = set()
    for j in range(k):
        members = np.flatnonzero(model.labels_ == j)
        if len(members):
            kept.add(int(members[np.argmin(distances[members, j])]))
    # Empty clusters are rare; fill with the items nearest their centre.
    order = np.argsort(distances[np.arange(len(features)), model.labels_], kind="stable")
    for i in order:
        if len(kept) >= k:
            break
        kept.add(int(i))
    return np.array(sorted(kept))


def evaluate(kept, x_train, y_train, x_test, y_test, n_labels):
    full = np.bincount(y_train, minlength=n_labels) / len(y_train)
    part = np.bincount(y_train[kept], minlength=n_labels) / len(kept)
    tv = 0.5 * np.abs(full - part).sum()
    if len(set(y_train[kept])) > 1:
        logistic = LogisticRegression(max_iter=2000).fit(x_train[kept], y_train[kept])
        lr = logistic.score(x_test, y_test)
    else:
        lr = float(np.mean(y_test == y_train[kept][0]))
    nn = KNeighborsClassifier(n_neighbors=1).fit(x_train[kept], y_train[kept]).score(x_test, y_test)
    return lr, nn, tv


def summarise(values):
    values = np.asarray(values, float)
    sd = values.std(ddof=1) if len(values) > 1 else 0.0
    return float(values.mean()), float(sd)


def difference(a, b):
    """Mean of a - b over seeds (not paired: the seeds drive different
    clusterings) and its standard error, per column."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    error = np.sqrt(a.var(axis=0, ddof=1) / len(a) + b.var(axis=0, ddof=1) / len(b))
    return a.mean(axis=0) - b.mean(axis=0), error


def print_differences(per_seed, ratios):
    """The issue's goals: the best method against random, and centroid on
    keys of the raw pixels against k-means on the pixels."""
    print()
    for ratio in ratios:
        pairs = [("centroid [npy]", "kmeans-pixels")]
        candidates = [row for (row, r) in per_seed if r == ratio and row not in ("random", "kmeans-pixels")]
        if candidates and ("random", ratio) in per_seed:
            best = max(candidates, key=lambda row: np.mean([f[0] + f[1] for f in per_seed[(row, ratio)]]))
            pairs.insert(0, (best, "random"))
        for a, b in pairs:
            if (a, ratio) in per_seed and (b, ratio) in per_seed and len(per_seed[(a, ratio)]) > 1:
                mean, error = difference(per_seed[(a, ratio)], per_seed[(b, ratio)])
                print(f"- {int(ratio * 100)} %: {a} − {b}: LR {100 * mean[0]:+.2f} ± {100 * error[0]:.2f}, "
                      f"1-NN {100 * mean[1]:+.2f} ± {100 * error[1]:.2f} points (mean ± standard error)")


def bench_dataset(name, args, dm, methods, params_known, results):
    data = load_dataset(name, args)
    if data is None:
        print(f"{name}: not installed ({FASHION_DIR}), skipped")
        return
    x_train_img, y_train, x_test_img, y_test, label_names = data
    x_train = x_train_img.reshape(len(x_train_img), -1).astype(np.float32) / 255
    x_test = x_test_img.reshape(len(x_test_img), -1).astype(np.float32) / 255
    n_labels = len(label_names)

    work = os.path.join(args.work, name)
    shutil.rmtree(work, ignore_errors=True)
    source = os.path.join(work, "source")
    write_datumaro(source, x_train_img, y_train, label_names)
    start = time.monotonic()
    run([dm, "hash", source, "-q"])
    hash_seconds = time.monotonic() - start

    npy_source = None
    if not args.no_npy:
        npy_source = os.path.join(work, "source-npy")
        shutil.copytree(source, npy_source)
        os.remove(os.path.join(npy_source, "hash_key_meta", "hash_keys.json"))
        np.save(os.path.join(work, "pixels.npy"), x_train)
        with open(os.path.join(work, "pixels-ids.txt"), "w") as f:
            f.writelines(f"train/{item_id(i)}\n" for i in range(len(x_train)))
        try:
            run([dm, "hash", npy_source, "-q", "--embeddings", os.path.join(work, "pixels.npy"),
                 "--ids", os.path.join(work, "pixels-ids.txt")])
        except RuntimeError as error:
            print(f"{name}: no keys from .npy ({error}); [npy] rows skipped")
            npy_source = None

    rows = [("random", None, None, [])]
    rows += [(row, source, method, params) for row, method, params in ALL_METHODS
             if method in methods and all(p.split("=")[0] in params_known for p in params)
             and (args.methods is None or row in args.methods)]
    if npy_source is not None:
        rows += [(row + " [npy]", npy_source, method, params) for row, method, params in ALL_METHODS
                 if row in NPY_METHODS and method in methods
                 and all(p.split("=")[0] in params_known for p in params)
                 and (args.methods is None or row + " [npy]" in args.methods)]
    for row, method, params, npy in args.grid:
        rows.append((row, source, method, params))
        if npy and npy_source is not None:
            rows.append((row + " [npy]", npy_source, method, params))
    if not args.no_kmeans_pixels:
        rows.append(("kmeans-pixels", None, None, []))

    table = {}
    per_seed = {}
    kernels = set()
    # Deterministic rows (herding +stratify) repeat one selection for every
    # seed: score each distinct selection once.
    scores = {}
    for ratio in args.ratios:
        n_kept = math.ceil(len(x_train) * ratio)
        for row, row_source, method, params in rows:
            figures = []
            for seed in range(args.seeds):
                if row == "random":
                    kept = np.sort(np.random.default_rng(seed).choice(len(x_train), n_kept, replace=False))
                elif row == "kmeans-pixels":
                    kept = kmeans_pixels(x_train, n_kept, seed)
                else:
                    kept, simd = prune(dm, row_source, work, method, params, ratio, seed)
                    if simd is not None:
                        kernels.add("SIMD (AVX-512 or AVX2)" if simd else "portable")
                assert len(kept) == n_kept, (row, len(kept), n_kept)
                if kept.tobytes() not in scores:
                    scores[kept.tobytes()] = evaluate(kept, x_train, y_train, x_test, y_test, n_labels)
                figures.append(scores[kept.tobytes()])
            per_seed[(row, ratio)] = figures
            table[(row, ratio)] = [summarise(column) for column in zip(*figures)]
            lr, nn, tv = table[(row, ratio)]
            print(f"  {name} {row} {ratio}: lr {lr[0]:.3f}±{lr[1]:.3f} 1nn {nn[0]:.3f}±{nn[1]:.3f} "
                  f"tv {tv[0]:.3f}", file=sys.stderr, flush=True)

    evaluated_on = (f"{len(x_test)} validation items (held out of train)" if args.validate
                    else f"{len(x_test)} test items")
    print(f"\n### {name}: {len(x_train)} train items, {evaluated_on}, "
          f"{n_labels} labels, {args.seeds} seeds; dm hash {hash_seconds:.1f} s; "
          f"k-means kernels: {', '.join(sorted(kernels)) or 'none'}\n")
    header = "| method | " + " | ".join(f"{int(r * 100)} % LR | {int(r * 100)} % 1-NN | "
                                         f"{int(r * 100)} % TV" for r in args.ratios) + " |"
    print(header)
    print("|---" * (1 + 3 * len(args.ratios)) + "|")
    for row, _, _, _ in rows:
        cells = []
        for ratio in args.ratios:
            lr, nn, tv = table[(row, ratio)]
            cells += [f"{lr[0]:.3f} ± {lr[1]:.3f}", f"{nn[0]:.3f} ± {nn[1]:.3f}", f"{tv[0]:.3f}"]
        print(f"| {row} | " + " | ".join(cells) + " |")
    print_differences(per_seed, args.ratios)
    sys.stdout.flush()

    results[name] = {
        "train_items": len(x_train), "test_items": len(x_test), "seeds": args.seeds,
        "evaluated_on": "validation" if args.validate else "test",
        "kernels": sorted(kernels), "hash_seconds": hash_seconds,
        "rows": {f"{row}@{ratio}": {"lr": v[0], "nn": v[1], "tv": v[2]}
                 for (row, ratio), v in table.items()},
    }


def parse_validate(parser, text):
    """--validate's value as train_test_split's test_size: a fraction in
    (0, 1) or a count of at least 1; None without the option."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        parser.error(f"--validate {text}: not a number")
    if not math.isfinite(value) or value <= 0:
        parser.error(f"--validate {text}: must be a fraction between 0 and 1 or a count of items")
    if value < 1:
        return value
    if value != int(value):
        parser.error(f"--validate {text}: a count of items must be a whole number")
    return int(value)


def parse_grid(parser, text, methods, params_known):
    """--grid "ROW:param=v1,v2;param=v1,v2": (row name, method, params, also
    on [npy] keys) for every combination of the values."""
    base, _, spec = text.partition(":")
    rows = {row: (method, params) for row, method, params in ALL_METHODS}
    if base not in rows:
        parser.error(f"--grid {text}: unknown row '{base}' (one of: {', '.join(rows)})")
    method, base_params = rows[base]
    if method not in methods:
        parser.error(f"--grid {text}: this dm has no method '{method}'")
    axes = []
    for part in filter(None, spec.split(";")):
        name, equals, values = part.partition("=")
        values = [v for v in values.split(",") if v]
        if not equals or not values:
            parser.error(f"--grid {text}: '{part}' is not PARAM=V1,V2,...")
        if name not in params_known:
            parser.error(f"--grid {text}: this dm has no parameter '{name}'")
        axes.append([(name, v) for v in values])
    if not axes:
        parser.error(f"--grid {text}: no parameter values after '{base}:'")
    grid = []
    for combination in itertools.product(*axes):
        names = {name for name, _ in combination}
        params = [p for p in base_params if p.split("=")[0] not in names]
        params += [f"{name}={value}" for name, value in combination]
        label = f"{base} " + ",".join(f"{name}={value}" for name, value in combination)
        grid.append((label, method, params, base in NPY_METHODS))
    return grid


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dm")
    parser.add_argument("--work", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       "work", "quality"))
    parser.add_argument("--datasets", default="digits,fashion")
    parser.add_argument("--ratios", default="0.05,0.1,0.3")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--fashion-train", type=int, default=10000)
    parser.add_argument("--fashion-test", type=int, default=5000)
    parser.add_argument("--methods", default=None, help="row names, comma-separated")
    parser.add_argument("--no-npy", action="store_true")
    parser.add_argument("--no-kmeans-pixels", action="store_true",
                        help="skip the scikit-learn k-means reference (slow on large sets)")
    parser.add_argument("--validate", default=None, metavar="N",
                        help="hold out N train items (N < 1: that fraction) as the evaluation set; "
                             "the test split is not read")
    parser.add_argument("--grid", action="append", default=[], metavar="ROW:PARAM=V,V;PARAM=V,V",
                        help="extra rows: ROW with every combination of the parameter values")
    args = parser.parse_args()
    args.ratios = [float(r) for r in args.ratios.split(",")]
    if args.methods is not None:
        args.methods = set(args.methods.split(","))
    args.validate = parse_validate(parser, args.validate)

    methods, params_known = available_methods(args.dm)
    args.grid = [row for text in args.grid
                 for row in parse_grid(parser, text, methods, params_known)]
    results = {}
    os.makedirs(args.work, exist_ok=True)
    for name in args.datasets.split(","):
        bench_dataset(name, args, args.dm, methods, params_known, results)
    with open(os.path.join(args.work, "quality-results.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
