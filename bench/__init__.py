"""Benchmark scripts that print figures: `python -m bench.webhook` (see README)."""
