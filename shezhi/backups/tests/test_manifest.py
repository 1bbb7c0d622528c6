"""The manifest and its checksums (pure)."""

from pathlib import Path

import pytest

from shezhi.backups import manifest
from shezhi.backups.manifest import DatabaseState, Manifest, ManifestError


def _backup(folder: Path) -> Manifest:
    (folder / "database.sqlite3").write_bytes(b"db")
    (folder / "media" / "a").mkdir(parents=True)
    (folder / "media" / "a" / "photo.jpg").write_bytes(b"jpeg")
    files = [manifest.entry_for(folder, p) for p in manifest.files_under(folder)]
    found = Manifest(
        created_at="2026-12-03T00:00:00+00:00",
        engine="sqlite",
        database_file="database.sqlite3",
        migrations={"core": "0001_initial"},
        state=DatabaseState(tables={"t": 2}, audit_digest="x", proofs=1),
        files=files,
    )
    manifest.write(folder, found)
    return found


def test_a_written_manifest_reads_back_and_verifies(tmp_path):
    written = _backup(tmp_path)
    assert manifest.read(tmp_path) == written
    assert manifest.problems(tmp_path, written) == []


def test_a_changed_byte_is_named(tmp_path):
    found = _backup(tmp_path)
    (tmp_path / "media" / "a" / "photo.jpg").write_bytes(b"jpeG")
    assert manifest.problems(tmp_path, found) == [
        "media/a/photo.jpg：SHA-256 校验值不符（文件已损坏或被改动）"
    ]


def test_missing_truncated_and_extra_files_are_named(tmp_path):
    found = _backup(tmp_path)
    (tmp_path / "media" / "a" / "photo.jpg").unlink()
    (tmp_path / "database.sqlite3").write_bytes(b"d")
    (tmp_path / "stray.txt").write_text("?")
    assert manifest.problems(tmp_path, found) == [
        "database.sqlite3：大小为 1 字节，应为 2 字节",
        "media/a/photo.jpg：文件缺失",
        "stray.txt：不在清单中",
    ]


def test_an_entry_pointing_outside_the_folder_is_refused(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    found = _backup(folder)
    (tmp_path / "secret").write_text("x")
    evil = manifest.FileEntry("../secret", 1, manifest.sha256_file(tmp_path / "secret"))
    bad = Manifest(**{**found.__dict__, "files": [*found.files, evil]})
    assert "../secret：指向备份目录之外" in manifest.problems(folder, bad)
    # inside the folder, but a restore would write it outside the uploads folder
    sneaky = manifest.FileEntry("media/../database.sqlite3", 2, found.files[0].sha256)
    bad = Manifest(**{**found.__dict__, "files": [*found.files, sneaky]})
    assert "media/../database.sqlite3：指向备份目录之外" in manifest.problems(folder, bad)


def test_a_missing_or_garbled_manifest_is_an_error(tmp_path):
    with pytest.raises(ManifestError, match="不是一份完整的备份"):
        manifest.read(tmp_path)
    (tmp_path / manifest.MANIFEST).write_text("{not json")
    with pytest.raises(ManifestError, match="无法读取"):
        manifest.read(tmp_path)
    (tmp_path / manifest.MANIFEST).write_text('{"format": "other"}')
    with pytest.raises(ManifestError, match="未知的备份格式"):
        manifest.read(tmp_path)


def test_state_differences_name_each_table_the_audit_log_and_proofs():
    before = DatabaseState(tables={"a": 1, "b": 2}, audit_digest="x", proofs=3)
    after = DatabaseState(tables={"a": 1, "b": 1, "c": 0}, audit_digest="y", proofs=2)
    assert before.differences(before) == []
    assert before.differences(after) == [
        "表 b：备份时 2 行，现在 1 行",
        "表 c：备份时 None 行，现在 0 行",
        "审计日志与备份时不一致（摘要不同）",
        "签名有效的证明：备份时 3 份，现在 2 份",
    ]
