"""Shared fixtures: the corpus, a small model trained on a slice of it."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

import dunning_guard as dg

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT / "datasets"


@pytest.fixture(scope="session")
def messages() -> pd.DataFrame:
    return pd.read_csv(DATASETS / "messages.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def unrelated() -> pd.DataFrame:
    return pd.read_csv(DATASETS / "unrelated.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def templates() -> pd.DataFrame:
    return pd.read_csv(DATASETS / "templates.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def formats() -> pd.DataFrame:
    return pd.read_csv(DATASETS / "formats.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def registers() -> pd.DataFrame:
    return pd.read_csv(DATASETS / "registers.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def twins() -> pd.DataFrame:
    return pd.read_csv(DATASETS / "twins.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def corpus(messages, unrelated, templates, formats, registers, twins) -> pd.DataFrame:
    frames = [messages, unrelated, templates, formats, registers, twins]
    return pd.concat(frames, ignore_index=True).fillna({"twin_of": ""})


@pytest.fixture(scope="session")
def small_model(corpus: pd.DataFrame) -> dg.DunningClassifier:
    """A model trained on every other base message (five outcomes): quick, and far
    better than chance."""
    return dg.train(corpus.iloc[::2], C=10.0)


@pytest.fixture(scope="session")
def bundled() -> dg.Model:
    return dg.load()


# Hypothesis: a bounded, deterministic profile for CI; more examples locally on demand.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("fuzz", max_examples=5000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)
