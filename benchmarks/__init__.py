"""Benchmarks: run with `uv run python -m benchmarks` (see docs/benchmarks.md)."""
