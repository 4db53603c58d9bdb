"""Time the diagrams of every shipped procedure, before and after, against plain YAML parsing.

Usage: python benchmarks/render_all.py [--repeats N]
Reports seconds and ratios measured in one run; no threshold is asserted (machines are noisy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import yaml

from thutuc.io import load_all
from thutuc.render import before_after_dot, diff_dot, render_dot, renderer
from thutuc.render.batch import plan, render_jobs
from thutuc.transform import simplify

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 28)


def best(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times) if repeats < 3 else statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    if renderer() is None:
        print("no Graphviz renderer: install pygraphviz", file=sys.stderr)
        return 1
    files = sorted((ROOT / "procedures").glob("*/*.yaml"))
    procedures = load_all(ROOT / "procedures")
    current = [p for p in procedures.procedures if p.status.value == "current"]
    catalogue = procedures.catalogue

    parse = best(
        lambda: [yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) for f in files], arguments.repeats
    )
    simplified = {p.id: simplify(p, catalogue=catalogue, as_of=AS_OF).procedure for p in current}
    build = best(
        lambda: [
            (before_after_dot(p, simplified[p.id], catalogue), diff_dot(p, simplified[p.id], catalogue))
            for p in current
        ],
        arguments.repeats,
    )
    sources = [before_after_dot(p, simplified[p.id], catalogue) for p in current]
    draw = best(lambda: [render_dot(source, "svg") for source in sources], arguments.repeats)

    def whole() -> None:
        jobs = plan(
            current, catalogue, Path("/tmp/thutuc-bench"), view="before-after", output_format="svg", as_of=AS_OF
        )
        render_jobs([replace(job, target=None) for job in jobs])

    batch = best(whole, arguments.repeats)
    print(f"{len(current)} services, {len(files)} YAML files")
    print(f"plain YAML parsing of every file:                 {parse:.3f} s")
    print(f"DOT of every before-after and diff view:          {build:.3f} s  ({build / parse:.1f}x parsing)")
    print(f"SVG of every before-after view ({renderer()}):     {draw:.3f} s  ({draw / parse:.1f}x parsing)")
    print(f"whole batch (simplify, DOT, SVG; in parallel):    {batch:.3f} s  ({batch / parse:.1f}x parsing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
