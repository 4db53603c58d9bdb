"""Implementation of the ``scenarios`` strategy re-exported by ``thutuc.testing.strategies``.

It draws from the choices ``thutuc.scenarios.scenario_space`` lists, so every drawn scenario is one
the procedure can meet.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from thutuc.model import Catalogue, Procedure
from thutuc.scenarios import Scenario, scenario_space

__all__ = ["scenarios"]


def scenarios(
    procedure: Procedure,
    catalogue: Catalogue,
    *,
    outages: bool = False,
    today: dt.date | None = None,
) -> st.SearchStrategy[Scenario]:
    """Scenarios of ``procedure``: branches taken, conditions holding, lookups failing, as-of date, applicant.

    The lookups that fail are those the catalogue says can: a fact held for only part of the
    population (``coverage: partial``) that this applicant's record lacks, and a data source not yet
    connected on the as-of date. With ``outages=True``, whole data sources the procedure queries may
    also be down. As-of dates are the connection dates within the version's validity (see
    ``thutuc.scenarios.scenario_space``; ``today`` stands for an unknown ``valid_from``). Shrinking
    goes towards the first branch of each choice, no conditional document, no failed lookup and the
    earliest date.

    Bad arguments raise ``TypeError`` at once, not while drawing.

    Examples
    --------
    >>> from hypothesis import given
    >>> from thutuc.scenarios import walk
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> procedure, catalogue = tiny_procedure(), tiny_catalogue()
    >>> @given(scenarios(procedure, catalogue))
    ... def test_every_scenario_ends(scenario):
    ...     assert walk(procedure, catalogue, scenario).dead_end is None
    >>> test_every_scenario_ends()
    """
    if not isinstance(procedure, Procedure):
        raise TypeError(f"procedure: expected a thutuc Procedure, got {type(procedure).__name__}")
    if not isinstance(catalogue, Catalogue):
        raise TypeError(f"catalogue: expected a thutuc Catalogue, got {type(catalogue).__name__}")
    space = scenario_space(procedure, catalogue, today=today)
    branch_choices = st.fixed_dictionaries({step: st.sampled_from(targets) for step, targets in space.branches.items()})

    def subsets(items: tuple) -> st.SearchStrategy[frozenset]:
        if not items:
            return st.just(frozenset())
        return st.lists(st.sampled_from(items), unique=True).map(frozenset)

    return st.builds(
        Scenario,
        as_of=st.sampled_from(space.dates),
        branches=branch_choices,
        documents=subsets(space.conditional_documents),
        missing_data=subsets(space.partial_holdings),
        failed_sources=subsets(space.sources) if outages else st.just(frozenset()),
        electronic_id=st.booleans(),
    )
