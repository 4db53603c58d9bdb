"""The performance ratios of thutuc, measured in one run on one synthetic catalogue.

Usage: python benchmarks/pipeline.py [--procedures N] [--repeats K] [--small] [--write-docs]

Ratios (median of repeats; the CPU time of this process for work done in it alone, else the elapsed
time): (a) load + validate ÷ bare yaml.load with CSafeLoader; (b) analyze + simplify + diff ÷ load +
validate; (c) a warm re-validation ÷ a cold one; (d) analysis of a 10,000-step procedure ÷ a 1,000-step
one; (e) `thutuc --help` ÷ `python -c "import click"`; (f) our rendering overhead (building DOT) ÷
Graphviz's own layout. Also peak memory. --small runs a quick version (for CI: it only checks that the
bench still works). No threshold is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic

from thutuc.analysis import AnalysisOptions, analyze
from thutuc.diff import diff
from thutuc.io import ModelCache, ProcedureSet, load_paths, validate_paths
from thutuc.model import Catalogue, Procedure
from thutuc.render import procedure_dot, render_dot, renderer
from thutuc.transform import simplify

ROOT = Path(__file__).resolve().parent.parent
# Today, as a team runs it: diff has no as-of date and measures readiness as of today, and the stages share
# one analysis of a procedure only when they ask about the same date.
AS_OF = dt.date.today()
TARGETS = {"a": 1.3, "b": 1.0, "c": 0.1, "d": 12.0, "e": 1.3, "f": 1.2}


def median_time(function: Callable[[], object], repeats: int, clock: Callable[[], float] = time.perf_counter) -> float:
    # Objects made before the measurement (the corpus, earlier results) are frozen out of the garbage
    # collector, so that what is timed is the function and not the size of the bench's own heap.
    gc.collect()
    gc.freeze()
    times = []
    for _ in range(repeats):
        start = clock()
        function()
        times.append(clock() - start)
    return statistics.median(times)


def median_cpu_time(function: Callable[[], object], repeats: int) -> float:
    """The median CPU time of this process: for work done in it alone, where time other programs take on a
    shared machine would otherwise count."""
    return median_time(function, repeats, time.process_time)


def interleaved_cpu_times(
    make_small: Callable[[], Procedure],
    make_large: Callable[[], Procedure],
    work: Callable[[Procedure], object],
    repeats: int,
    *,
    paused: bool = False,
) -> tuple[float, float, list[float]]:
    """The median CPU times of ``work`` on a small and a large procedure, timed in turns so that both meet the
    same moments of a shared machine, and the ratio of each pair. Each run gets a new copy: the analyzers
    remember their answers for the objects they were asked about, and a repeat on the same object would time the
    memo. With ``paused``, the garbage collector is paused during the work."""
    small: list[float] = []
    large: list[float] = []
    for _ in range(repeats):
        for make, times in ((make_small, small), (make_large, large)):
            subject = make()
            gc.collect()
            gc.freeze()  # the copy, like the corpus, is input, not what is timed
            if paused:
                gc.disable()
            start = time.process_time()
            work(subject)
            times.append(time.process_time() - start)
            gc.enable()
            del subject
    return statistics.median(small), statistics.median(large), [b / a for a, b in zip(small, large, strict=True)]


def machine() -> str:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) // 1024 // 1024} GiB memory"
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--small", action="store_true", help="a quick run: 60 procedures, one repeat, 100/1,000 steps")
    parser.add_argument(
        "--national", type=int, default=10_000, help="procedures for the whole run, cold and warm (default 10,000)"
    )
    parser.add_argument("--write-docs", action="store_true", help="write docs/performance.md")
    arguments = parser.parse_args()
    count = 60 if arguments.small else arguments.procedures
    repeats = 1 if arguments.small else arguments.repeats
    small_steps, large_steps = (100, 1000) if arguments.small else (1000, 10000)
    national = 60 if arguments.small else arguments.national

    folder = Path(tempfile.mkdtemp(prefix="thutuc-bench-"))
    try:
        files = synthetic.write_tree(folder, count)
        catalogue_folder = folder / "catalogue"
        contents = [f.read_bytes() for f in files]
        rows: dict[str, tuple[str, float, float, str]] = {}

        def bare_yaml() -> list[object]:
            return [yaml.load(c, Loader=yaml.CSafeLoader) for c in contents]

        bare = median_cpu_time(bare_yaml, repeats)
        gc.disable()
        try:
            bare_paused = median_cpu_time(bare_yaml, repeats)
        finally:
            gc.enable()
        load = median_cpu_time(
            lambda: validate_paths([folder / "procedures"], catalogue_folder=catalogue_folder), repeats
        )
        rows["a"] = ("load + validate ÷ bare yaml.load (CSafeLoader)", load, bare, f"{count} procedures")

        def pipeline(procedure_set: ProcedureSet) -> None:
            catalogue = procedure_set.catalogue
            for procedure in procedure_set.procedures:
                analyze(procedure, catalogue, options=AnalysisOptions(as_of=AS_OF))
                simplified = simplify(procedure, catalogue=catalogue, as_of=AS_OF).procedure
                diff(procedure, simplified, catalogue=catalogue)

        # A new load for each repeat, so that no repeat finds what the analyzers remember of an earlier one.
        def loaded() -> ProcedureSet:
            return load_paths([folder / "procedures"], catalogue_folder=catalogue_folder)

        work = statistics.median(median_cpu_time(partial(pipeline, loaded()), 1) for _ in range(repeats))
        rows["b"] = ("analyze + simplify + diff ÷ load + validate", work, load, f"{count} procedures")

        def cold() -> None:
            shutil.rmtree(folder / "cache", ignore_errors=True)
            validate_paths(
                [folder / "procedures"],
                catalogue_folder=catalogue_folder,
                cache=ModelCache(folder / "cache"),
                models=False,
            )

        cold_time = median_time(cold, repeats)

        def cold_verdicts(workers: int) -> Callable[[], object]:
            return lambda: validate_paths(
                [folder / "procedures"], catalogue_folder=catalogue_folder, models=False, workers=workers
            )

        serial_verdicts = median_time(cold_verdicts(1), repeats)
        parallel_verdicts = median_time(cold_verdicts(os.cpu_count() or 1), repeats)
        cold()
        warm_time = median_time(
            lambda: validate_paths(
                [folder / "procedures"],
                catalogue_folder=catalogue_folder,
                cache=ModelCache(folder / "cache"),
                models=False,
            ),
            repeats,
        )
        rows["c"] = ("warm re-validation ÷ cold (content-hash cache)", warm_time, cold_time, "unchanged files")
        warm_models = median_time(
            lambda: validate_paths(
                [folder / "procedures"], catalogue_folder=catalogue_folder, cache=ModelCache(folder / "cache")
            ),
            repeats,
        )

        big_catalogue = Catalogue.model_validate({k: v for k, v in synthetic.catalogue_data().items() if k != "kind"})
        small_data = synthetic.procedure_data(7, steps=small_steps, documents=small_steps // 20)
        large_data = synthetic.procedure_data(7, steps=large_steps, documents=large_steps // 20)

        # (d) changes by a tenth between runs on a shared machine, more than the size of the effects it should show:
        # the two sizes take turns, more repeats than the rest, and the spread of the paired ratios is reported.
        scaling_repeats = max(5, repeats)

        def scaling(work: Callable[[Procedure], object], paused: bool = False) -> tuple[float, float, list[float]]:
            return interleaved_cpu_times(
                lambda: Procedure.model_validate(small_data),
                lambda: Procedure.model_validate(large_data),
                work,
                scaling_repeats,
                paused=paused,
            )

        small_time, large_time, scaling_ratios = scaling(lambda p: analyze(p, big_catalogue))
        rows["d"] = (
            f"analysis of a {large_steps:,}-step ÷ a {small_steps:,}-step procedure",
            large_time,
            small_time,
            f"10x the steps; medians of {scaling_repeats} runs each, taking turns",
        )
        # Simplifying applies the findings pass after pass until none is left, and a larger procedure needs more passes.
        small_simplify, large_simplify, _ = scaling(lambda p: simplify(p, catalogue=big_catalogue, as_of=AS_OF))
        # The same with the garbage collector paused: what the algorithms cost, apart from the collector's
        # passes over the many objects a large analysis creates.
        small_paused, large_paused, _ = scaling(lambda p: analyze(p, big_catalogue), paused=True)
        # A control, linear by construction: one pass reading a few fields of every step. What it grows by beyond
        # 10x is the memory hierarchy (a larger procedure no longer fits the processor's caches), not an algorithm.
        small_scan, large_scan, _ = scaling(
            lambda p: [(s.id, s.kind, s.actor, len(s.next), s.duration) for s in p.steps], paused=True
        )

        executable = Path(sys.executable).parent / "thutuc"
        # As on a normal install, with bytecode written once: the first run compiles, the timed ones reuse it.
        environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

        def start(command: list[str]) -> Callable[[], object]:
            return lambda: subprocess.run(command, capture_output=True, check=True, env=environment)

        start([str(executable), "--help"])()
        help_time = median_time(start([str(executable), "--help"]), max(5, repeats))
        click_time = median_time(start([sys.executable, "-c", "import click"]), max(5, repeats))
        rows["e"] = ("`thutuc --help` ÷ `python -c 'import click'`", help_time, click_time, "process start-up")

        # The whole pipeline as a team runs it, on a catalogue of national size: validate, then analyze into a
        # report, each a process, cold (empty cache) and then warm (nothing changed).
        national_folder = folder / "national"
        synthetic.write_tree(national_folder, national)

        def whole_run() -> float:
            run = {"cwd": national_folder, "capture_output": True, "check": True}
            run_environment = {**environment, "THUTUC_CACHE_DIR": str(national_folder / "cache")}
            begin = time.perf_counter()
            for command in (
                ["validate", "procedures", "--catalogue", "catalogue"],
                ["analyze", "procedures", "--catalogue", "catalogue", "--format", "md", "-o", "report.md"],
            ):
                subprocess.run([str(executable), *command], **run, env=run_environment)
            return time.perf_counter() - begin

        whole_cold = whole_run()
        whole_warm = statistics.median(whole_run() for _ in range(max(3, repeats)))

        def after_an_edit(number: int) -> float:
            # A new comment changes the file's bytes, so both runs read it again, and nothing else.
            edited = sorted((national_folder / "procedures").rglob("*.yaml"))[number]
            edited.write_text(edited.read_text(encoding="utf-8") + f"# edit {number}\n", encoding="utf-8")
            return whole_run()

        whole_edited = statistics.median(after_an_edit(number) for number in range(max(3, repeats)))

        shipped = load_paths([ROOT / "procedures"])
        current = [p for p in shipped.procedures if p.status.value == "current"]
        # pygraphviz lays out in this process; the `dot` program would spend its time in a child process.
        clock = time.process_time if renderer() == "pygraphviz" else time.perf_counter
        build = median_time(lambda: [procedure_dot(p, shipped.catalogue) for p in current], repeats, clock)
        sources = [procedure_dot(p, shipped.catalogue) for p in current]
        if renderer() is not None:
            layout = median_time(lambda: [render_dot(s, "svg") for s in sources], repeats, clock)
            rows["f"] = (
                "building the DOT ÷ Graphviz layout and SVG",
                build,
                layout,
                f"{len(current)} services, {renderer()}",
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # The largest of the processes the bench started: the whole runs' commands and their workers.
        peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    lines = [
        "| Ratio | What | Measured | Target | Met | Times (s) |",
        "|---|---|---|---|---|---|",
    ]
    for key, (what, numerator, denominator, note) in rows.items():
        ratio = numerator / denominator
        met = "yes" if ratio <= TARGETS[key] else "no"
        times = f"{numerator:.3f} / {denominator:.3f}"
        lines.append(f"| ({key}) | {what} ({note}) | {ratio:.2f} | ≤ {TARGETS[key]:g} | {met} | {times} |")
    extra = [
        f"- (a) against a bare yaml.load with the garbage collector paused too, as thutuc pauses it for a "
        f"whole load: {load / bare_paused:.2f} ({load:.3f} s / {bare_paused:.3f} s).",
        f"- (d) run by run: the ratio of each pair ranged from {min(scaling_ratios):.2f} to {max(scaling_ratios):.2f}; "
        f"with the garbage collector paused: {large_paused / small_paused:.2f} "
        f"({large_paused:.3f} s / {small_paused:.3f} s). Control, linear by construction (one pass reading five "
        f"fields of every step): {large_scan / small_scan:.2f} "
        f"({large_scan * 1000:.2f} ms / {small_scan * 1000:.2f} ms).",
        f"- Simplify of the {large_steps:,}-step ÷ the {small_steps:,}-step procedure (not a target): "
        f"{large_simplify / small_simplify:.2f} ({large_simplify:.3f} s / {small_simplify:.3f} s).",
        f"- Validation (verdicts only, no cache) in {os.cpu_count()} processes ÷ in one: "
        f"{parallel_verdicts / serial_verdicts:.2f} ({parallel_verdicts:.3f} s / {serial_verdicts:.3f} s).",
        f"- Warm re-load with the models (for analysis) ÷ cold validation: {warm_models / cold_time:.2f} "
        f"({warm_models:.3f} s / {cold_time:.3f} s).",
        f"- Throughput: load + validate {count / load:.0f} procedures/s; analyze + simplify + diff "
        f"{count / work:.0f} procedures/s.",
        f"- The whole run as a team runs it, `thutuc validate` then `thutuc analyze --format md -o report.md` on "
        f"{national:,} procedures, measured: {whole_cold:.1f} s cold (target: under 60 s for 10,000), "
        f"{whole_warm:.2f} s warm (target: under 5 s), {whole_edited:.2f} s after editing one file (no target).",
        f"- Load + validate + analyze + simplify + diff of 10,000 procedures in one process, extrapolated from the "
        f"throughput above: {10_000 * (load + work) / count:.0f} s.",
        f"- Peak memory (resident): {peak:.0f} MiB in the bench's process; {peak_child:.0f} MiB in the largest "
        f"process it started (the whole runs' `thutuc validate` and `thutuc analyze`, and their workers).",
        f"- Machine: {machine()}.",
    ]
    report = "\n".join(lines) + "\n\n" + "\n".join(extra) + "\n"
    print(report)
    if arguments.write_docs:
        write_docs(report, count, repeats)
    return 0


def write_docs(table: str, count: int, repeats: int) -> None:
    page = ROOT / "docs" / "performance.md"
    text = page.read_text(encoding="utf-8")
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    body = (
        f"Measured by `python benchmarks/pipeline.py --procedures {count} --repeats {repeats} --write-docs` "
        f"on {dt.date.today()}.\n\n{table}"
    )
    page.write_text(f"{head}{start}\n{body}{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
