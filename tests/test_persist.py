"""Model files hold data only: round trips, loud failures, and no code ever runs."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import stat
import zipfile

import numpy as np
import pytest

import dunning_guard as dg
from dunning_guard._format import read_manifest


@pytest.fixture
def saved(small_model, tmp_path):
    path = tmp_path / "model.dg"
    small_model.save(path)
    return path


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _write(path, members: dict[str, bytes], *, fix_manifest: bool) -> None:
    """Write a model file with `members`, optionally with a manifest forged to match."""
    if fix_manifest:
        manifest = json.loads(members["manifest.json"])
        for name, blob in members.items():
            if name in manifest["members"]:
                manifest["members"][name] = {
                    "bytes": len(blob),
                    "sha256": hashlib.sha256(blob).hexdigest(),
                }
        members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, blob in members.items():
            z.writestr(name, blob)


def test_save_and_load_round_trip_exactly(small_model, saved, corpus):
    loaded = dg.load(saved)
    texts = corpus["text"].iloc[::50].tolist()
    np.testing.assert_array_equal(
        loaded.predict_proba(texts), small_model.predict_proba(texts)
    )
    assert list(loaded.classes_) == list(small_model.classes_)
    assert loaded.relevance_threshold == small_model.relevance_threshold


def test_the_file_is_json_and_arrays_with_a_manifest(saved):
    members = _members(saved)
    assert sorted(members) == [
        "arrays.npz",
        "chars.txt",
        "manifest.json",
        "model.json",
        "words.txt",
    ]
    manifest = read_manifest(saved)
    assert manifest["format"] == "dunning-guard-model"
    assert manifest["dunning_guard_version"] == dg.__version__
    for name, entry in manifest["members"].items():
        assert entry["sha256"] == hashlib.sha256(members[name]).hexdigest()
    settings = json.loads(members["model.json"])
    assert settings["classes"] == [*dg.LABELS, "unrelated"]
    assert len(settings["segmenter"]["userdict_sha256"]) == 64


class _Boom:
    """Unpickling this writes a file: the proof that code ran."""

    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_a_malicious_pickle_payload_is_refused_without_running(saved, tmp_path):
    canary = tmp_path / "code-ran"
    members = _members(saved)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        coef=np.array([_Boom(str(canary))], dtype=object),
        intercept=np.zeros(5),
        word_idf=np.zeros(1),
        char_idf=np.zeros(1),
    )
    members["arrays.npz"] = buffer.getvalue()
    evil = tmp_path / "evil.dg"
    _write(evil, members, fix_manifest=True)  # a forged manifest that matches
    with pytest.raises(ValueError, match="not plain numeric data"):
        dg.load(evil)
    assert not canary.exists()


def test_a_raw_pickle_file_is_refused_without_running(tmp_path):
    canary = tmp_path / "code-ran"
    evil = tmp_path / "evil.dg"
    evil.write_bytes(pickle.dumps(_Boom(str(canary))))
    with pytest.raises(ValueError, match="not a zip archive"):
        dg.load(evil)
    assert not canary.exists()


def test_a_forged_manifest_does_not_pass_damaged_members(saved, tmp_path):
    members = _members(saved)
    members["model.json"] = members["model.json"].replace(b'"classes"', b'"klasses"')
    forged = tmp_path / "forged.dg"
    _write(forged, members, fix_manifest=True)
    with pytest.raises(ValueError, match="not a valid dunning_guard model file"):
        dg.load(forged)
    _write(forged, _members(saved) | {"words.txt": b"x"}, fix_manifest=False)
    with pytest.raises(ValueError, match="words.txt holds 1 bytes"):
        dg.load(forged)


def test_a_legacy_pickle_model_is_refused_with_what_to_do(tmp_path):
    old = tmp_path / "old.model"
    old.write_bytes(b"DUNNING-GUARD-MODEL\n{}\n" + pickle.dumps({"any": "thing"}))
    with pytest.raises(
        ValueError, match=r"a pickle: loading it would run code.*Retrain"
    ):
        dg.load(old)


def test_missing_file_and_directory_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file"):
        dg.load(tmp_path / "nothing.dg")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        dg.load(tmp_path)


def test_truncated_and_flipped_files_are_refused(saved):
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a valid dunning_guard model file"):
        dg.load(saved)
    flipped = bytearray(data)
    flipped[len(data) // 3] ^= 0xFF
    saved.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="not a valid dunning_guard model file"):
        dg.load(saved)


def test_a_numeric_field_stored_as_a_string_is_named(saved, tmp_path):
    members = _members(saved)
    manifest = json.loads(members["manifest.json"])
    entry = manifest["members"]["words.txt"]
    entry["bytes"] = str(entry["bytes"])
    members["manifest.json"] = json.dumps(manifest).encode()
    bad = tmp_path / "bad.dg"
    _write(bad, members, fix_manifest=False)
    with pytest.raises(ValueError, match=r"the manifest says '\d+'"):
        dg.load(bad)


def test_version_mismatch_warns(saved, tmp_path):
    members = _members(saved)
    manifest = json.loads(members["manifest.json"])
    manifest["dunning_guard_version"] = "0.0.1"
    members["manifest.json"] = json.dumps(manifest).encode()
    other = tmp_path / "other.dg"
    _write(other, members, fix_manifest=False)
    with pytest.warns(UserWarning, match="saved with dunning_guard 0.0.1"):
        dg.load(other)


def test_failed_save_leaves_the_old_file_intact(small_model, saved, monkeypatch):
    before = saved.read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        small_model.save(saved)
    assert saved.read_bytes() == before
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]


def test_save_keeps_mode_and_writes_through_a_symlink(small_model, saved, tmp_path):
    os.chmod(saved, 0o644)
    link = tmp_path / "current.dg"
    link.symlink_to(saved)
    small_model.save(link)
    assert link.is_symlink() and link.resolve() == saved.resolve()
    assert stat.S_IMODE(saved.stat().st_mode) == 0o644
    dg.load(link)


def test_saving_an_unfitted_model_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        dg.DunningClassifier().save("never.dg")


# A model file describes its own features.


@pytest.fixture(scope="module")
def flagged(corpus):
    """A small model that scores with red-flag features."""
    sample = corpus.groupby("label").head(60)
    return dg.DunningClassifier(red_flags=True, min_df=1).fit(
        sample["text"], sample["label"]
    )


FLAGGED_TEXTS = [
    "您已逾期，请加 薇 信 kf88 协商，2小时内处理",
    "请将欠款转入李明的个人账户，否则爆你通讯录",
    "【花呗】您本月账单1,205元将于明天到期",
]


def test_model_json_lists_the_feature_blocks_and_flag_ids_in_column_order(
    flagged, tmp_path
):
    path = tmp_path / "flagged.dg"
    flagged.save(path)
    settings = json.loads(_members(path)["model.json"])
    kinds = [b["kind"] for b in settings["features"]]
    assert kinds == ["word", "char", "flag"]
    assert settings["features"][2]["ids"] == [*dg.FLAGS, "any_mechanism"]
    assert settings["n_features"] == flagged.model_.scorer.n_features


def test_a_saved_model_scores_the_same_when_the_library_reorders_and_adds_flags(
    flagged, tmp_path, monkeypatch
):
    import dunning_guard._flags as flags_module

    path = tmp_path / "flagged.dg"
    flagged.save(path)
    before = flagged.predict_proba(FLAGGED_TEXTS)
    # A newer library: its flags in another order, and one more flag.
    extra = flags_module.Flag("new_flag", 2, "新", "new", "新", "new", (r"还款",))
    table = (*reversed(flags_module.FLAG_TABLE), extra)
    monkeypatch.setattr(flags_module, "FLAG_TABLE", table)
    monkeypatch.setattr(flags_module, "FLAGS", tuple(f.id for f in table))
    monkeypatch.setattr(flags_module, "FLAG_BY_ID", {f.id: f for f in table})
    monkeypatch.setattr(
        flags_module,
        "_COMPILED",
        {f.id: [__import__("re").compile(p) for p in f.patterns] for f in table},
    )
    flags_module.flag_matches.cache_clear()
    try:
        reloaded = dg.load(path)
        assert (
            "new_flag" in reloaded.classify("请按时还款").flag_ids
        )  # the new rule runs
        np.testing.assert_array_equal(reloaded.predict_proba(FLAGGED_TEXTS), before)
    finally:
        flags_module.flag_matches.cache_clear()


def _as_format_2(path, to):
    """Rewrite a format-3 file in the layout dunning_guard 0.2 wrote."""
    members = _members(path)
    settings = json.loads(members["model.json"])
    blocks = {b["kind"]: b for b in settings.pop("features")}
    settings["block_order"] = [k for k in ("word", "char") if k in blocks]
    settings["word_ngrams"] = blocks["word"]["ngram_range"]
    settings["char_ngrams"] = (
        blocks["char"]["ngram_range"] if "char" in blocks else None
    )
    settings["flag_weight"] = blocks["flag"]["weight"] if "flag" in blocks else None
    members["model.json"] = json.dumps(settings).encode()
    manifest = json.loads(members["manifest.json"])
    manifest["format_version"] = 2
    del manifest["requires"]
    members["manifest.json"] = json.dumps(manifest).encode()
    _write(to, members, fix_manifest=True)


def test_a_file_of_dunning_guard_0_2_loads_and_scores_the_same(flagged, tmp_path):
    from dunning_guard._features import FlagBlock, LinearScorer
    from dunning_guard._format import _FORMAT2_FLAGS

    # A model with the flag columns dunning_guard 0.2 had, in its order.
    scorer = flagged.model_.scorer
    words, chars, flags = scorer.blocks
    width = len(words.terms) + len(chars.terms)
    columns = list(range(width)) + [width + flags.ids.index(f) for f in _FORMAT2_FLAGS]
    legacy = dg.Model(
        LinearScorer(
            (words, chars, FlagBlock(_FORMAT2_FLAGS, flags.weight)),
            scorer.coef[:, columns],
            scorer.intercept,
        ),
        flagged.classes_,
        relevance_threshold=flagged.relevance_threshold,
    )
    path, old = tmp_path / "new.dg", tmp_path / "old.dg"
    legacy.save(path)
    _as_format_2(path, old)
    np.testing.assert_array_equal(
        dg.load(old).predict_proba(FLAGGED_TEXTS), legacy.predict_proba(FLAGGED_TEXTS)
    )


def test_a_newer_format_or_feature_kind_names_the_version_needed(saved, tmp_path):
    members = _members(saved)
    manifest = json.loads(members["manifest.json"])
    manifest |= {"format_version": 9, "requires": "0.9.0"}
    newer = tmp_path / "newer.dg"
    _write(
        newer,
        members | {"manifest.json": json.dumps(manifest).encode()},
        fix_manifest=False,
    )
    with pytest.raises(
        dg.ModelFileError, match=r"needs dunning_guard >= 0\.9\.0 \(model format 9\)"
    ):
        dg.load(newer)
    settings = json.loads(members["model.json"])
    settings["features"].append({"kind": "embedding", "size": 384})
    kind = tmp_path / "kind.dg"
    _write(
        kind, members | {"model.json": json.dumps(settings).encode()}, fix_manifest=True
    )
    with pytest.raises(
        dg.ModelFileError, match="feature kind 'embedding'.*pip install -U"
    ):
        dg.load(kind)


def test_loader_errors_are_one_line_model_file_errors(saved, tmp_path):
    bad = tmp_path / "bad.dg"
    bad.write_bytes(b"not a model")
    with pytest.raises(dg.ModelFileError) as error:
        dg.load(bad)
    assert isinstance(error.value, ValueError) and "\n" not in str(error.value)
