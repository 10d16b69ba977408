"""Scripts that build the bundled model and its card (run as python -m models.build)."""
