"""Testing helpers for thutuc users: hypothesis strategies and small example models.

Import ``thutuc.testing.strategies`` for the strategies; this package imports nothing heavy.
"""
