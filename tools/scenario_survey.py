"""How often the template's own scenario properties fail on the shipped services (docs/testing.md, section 3).

Draws a fixed number of random scenarios per service with a fixed seed, walks each and runs the two
example properties of examples/reform-repo/reform_properties.py; prints the services where each fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
from pathlib import Path

from thutuc.io import load_all
from thutuc.scenarios import Scenario, scenario_space, walk

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=200, help="scenarios a service")
    parser.add_argument("--seed", type=int, default=2)
    arguments = parser.parse_args()
    template = ROOT / "examples" / "reform-repo" / "reform_properties.py"
    spec = importlib.util.spec_from_file_location("reform_properties", template)
    assert spec is not None
    assert spec.loader is not None
    properties = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(properties)
    checks = {"chip_card_holders_never_visit": properties.chip_card_holders_never_visit}
    checks["no_fact_asked_twice"] = properties.no_fact_asked_twice
    shipped = load_all(ROOT / "procedures" / "essential")
    draw = random.Random(arguments.seed)
    failing: dict[str, list[str]] = {name: [] for name in checks}
    for procedure in sorted(shipped.procedures, key=lambda p: p.service_number or 0):
        space = scenario_space(procedure, shipped.catalogue)
        hits = dict.fromkeys(checks, 0)
        for _ in range(arguments.scenarios):
            scenario = Scenario(
                draw.choice(space.dates),
                {step: draw.choice(targets) for step, targets in space.branches.items()},
                frozenset(d for d in space.conditional_documents if draw.random() < 0.5),
                frozenset(h for h in space.partial_holdings if draw.random() < 0.5),
                frozenset(),
                draw.random() < 0.5,
            )
            run = walk(procedure, shipped.catalogue, scenario)
            for name, check in checks.items():
                hits[name] += bool(check(run))
        for name, count in hits.items():
            if count:
                failing[name].append(f"{procedure.service_number:02d} {procedure.id} ({count})")
    for name, services in failing.items():
        print(f"{name}: fails in {len(services)} of {len(shipped.procedures)} services")
        for line in services:
            print(f"  {line}")


if __name__ == "__main__":
    main()
