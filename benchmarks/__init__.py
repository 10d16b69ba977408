"""Benchmarks and the baselines the model is measured against (python -m benchmarks.bench)."""
