"""Derivatives a person would write: how readable is what we print?

Run from the project root::

    python benchmarks/bench_readable.py                 # the whole corpus
    python benchmarks/bench_readable.py --quick         # two entries per category
    python benchmarks/bench_readable.py --json out.json

For every entry of ``benchmarks/calculus_corpus.py`` and every variable it
names, "our printed derivative" is ``str(sg.simplify(sg.grad(f, [v])[0]))``,
what ``symgraph grad`` prints. The script measures, in this process and with
nothing else running:

- the time of parse + grad + simplify + str, the median of ``--repeat`` runs,
  each in a fresh state (our nodes of the previous run released, SymPy's cache
  cleared), after one warm-up pass of parse + grad over the corpus (which
  fills the op registry's cached partials, a once-per-process cost);

then, in a pool of worker processes (``readable_sympy.check_case``, every
SymPy call under ``--sympy-timeout``):

- whether the printed derivative is proved equal to ``sympy.diff`` (SymPy's
  simplify reduces the difference to 0), and that it agrees numerically;
- the ratio len(ours) / len(str(sympy.simplify(sympy.diff(f, v)))), spaces
  removed from both (our printer writes ``a * b``, SymPy ``a*b``).

The target of the issue: proved and ratio <= 1.25 in at least 90% of cases,
median time under 50 ms.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import sympy as sp
from sympy.core.cache import clear_cache

sys.path.insert(0, str(Path(__file__).resolve().parent))

import calculus_corpus
import readable_sympy

import symgraph as sg

TARGET_RATIO = 1.25
TARGET_SHARE = 0.90
TARGET_MEDIAN_MS = 50.0

# The check of a case whose derivative could not be printed.
ERROR = {
    "verdict": "error",
    "route": None,
    "reason": "printing the derivative raised (see 'ours')",
    "sympy_diff": None,
    "sympy_simplified": None,
    "sympy_simplify_time": None,
}


def git(*args: str) -> str:
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def symgraph_commit() -> str:
    """The last commit that changed symgraph/ (the engine measured), with
    "+changes" when the working tree's symgraph/ differs from it."""
    try:
        commit = git("log", "-1", "--format=%h", "--abbrev=12", "--", "symgraph")
        dirty = git("status", "--porcelain", "--", "symgraph")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit + ("+changes" if dirty else "")


def printer(simplify_timeout):
    """The function from a derivative node to the text we print, and its label."""
    if simplify_timeout is None:
        return (lambda d: str(sg.simplify(d))), "sg.simplify(d)"
    return (
        lambda d: str(sg.simplify(d, timeout=simplify_timeout)),
        f"sg.simplify(d, timeout={simplify_timeout:g})",
    )


def time_case(entry, variable, show, repeat):
    """(printed text, run times in seconds, distinct texts, CPU times in
    seconds) for one case.

    The text is the first run's. A simplifier under a time budget may print
    a case differently from one run to the next (its budget ran out in some
    runs and not in others): every distinct text is returned, so the report
    can list such cases. An exception raised while printing (by sg.simplify,
    say) is not timed: it is returned as the text ``"error: ..."`` with no
    times, and the case is reported as a failure of ours. The CPU time of
    this process (``time.process_time``) is what the case costs on a machine
    with nothing else running; the wall time also counts waiting for a core.
    """
    times, cpu, texts = [], [], []
    for _ in range(repeat):
        clear_cache()
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        f = sg.parse(entry.expression)
        d = sg.grad(f, [sg.symbols(variable)])[0]
        try:
            text = show(d)
        except Exception as exc:
            return f"error: {type(exc).__name__}: {exc}", [], [], []
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if text not in texts:
            texts.append(text)
        del f, d
    return texts[0], times, texts, cpu


def unproved(reason: str) -> dict:
    """The check of a case the SymPy side could not settle."""
    return {
        "verdict": "unproved",
        "route": None,
        "reason": reason,
        "sympy_diff": None,
        "sympy_simplified": None,
        "sympy_simplify_time": None,
    }


def sympy_checks(tasks, jobs, timeout):
    """check_case of every task in a pool of worker processes.

    Each SymPy call in a worker has its own budget; should a worker still be
    stuck past a generous backstop, its case is unproved, the pool is
    stopped, and the cases not finished yet run again in a fresh pool.
    """
    results: dict[int, dict] = {}
    pending = list(range(len(tasks)))
    backstop = 6 * timeout + 60
    ctx = mp.get_context("spawn")
    while pending:
        with ctx.Pool(jobs, maxtasksperchild=25) as pool:  # exit: terminate()
            futures = {
                i: pool.apply_async(readable_sympy.check_case, (tasks[i],))
                for i in pending
            }
            for i, future in futures.items():
                try:
                    results[i] = future.get(timeout=backstop)
                except mp.TimeoutError:
                    results[i] = unproved(f"worker stopped after {backstop:g} s")
                    break
                except Exception as exc:  # a SymPy failure we did not foresee
                    results[i] = unproved(f"the check raised {exc!r}")
            pending = [i for i in futures if i not in results]
        print(f"  SymPy checks: {len(results)}/{len(tasks)}", flush=True)
    return [results[i] for i in range(len(tasks))]


