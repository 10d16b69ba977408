"""The bundled model is trained on the current corpus and ships inside the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest

from dunning_guard._data import data_hash

from .conftest import DATASETS, ROOT

METRICS = ROOT / "models" / "metrics.json"


def test_bundled_model_was_trained_on_the_current_datasets():
    recorded = json.loads(METRICS.read_text())["data_sha256"]
    current = data_hash([DATASETS / "messages.csv", DATASETS / "unrelated.csv"])
    assert recorded == current, (
        "datasets/ changed: run `python models/build.py` to retrain"
    )


def test_model_card_states_the_recorded_figures():
    card = (ROOT / "models" / "README.md").read_text(encoding="utf-8")
    info = json.loads(METRICS.read_text())
    assert info["data_sha256"] in card
    assert f"{info['metrics']['macro_f1']:.3f}" in card


@pytest.mark.skipif(os.environ.get("DG_SKIP_WHEEL") == "1", reason="DG_SKIP_WHEEL=1")
def test_wheel_installs_and_classifies_from_any_directory(tmp_path):
    """Build the wheel, install it into a fresh venv, classify from another directory.

    The venv sees this environment's dependencies through a .pth file, so the test
    needs no network; the package itself, its data and the model come from the wheel.
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
    assert "dunning_guard/models/dunning_guard.model" in names
    assert "dunning_guard/data/userdict.txt" in names
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
        "print(dg.classify('【花呗】您本月账单将于明天到期，请按时还款。').label)"
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
    assert out.stdout.strip() == "reminder"
