"""Scoring imports neither scikit-learn, scipy.stats nor pandas (checked in a fresh
process), and the package's modules import only downwards."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from .conftest import ROOT

HEAVY = ("sklearn", "scipy", "pandas")


def _modules_after(code: str) -> list[str]:
    probe = code + "; import sys, json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.splitlines()[-1])


def test_classify_with_the_bundled_model_imports_no_heavy_library():
    loaded = _modules_after(
        "import dunning_guard as dg; m = dg.load(); m.classify('账单明天到期'); "
        "dg.classify('请加微信kf88'); m.predict_proba(['a', 'b']); m.explain('逾期了')"
    )
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []


def test_the_cli_classify_imports_no_heavy_library():
    loaded = _modules_after(
        "from dunning_guard.cli import main; import contextlib, io; "
        "f = io.StringIO(); ctx = contextlib.redirect_stdout(f); ctx.__enter__(); "
        "main(['classify', '账单明天到期']); ctx.__exit__(None, None, None)"
    )
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []


def test_pandas_is_imported_only_when_a_frame_is_asked_for():
    loaded = _modules_after(
        "import dunning_guard as dg; dg.load().classify_many(['a']).to_frame()"
    )
    assert "pandas" in loaded and "sklearn" not in loaded


# The stages, bottom up: a module may import only modules listed before it.
LAYERS = [
    "_version",
    "_vocab",
    "_cache",
    "_script",
    "_normalize",
    "_segment",
    "_flags",
    "_reading",
    "_features",
    "_decision",
    "_sender",
    "_explain",
    "_schema",
    "_html",
    "_results",
    "_files",
    "_format",
    "_model",
    "_persist",
    "_progress",
    "_pipeline",
    "_estimator",
    "_augment",
    "_data",
    "_evaluate",
    "_api",
    "text",
    "types",
    "cli",
    "spark",
    "serve",
    "__init__",
]


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.add((node.module or "").split(".")[0])
    return found


def test_package_imports_point_down_the_pipeline():
    package = ROOT / "src" / "dunning_guard"
    modules = {p.stem for p in package.glob("*.py")}
    assert modules <= set(LAYERS), modules - set(LAYERS)
    for path in package.glob("*.py"):
        below = set(LAYERS[: LAYERS.index(path.stem)])
        wrong = _imports(path) - below - {""}
        assert not wrong, f"{path.name} imports {wrong}, which are not below it"


def test_the_cli_starts_without_numpy():
    loaded = _modules_after(
        "import dunning_guard, dunning_guard.cli; dunning_guard.cli._parser()"
    )
    assert [m for m in loaded if m.split(".")[0] in (*HEAVY, "numpy")] == []
