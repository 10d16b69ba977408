"""Model files: round trips, atomic saves, and loud failures on damaged files."""

from __future__ import annotations

import json
import os

import pytest

import dunning_guard as dg
from dunning_guard._persist import MAGIC, read_manifest


@pytest.fixture
def saved(small_model, tmp_path):
    path = tmp_path / "model.dg"
    small_model.save(path)
    return path


def test_save_and_load_round_trip_the_full_pipeline(small_model, saved, messages):
    loaded = dg.load(saved)
    texts = messages["text"].iloc[:50].tolist()
    assert (loaded.predict_proba(texts) == small_model.predict_proba(texts)).all()
    assert list(loaded.classes_) == list(small_model.classes_)


def test_manifest_records_versions_labels_and_checksum(saved):
    manifest = read_manifest(saved)
    assert manifest["labels"] == sorted(dg.LABELS)
    assert manifest["dunning_guard_version"] == dg.__version__
    assert len(manifest["payload_sha256"]) == 64
    assert (
        manifest["payload_bytes"]
        == os.path.getsize(saved)
        - len(MAGIC)
        - len(json.dumps(manifest, sort_keys=True).encode())
        - 1
    )


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file"):
        dg.load(tmp_path / "nothing.dg")


def test_truncated_file_is_refused(saved):
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) - 100])
    with pytest.raises(ValueError, match="truncated"):
        dg.load(saved)


def test_flipped_byte_is_refused_before_unpickling(saved):
    data = bytearray(saved.read_bytes())
    data[-50] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="checksum"):
        dg.load(saved)


def test_swapped_payload_is_refused(small_model, saved, tmp_path):
    other = tmp_path / "other.dg"
    dg.DunningClassifier(min_df=1).fit(
        ["账单明天到期", "已逾期三天"] * 3, ["reminder", "overdue"] * 3
    ).save(other)
    head = saved.read_bytes().split(b"\n", 2)
    payload = other.read_bytes().split(b"\n", 2)[2]
    saved.write_bytes(head[0] + b"\n" + head[1] + b"\n" + payload)
    with pytest.raises(ValueError, match="truncated|checksum"):
        dg.load(saved)


def test_not_a_model_file_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(ValueError, match="Expected a dunning_guard model file"):
        dg.load(path)


def test_version_mismatch_warns(saved):
    data = saved.read_bytes()
    magic, line, payload = data.split(b"\n", 2)
    manifest = json.loads(line)
    manifest["sklearn_version"] = "0.0.1"
    saved.write_bytes(magic + b"\n" + json.dumps(manifest).encode() + b"\n" + payload)
    with pytest.warns(UserWarning, match="saved with sklearn 0.0.1"):
        dg.load(saved)


def test_failed_save_leaves_the_old_file_intact(small_model, saved, monkeypatch):
    before = saved.read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        small_model.save(saved)
    assert saved.read_bytes() == before
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]


def test_saving_an_unfitted_model_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        dg.DunningClassifier().save("never.dg")
