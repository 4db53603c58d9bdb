"""The team's own scenario properties: each takes a ScenarioRun and returns what it breaks.

Listed in pyproject.toml under [tool.thutuc] properties; the plugin checks them in every drawn scenario.
"""

from __future__ import annotations

from collections import Counter

from thutuc.scenarios import ScenarioRun


def chip_card_holders_never_visit(run: ScenarioRun) -> list[str]:
    """In every scenario, a citizen holding a chip ID card never visits an office."""
    if not run.scenario.electronic_id:
        return []
    return [f"a chip ID card holder must come in person at step '{step}'" for step in run.visits]


def no_fact_asked_twice(run: ScenarioRun) -> list[str]:
    """No scenario asks the applicant twice for the same fact."""
    asked = Counter((role, fact) for role, fact, _ in run.asked)
    return [
        f"{role}:{fact} is asked {count} times ({', '.join(w for r, f, w in run.asked if (r, f) == (role, fact))})"
        for (role, fact), count in sorted(asked.items())
        if count > 1
    ]
