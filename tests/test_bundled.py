"""The bundled model is trained on the current corpus, its card and the README
state the recorded figures, and it ships inside the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from models.card import card, headline

import dunning_guard as dg
from dunning_guard._data import CORPUS_FILES

from .conftest import ROOT

METRICS = ROOT / "models" / "metrics.json"


def test_bundled_model_was_trained_on_the_current_datasets():
    recorded = json.loads(METRICS.read_text())["data_sha256"]
    current = dg.corpus().attrs["sha256"]
    assert recorded == current, "datasets/ changed: run `make model` to retrain"
    assert dg.load().metadata["data_sha256"] == current


def test_model_card_and_readme_are_written_from_the_metrics():
    info = json.loads(METRICS.read_text())
    assert (ROOT / "models" / "README.md").read_text(encoding="utf-8") == card(info)
    assert headline(info) in (ROOT / "README.md").read_text(encoding="utf-8")


def test_bundled_model_uses_the_recorded_parameters():
    info = json.loads(METRICS.read_text())
    model = dg.load()
    assert model.relevance_threshold == info["params"]["relevance_threshold"]
    assert model.metadata["params"]["C"] == info["params"]["C"]


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("DG_SKIP_WHEEL") == "1", reason="DG_SKIP_WHEEL=1")
def test_wheel_installs_and_classifies_from_any_directory(tmp_path):
    """Build the wheel, install it into a fresh venv, classify from another directory.

    The venv sees this environment's dependencies through a .pth file, so the test
    needs no network; the package itself, its data, corpus and model come from the
    wheel.
    """
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "dunning_guard/models/dunning_guard.dg" in names
    assert "dunning_guard/data/userdict.txt" in names
    assert {f"dunning_guard/corpus/{n}" for n in CORPUS_FILES} <= set(names)
    assert not [n for n in names if n.endswith(("build.py", "baselines.py"))]
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True
    )
    py = venv / "bin" / "python"
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    deps = [p for p in sys.path if p.endswith("site-packages")]
    with open(os.path.join(site, "deps.pth"), "w") as f:
        f.write("\n".join(deps) + "\n")
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import dunning_guard as dg; "
        "assert 'site-packages' in dg.__file__ and 'src' not in dg.__file__, dg.__file__; "
        "print(dg.classify('【花呗】您本月账单将于明天到期，请按时还款。').label, len(dg.corpus()))"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [str(py), "-c", code],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    label, rows = out.stdout.split()
    assert label == "reminder" and int(rows) == len(dg.corpus())


def test_normalization_and_segmentation_are_what_the_model_was_trained_with():
    from models.build import text_fingerprints

    recorded = json.loads(METRICS.read_text())["fingerprints"]
    current = text_fingerprints(dg.corpus(augmented=True)["text"].tolist())
    assert current == {k: v for k, v in recorded.items() if k != "predictions"}, (
        "normalization or segmentation changed: run `make model`"
    )


def test_every_prediction_on_the_corpus_is_the_recorded_one(bundled):
    from models.build import prediction_fingerprint

    recorded = json.loads(METRICS.read_text())["fingerprints"]["predictions"]
    current = prediction_fingerprint(
        bundled, dg.corpus(augmented=True)["text"].tolist()
    )
    assert current["labels_sha256"] == recorded["labels_sha256"]
    np.testing.assert_allclose(
        current["projections"], recorded["projections"], rtol=0, atol=1e-9
    )
