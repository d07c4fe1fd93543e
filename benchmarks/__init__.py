"""Benchmarks: ``python -m benchmarks`` runs the suite (see benchmarks/suite.py)."""
