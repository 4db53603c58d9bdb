"""Registers thutuc's strategies and profiles with hypothesis, so ``st.from_type(Procedure)`` works.

Loaded through the ``hypothesis`` entry point; it imports the models only when hypothesis calls it.
"""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    from hypothesis import strategies as st

    from thutuc.model import Catalogue, Procedure
    from thutuc.testing._profiles import register_profiles
    from thutuc.testing._strategies import catalogues, procedures

    st.register_type_strategy(Catalogue, catalogues())
    st.register_type_strategy(Procedure, procedures())
    register_profiles()
