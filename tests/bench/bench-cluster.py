#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The clustering prune against Datumaro's path, side by side in one run.

usage: bench-cluster.py CLUSTER_BENCH DM LOAD_DATASET

For each case (the rows of issue 10's table) it runs, on keys made by
../shared/reference/keys.py (cached in tests/bench/work/):
- the reference, ../shared/reference/datumaro_ref.py (scikit-learn on
  numpy; clustering only, no I/O), only after reference_blas.py confirmed
  that numpy runs OpenBLAS: otherwise no ratio is reported and the
  benchmark fails;
- `dm prune` as a whole process, as a user runs it, under /usr/bin/time
  (wall time to the microsecond, peak RSS), then again with --report for the core's phase
  times and the host's (loading, writing);
- load-dataset (the loading phase alone) and `dm transforms` (start-up);
  load-dataset and cluster-bench run with glibc's tunables set to the heap
  `dm` gives itself (dm-cli-heap.c: huge pages, one arena), so that the
  phases alone run on the same memory as inside `dm`.
It prints the ratio (reference seconds / our whole-process seconds), both
inertias, peak RSS, the kernel path and the CPU, and checks the goals.

Environment:
  BENCH_CASES     cases to run (default "cr50k centroid10k cr10k cr1280k";
                  also centroid100k)
  BENCH_REPEAT    runs of each case (default 1); ranges are printed
  BENCH_NO_REF=1  no reference runs (no ratios, goals on ratios unchecked)
  DM_KERNEL       k-means kernel path; default avx2 where the CPU has it (the
                  path the goals are set for), see README
  BENCH_REF_CORETYPE  pin the reference's OpenBLAS kernel (e.g. Haswell, an
                  AVX2 CPU's); by default OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE
                  are removed for the reference so OpenBLAS picks its best
Exits 77 (skip) without ../shared/reference or /usr/bin/time.
"""

import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_blas  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(TOP), "shared", "reference")
WORK = os.path.join(HERE, "work")
PYTHON = "/usr/bin/python3"
GIB = 1024 * 1024  # KiB

# name: (n, labels, method, ratio, reference?, goals); portable_max: the
# portable kernels' core time at most this many times the forced path's.
CASES = {
    "cr50k": (50000, 1000, "cluster_random", 0.5, True,
              {"speedup": 50, "inertia_max": 1.0, "portable_max": 3}),
    "centroid10k": (10000, 100, "centroid", 0.5, True,
                    {"speedup": 50, "inertia_max": 1.001}),
    "cr10k": (10000, 100, "cluster_random", 0.5, True, {"speedup": 10}),
    "centroid100k": (100000, 100, "centroid", 0.5, False, {"seconds": 30}),
    "cr1280k": (1280000, 1000, "cluster_random", 0.5, False,
                {"seconds": 60, "rss_kib": 1 * GIB}),
}


def log(message):
    print("bench-cluster: " + message, file=sys.stderr, flush=True)


def keys(n, labels):
    directory = os.path.join(WORK, "keys-%d-%d" % (n, labels))
    if not os.path.exists(os.path.join(directory, "keys.bin")):
        log("generating %d keys, %d labels (once)" % (n, labels))
        subprocess.run([PYTHON, os.path.join(SHARED, "keys.py"), str(n), str(labels), directory],
                       check=True, stdout=subprocess.DEVNULL)
    return directory


def timed(command, env=None):
    """(wall seconds, peak RSS KiB, stdout) of a command under /usr/bin/time.
    The wall time is taken here, to the microsecond, around /usr/bin/time
    (whose own start adds about a millisecond): it prints hundredths, a
    tenth of the 10k rows' whole run. The peak RSS is /usr/bin/time's: a
    child of this script would carry this script's own peak in its rusage
    (exec records the peak of the memory it replaces)."""
    time_log = os.path.join(WORK, "time.txt")
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", "-o", time_log] + command, env=env,
                          check=True, stdout=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    text = open(time_log).read()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return seconds, rss, done.stdout


def cpu():
    model, flags = "unknown", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and model == "unknown":
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    if {"avx512f", "avx512bw", "avx512_vpopcntdq"} <= flags:
        level = "AVX-512 (F, BW, VPOPCNTDQ) and AVX2"
    elif "avx2" in flags:
        level = "AVX2, no AVX-512 VPOPCNTDQ"
    else:
        level = "no AVX2"
    return model, flags, level


def reference_environment():
    env = reference_blas.clean_environment()
    if os.environ.get("BENCH_REF_CORETYPE"):
        env["OPENBLAS_CORETYPE"] = os.environ["BENCH_REF_CORETYPE"]
    return env


# What dm_cli_heap_prefer_huge_pages() does inside `dm`, for the tools that
# time a phase alone: a heap backed by transparent huge pages, one arena.
DM_HEAP_TUNABLES = "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=%d:glibc.malloc.arena_max=1" % (1 << 30)


def measure(name, dm, cluster_bench, load_dataset, blas_ok, env):
    n, labels, method, ratio, with_reference, _ = CASES[name]
    directory = keys(n, labels)
    run = {"case": name}
    if with_reference and blas_ok:
        log("%s: reference (scikit-learn on OpenBLAS) ..." % name)
        done = subprocess.run([PYTHON, os.path.join(SHARED, "datumaro_ref.py"), directory,
                               method, str(ratio)], env=reference_environment(), check=True,
                              stdout=subprocess.PIPE, text=True)
        run["reference"] = json.loads(done.stdout)
    log("%s: dm prune ..." % name)
    out = os.path.join(WORK, "out-" + name)
    report_path = os.path.join(WORK, "report-%s.json" % name)
    command = [dm, "prune", directory, "-m", method, "-r", str(ratio), "-o", out, "-q"]
    # Timed as a user runs it; the phases come from a second run with
    # --report, whose JSON (every kept item's name: 0.45 MB at 10k items)
    # is a diagnostic that costs a tenth of the 10k rows' time.
    shutil.rmtree(out, ignore_errors=True)
    seconds, rss, _ = timed(command, env=env)
    shutil.rmtree(out, ignore_errors=True)
    timed(command + ["--report", report_path], env=env)
    shutil.rmtree(out, ignore_errors=True)
    report = json.load(open(report_path))
    run["dm"] = {"seconds": seconds, "rss_kib": rss, "kept": report["kept"],
                 "inertia": report["inertia"], "iterations": report["iterations"],
                 "phases": report["seconds"], "host": report["host_seconds"]}
    log("%s: loading alone ..." % name)
    alone_env = dict(env, GLIBC_TUNABLES=DM_HEAP_TUNABLES)
    load_seconds, load_rss, _ = timed([load_dataset, directory], env=alone_env)
    run["load"] = {"seconds": load_seconds, "rss_kib": load_rss}
    log("%s: core alone (cluster-bench) ..." % name)
    done = subprocess.run([cluster_bench, directory, method, str(ratio)], env=alone_env,
                          check=True, stdout=subprocess.PIPE, text=True)
    run["core"] = json.loads(done.stdout)
    if "portable_max" in CASES[name][5]:
        log("%s: core alone, portable kernels ..." % name)
        done = subprocess.run([cluster_bench, directory, method, str(ratio)],
                              env=dict(alone_env, DM_KERNEL="portable"), check=True,
                              stdout=subprocess.PIPE, text=True)
        run["core_portable"] = json.loads(done.stdout)
    return run


def span(values, form):
    low, high = min(values), max(values)
    return form % low if form % low == form % high else (form % low) + "-" + (form % high)


def summarise(name, runs, startup):
    n, labels, method, ratio, _, goals = CASES[name]
    expected = math.ceil(n * ratio)
    checks = []
    print("== %s: %s %s, %d keys, %d labels; %d run(s), kernels %s"
          % (name, method, ratio, n, labels, len(runs), runs[0]["core"]["kernels"]))
    dm_seconds = [r["dm"]["seconds"] for r in runs]
    rss = [r["dm"]["rss_kib"] / 1024 for r in runs]
    phases = runs[0]["dm"]["phases"]
    # "total" is the transform's whole run; the other phases are parts of it.
    transform_seconds = phases.get("total", sum(phases.values()))
    print("   ours, whole `dm prune` process: %s s, peak RSS %s MiB, kept %s of %d, inertia %.1f, %d iterations"
          % (span(dm_seconds, "%.3f"), span(rss, "%.0f"), runs[0]["dm"]["kept"], expected,
             runs[0]["dm"]["inertia"], runs[0]["dm"]["iterations"]))
    host = runs[0]["dm"]["host"]
    print("   phases (first run): start-up %.3f s, loading %.3f s (load-dataset alone %.3f s, "
          "peak RSS %.0f MiB), %s, writing %.3f s, the rest %.3f s"
          % (startup, host["loading"], runs[0]["load"]["seconds"], runs[0]["load"]["rss_kib"] / 1024,
             ", ".join("%s %.3f s" % item for item in phases.items()), host["writing"],
             runs[0]["dm"]["seconds"] - startup - host["loading"] - transform_seconds
             - host["writing"]))
    if len(runs) > 1:
        # Loading is where this benchmark's outliers have shown up (a first
        # run's loading 3-20x its later ones, not cold files): every run's.
        print("   loading, every run: %s s; load-dataset alone: %s s"
              % (", ".join("%.2f" % r["dm"]["host"]["loading"] for r in runs),
                 ", ".join("%.2f" % r["load"]["seconds"] for r in runs)))
    print("   core alone (cluster-bench): %s s (seeding %s, Lloyd %s)"
          % (span([r["core"]["seconds"] for r in runs], "%.2f"),
             span([r["core"]["seconds_seeding"] for r in runs], "%.2f"),
             span([r["core"]["seconds_lloyd"] for r in runs], "%.2f")))
    checks.append(("kept exactly ceil(n*ratio)", all(r["dm"]["kept"] == expected for r in runs)))
    if "portable_max" in goals:
        slower = [r["core_portable"]["seconds"] / r["core"]["seconds"] for r in runs]
        print("   portable kernels, core alone: %s s, %sx the %s path's time, same inertia: %s"
              % (span([r["core_portable"]["seconds"] for r in runs], "%.2f"), span(slower, "%.2f"),
                 runs[0]["core"]["kernels"],
                 all(r["core_portable"]["inertia"] == r["core"]["inertia"] for r in runs)))
        checks.append(("portable <= %dx the %s path" % (goals["portable_max"], runs[0]["core"]["kernels"]),
                       max(slower) <= goals["portable_max"]))
    references = [r["reference"] for r in runs if "reference" in r]
    if references:
        ratios = [r["reference"]["seconds"] / r["dm"]["seconds"] for r in runs if "reference" in r]
        inertia = runs[0]["dm"]["inertia"] / references[0]["inertia"]
        print("   reference (clustering only): %s s, kept %d, inertia %.1f"
              % (span([r["seconds"] for r in references], "%.2f"), references[0]["selected"],
                 references[0]["inertia"]))
        print("   ratio reference / ours: %sx (median %.1fx); inertia ours / reference %.5f"
              % (span(ratios, "%.1f"), statistics.median(ratios), inertia))
        if "speedup" in goals:
            checks.append(("speed-up >= %dx" % goals["speedup"], min(ratios) >= goals["speedup"]))
        if "inertia_max" in goals:
            checks.append(("inertia <= %g x reference" % goals["inertia_max"],
                           inertia <= goals["inertia_max"]))
    elif CASES[name][4]:
        print("   ratio: not reported (no reference run)")
    if "seconds" in goals:
        checks.append(("<= %d s" % goals["seconds"], max(dm_seconds) <= goals["seconds"]))
    if "rss_kib" in goals:
        checks.append(("peak RSS <= %.0f GiB" % (goals["rss_kib"] / GIB),
                       max(r["dm"]["rss_kib"] for r in runs) <= goals["rss_kib"]))
    for what, ok in checks:
        print("   %-30s %s" % (what, "ok" if ok else "MISSED"))
    return all(ok for _, ok in checks)


def main():
    if len(sys.argv) != 4:
        print("usage: bench-cluster.py CLUSTER_BENCH DM LOAD_DATASET", file=sys.stderr)
        return 2
    cluster_bench, dm, load_dataset = sys.argv[1:]
    if not os.path.exists(os.path.join(SHARED, "keys.py")) \
            or not os.path.exists(os.path.join(SHARED, "datumaro_ref.py")):
        print("bench-cluster: %s (keys.py, datumaro_ref.py) is missing: skipped" % SHARED)
        return 77
    if not os.access("/usr/bin/time", os.X_OK):
        print("bench-cluster: needs /usr/bin/time (tools/install-deps.sh --bench): skipped")
        return 77
    os.makedirs(WORK, exist_ok=True)
    cases = os.environ.get("BENCH_CASES", "cr50k centroid10k cr10k cr1280k").split()
    for name in cases:
        if name not in CASES:
            print("bench-cluster: unknown case %s (known: %s)" % (name, " ".join(CASES)),
                  file=sys.stderr)
            return 2
    repeat = int(os.environ.get("BENCH_REPEAT", "1"))

    model, flags, level = cpu()
    env = dict(os.environ)
    if not env.get("DM_KERNEL") and "avx2" in flags:
        env["DM_KERNEL"] = "avx2"
    forced = env.get("DM_KERNEL")
    print("CPU: %s, %d cores; SIMD: %s; k-means kernels: %s"
          % (model, os.cpu_count(), level, (forced + " (forced by DM_KERNEL)") if forced else "auto"))

    blas_ok = False
    if os.environ.get("BENCH_NO_REF") == "1":
        print("reference: not run (BENCH_NO_REF=1): no ratios")
    else:
        done = subprocess.run([PYTHON, os.path.join(HERE, "reference_blas.py")],
                              env=reference_environment(), stdout=subprocess.PIPE, text=True)
        info = json.loads(done.stdout)
        blas_ok = info["ok"]
        if blas_ok:
            print("reference: numpy on OpenBLAS %s, kernel %s, %s threads"
                  % (info["version"], info["architecture"], info["threads"]))
        else:
            print("reference: REFUSED, no ratio reported: %s" % info["reason"])

    start = time.monotonic()
    subprocess.run([dm, "transforms"], env=env, check=True, stdout=subprocess.DEVNULL)
    startup = time.monotonic() - start

    results = {name: [] for name in cases}
    for rep in range(repeat):
        for name in cases:
            results[name].append(measure(name, dm, cluster_bench, load_dataset, blas_ok, env))
    with open(os.path.join(WORK, "cluster-results.json"), "w") as f:
        json.dump({"cpu": model, "simd": level, "kernels": forced, "results": results}, f, indent=1)

    ok = True
    for name in cases:
        ok &= summarise(name, results[name], startup)
    if not blas_ok and os.environ.get("BENCH_NO_REF") != "1":
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