def compact(text: str | None) -> str | None:
    return None if text is None else text.replace(" ", "")


def quartiles(values):
    if not values:
        return None
    q = np.percentile(values, [0, 25, 50, 75, 100])
    return {k: float(x) for k, x in zip(("min", "q1", "median", "q3", "max"), q)}


def summarize(rows):
    n = len(rows)
    ratios = [r["ratio"] for r in rows if r["ratio"] is not None]
    times = [r["time_ms"] for r in rows if r["time_ms"] is not None] or [np.nan]
    first = [r["first_run_ms"] for r in rows if r["time_ms"] is not None] or [np.nan]
    cpu = [r["cpu_ms"] for r in rows if r["time_ms"] is not None] or [np.nan]
    ok = [r for r in rows if r["verdict"] == "proved" and r["within"]]
    return {
        "cases": n,
        "proved": sum(r["verdict"] == "proved" for r in rows),
        "unproved": sum(r["verdict"] == "unproved" for r in rows),
        "wrong": sum(r["verdict"] == "wrong" for r in rows),
        "error": sum(r["verdict"] == "error" for r in rows),
        "no_reference": sum(
            r["verdict"] != "error" and r["sympy_simplified"] is None for r in rows
        ),
        "within_ratio": sum(r["within"] for r in rows),
        "proved_and_within": len(ok),
        "share_meeting_target": len(ok) / n if n else 0.0,
        "ratio": quartiles(ratios),
        "time_ms": {
            "median": float(np.median(times)),
            "p90": float(np.percentile(times, 90)),
            "max": float(max(times)),
            "first_run_median": float(np.median(first)),
            "cpu_median": float(np.median(cpu)),
            "cpu_p90": float(np.percentile(cpu, 90)),
            "cpu_max": float(max(cpu)),
        },
    }


