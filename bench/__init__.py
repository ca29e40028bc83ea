"""Benchmarks for openorder-sheets: ``python -m bench`` (see bench/README.md).

Not part of the test suite and not installed with the package; run from the repository root.
"""
