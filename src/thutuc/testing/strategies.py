"""Hypothesis strategies for thutuc models, for your own property tests.

>>> from hypothesis import given
>>> from thutuc.testing.strategies import catalogue_and_procedure
>>> @given(catalogue_and_procedure(max_steps=8))
... def test_my_rule(pair):
...     catalogue, procedure = pair
...     assert procedure.steps
"""

from thutuc.testing._scenarios import scenarios
from thutuc.testing._strategies import catalogue_and_procedure, catalogues, procedures

__all__ = ["catalogue_and_procedure", "catalogues", "procedures", "scenarios"]
