"""Time the loader on hostile inputs and the CLI's start-up, as ratios measured in one run.

Usage: python benchmarks/hostile_inputs.py [--repeats N]
Each hostile input must end in a clean LoadError; the script exits 1 if one does not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from thutuc.errors import LoadError
from thutuc.io import loads
from thutuc.testing.examples import tiny_catalogue

ROOT = Path(__file__).resolve().parent.parent
VALID = (ROOT / "procedures" / "essential" / "09-birth-registration.yaml").read_text(encoding="utf-8")


def alias_bomb(levels: int = 12) -> str:
    text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, levels):
        text += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
    return text


HOSTILE: dict[str, str | bytes] = {
    "garbage bytes (1 MiB)": bytes(range(256)) * 4096,
    "alias bomb (9^12 nodes if expanded)": alias_bomb(),
    "deep nesting (100,000 levels)": "[" * 100_000,
    "empty file": "",
    "file over the size limit (5 MB)": "a: " + "x" * 5_000_000,
}


def median_seconds(call: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def expect_load_error(source: str | bytes) -> Callable[[], None]:
    catalogue = tiny_catalogue()

    def call() -> None:
        try:
            loads(source, catalogue=catalogue)
        except LoadError:
            return
        raise SystemExit("a hostile input was accepted")

    return call


def startup(args: list[str], repeats: int) -> float:
    """Median start-up time, with bytecode written once first, as on a normal install."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(args, check=True, capture_output=True, env=environment)
    return median_seconds(lambda: subprocess.run(args, check=True, capture_output=True, env=environment), repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    baseline = median_seconds(lambda: yaml.load(VALID, Loader=yaml.CSafeLoader), repeats)
    print(f"baseline: yaml.load(CSafeLoader) of a 470-line procedure file: {baseline * 1000:.2f} ms\n")
    print("| hostile input | median time | ÷ baseline | outcome |")
    print("|---|---|---|---|")
    for name, source in HOSTILE.items():
        seconds = median_seconds(expect_load_error(source), repeats)
        print(f"| {name} | {seconds * 1000:.2f} ms | {seconds / baseline:.1f} | clean LoadError |")
    help_time = startup([sys.executable, "-m", "thutuc", "--help"], repeats)
    click_time = startup([sys.executable, "-c", "import click"], repeats)
    print(
        f"\n`thutuc --help`: {help_time * 1000:.0f} ms; `import click`: {click_time * 1000:.0f} ms; "
        f"ratio {help_time / click_time:.2f}"
    )


if __name__ == "__main__":
    main()