def report(rows, meta):
    s = summarize(rows)
    pct = 100.0 / s["cases"]
    print(
        f"\nsymgraph {meta['symgraph']}, symgraph/ as of commit {meta['commit']};"
        f" printed form: {meta['printer']}"
    )
    print(
        f"SymPy {meta['sympy']}, Python {meta['python']}; SymPy limit {meta['sympy_timeout']:g} s per call"
    )
    print(f"\ncases (entry x variable): {s['cases']}")
    print(
        f"proved equal to sympy.diff: {s['proved']} ({s['proved'] * pct:.1f}%);"
        f" unproved (SymPy's limit): {s['unproved']}; wrong: {s['wrong']};"
        f" printing raised: {s['error']}"
    )
    print(
        f"ratio <= {TARGET_RATIO}: {s['within_ratio']} ({s['within_ratio'] * pct:.1f}%);"
        f" no SymPy reference (simplify ran out of time): {s['no_reference']}"
    )
    print(
        f"proved and ratio <= {TARGET_RATIO}: {s['proved_and_within']}"
        f" ({s['share_meeting_target']:.1%}; target {TARGET_SHARE:.0%})"
    )
    q = s["ratio"]
    if q:
        print(
            "ratio len(ours)/len(SymPy simplified): min {min:.2f}  q1 {q1:.2f}"
            "  median {median:.2f}  q3 {q3:.2f}  max {max:.2f}".format(**q)
        )
    t = s["time_ms"]
    print(
        f"time per case (parse + grad + simplify + str), ms: median {t['median']:.1f}"
        f"  p90 {t['p90']:.1f}  max {t['max']:.1f} (target: median < {TARGET_MEDIAN_MS:g});"
        f" the first of the runs: median {t['first_run_median']:.1f}"
    )
    print(
        f"CPU time per case (the same runs, time.process_time), ms: median"
        f" {t['cpu_median']:.1f}  p90 {t['cpu_p90']:.1f}  max {t['cpu_max']:.1f}"
    )
    ref = [r["sympy_simplify_ms"] for r in rows if r["sympy_simplify_ms"] is not None]
    if ref:
        print(
            f"for scale, sympy.simplify(sympy.diff(...)) in a worker, ms: median"
            f" {np.median(ref):.1f}  p90 {np.percentile(ref, 90):.1f}  max {max(ref):.1f}"
        )
    routes: dict[str, int] = {}
    for r in rows:
        if r["route"]:
            routes[r["route"]] = routes.get(r["route"], 0) + 1
    print("proofs by route: " + ", ".join(f"{k} {v}" for k, v in routes.items()))

    print(
        f"\n{'category':<24}{'cases':>6}{'proved':>8}{'<=1.25':>8}{'both':>6}"
        f"{'med ratio':>10}{'max ratio':>10}{'med ms':>8}{'med cpu':>8}"
    )
    for category in dict.fromkeys(r["category"] for r in rows):
        sub = [r for r in rows if r["category"] == category]
        cs = summarize(sub)
        rq = cs["ratio"] or {"median": float("nan"), "max": float("nan")}
        print(
            f"{category:<24}{cs['cases']:>6}{cs['proved']:>8}{cs['within_ratio']:>8}"
            f"{cs['proved_and_within']:>6}{rq['median']:>10.2f}{rq['max']:>10.2f}"
            f"{cs['time_ms']['median']:>8.1f}{cs['time_ms']['cpu_median']:>8.1f}"
        )

    varied = [r for r in rows if r["variants"]]
    if varied:
        print(f"\nprinted differently from one run to another: {len(varied)} case(s)")
        for r in varied:
            print(f"  d/d{r['variable']} {r['expression']}:")
            for text in r["variants"]:
                print(f"      {text}")

    failures = [r for r in rows if not (r["verdict"] == "proved" and r["within"])]
    print(
        f"\nfailures (not proved, or ratio > {TARGET_RATIO}, or no reference): {len(failures)}"
    )
    for r in sorted(failures, key=lambda r: -(r["ratio"] or 0)):
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
        note = r["verdict"] + (f" ({r['reason']})" if r["verdict"] != "proved" else "")
        print(
            f"  [{r['category']}] d/d{r['variable']} {r['expression']}: ratio {ratio}, {note}"
        )
        print(f"      ours:  {r['printed']}")
        print(f"      SymPy: {r['sympy_simplified']}")
    return s


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two entries per category")
    parser.add_argument(
        "--json", metavar="PATH", help="write every case and the summary"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case")
    parser.add_argument(
        "--sympy-timeout",
        type=float,
        default=20.0,
        help="seconds for each SymPy call in the checks",
    )
    parser.add_argument(
        "--simplify-timeout",
        type=float,
        default=None,
        help="pass timeout= to sg.simplify (default: its own)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="SymPy worker processes")
    args = parser.parse_args(argv)

    cases = calculus_corpus.quick_cases() if args.quick else calculus_corpus.cases()
    show, label = printer(args.simplify_timeout)
    meta = {
        "symgraph": sg.__version__,
        "commit": symgraph_commit(),
        "printer": label,
        "sympy": sp.__version__,
        "python": platform.python_version(),
        "sympy_timeout": args.sympy_timeout,
        "repeat": args.repeat,
        "quick": args.quick,
    }
    print(f"{len(cases)} cases; printed form: {label}", flush=True)
    for entry in calculus_corpus.CORPUS:  # warm-up: the registry's cached partials
        sg.grad(sg.parse(entry.expression), [sg.symbols(v) for v in entry.variables])

    rows, tasks = [], []
    for k, (entry, variable) in enumerate(cases):
        text, times, variants, cpu = time_case(entry, variable, show, args.repeat)
        rows.append(
            {
                "course": entry.course,
                "category": entry.category,
                "expression": entry.expression,
                "variable": variable,
                "printed": text,
                "time_ms": 1e3 * statistics.median(times) if times else None,
                "first_run_ms": 1e3 * times[0] if times else None,
                "cpu_ms": 1e3 * statistics.median(cpu) if cpu else None,
                "variants": variants if len(variants) > 1 else None,
            }
        )
        if times:
            tasks.append(
                {
                    "row": k,
                    "expression": entry.expression,
                    "variable": variable,
                    "printed": text,
                    "interval": entry.interval,
                    "seed": k,
                    "timeout": args.sympy_timeout,
                }
            )
    print(f"  timed {len(rows)} cases", flush=True)

    checks = dict.fromkeys(range(len(rows)), ERROR)
    for task, check in zip(tasks, sympy_checks(tasks, args.jobs, args.sympy_timeout)):
        checks[task["row"]] = check
    for row, check in zip(rows, checks.values()):
        ours, ref = compact(row["printed"]), compact(check["sympy_simplified"])
        ratio = None if ref is None or check is ERROR else len(ours) / len(ref)
        simplify_time = check["sympy_simplify_time"]
        row.update(
            verdict=check["verdict"],
            route=check["route"],
            reason=check["reason"],
            sympy_diff=check["sympy_diff"],
            sympy_simplified=check["sympy_simplified"],
            sympy_simplify_ms=None if simplify_time is None else 1e3 * simplify_time,
            ratio=ratio,
            within=ratio is not None and ratio <= TARGET_RATIO,
        )
    summary = report(rows, meta)
    print("\nLongest relative to SymPy's simplified form:")
    longest = sorted(
        (r for r in rows if r["ratio"] is not None), key=lambda r: -r["ratio"]
    )
    for r in longest[:20]:
        print(f"  {r['ratio']:5.2f}  d/d{r['variable']} {r['expression']}")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"meta": meta, "summary": summary, "cases": rows}, indent=1)
        )
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
