"""The manifest of a backup and its checksums (pure; no Django import).

A backup is a folder: the database (`database.dump`, pg_dump's custom format, or
`database.sqlite3`), the uploaded files under `media/`, and `manifest.json`, which lists every
other file with its size and SHA-256 and what the database held when it was dumped (rows per
table, a digest of the audit log, the number of proofs), so that a restore can prove it brought
back the same data.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "shezhi-backup-1"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class ManifestError(ValueError):
    """The backup folder cannot be trusted: unreadable manifest, missing or changed files."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the backup folder, with "/" separators
    size: int
    sha256: str


@dataclass(frozen=True)
class DatabaseState:
    """What the database held: compared after a restore (and by the drill)."""

    tables: dict[str, int]  # rows per table
    audit_digest: str  # SHA-256 over every audit event, in id order
    proofs: int  # proofs whose seal and file hash verified

    def differences(self, other: "DatabaseState") -> list[str]:
        """Plain lines naming what differs from `other` (empty when the same)."""
        lines = []
        for table in sorted(set(self.tables) | set(other.tables)):
            mine, theirs = self.tables.get(table), other.tables.get(table)
            if mine != theirs:
                lines.append(f"表 {table}：备份时 {mine} 行，现在 {theirs} 行")
        if self.audit_digest != other.audit_digest:
            lines.append("审计日志与备份时不一致（摘要不同）")
        if self.proofs != other.proofs:
            lines.append(f"签名有效的证明：备份时 {self.proofs} 份，现在 {other.proofs} 份")
        return lines


@dataclass(frozen=True)
class Manifest:
    created_at: str  # ISO 8601, UTC
    engine: str  # "postgresql" or "sqlite"
    database_file: str
    migrations: dict[str, str]  # app label → last applied migration
    state: DatabaseState
    files: list[FileEntry] = field(default_factory=list)
    media: str = "included"  # or "external" (object storage, backed up separately)
    format: str = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        try:
            data: dict[str, Any] = json.loads(text)
            if data.get("format") != FORMAT:
                raise ManifestError(f"manifest.json：未知的备份格式 {data.get('format')!r}")
            state = DatabaseState(**data.pop("state"))
            files = [FileEntry(**f) for f in data.pop("files")]
            return cls(state=state, files=files, **data)
        except (json.JSONDecodeError, TypeError, KeyError, AttributeError) as exc:
            raise ManifestError(f"manifest.json 无法读取：{exc}") from exc


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def entry_for(folder: Path, path: Path) -> FileEntry:
    return FileEntry(path.relative_to(folder).as_posix(), path.stat().st_size, sha256_file(path))


def files_under(folder: Path) -> Iterator[Path]:
    """Regular files under folder, in a stable order (symbolic links are not followed)."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def write(folder: Path, manifest: Manifest) -> Path:
    target = folder / MANIFEST
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    tmp.replace(target)  # a manifest is there only once the backup is complete
    return target


def read(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not path.is_file():
        raise ManifestError(f"缺少 {path}：这不是一份完整的备份")
    return Manifest.from_json(path.read_text(encoding="utf-8"))


def problems(folder: Path, manifest: Manifest) -> list[str]:
    """Every file of the manifest that is missing, outside the folder, or changed; and files
    in the folder the manifest does not list. Empty when the backup verifies."""
    found = []
    root = folder.resolve()
    for entry in manifest.files:
        path = (folder / entry.path).resolve()
        parts = Path(entry.path).parts
        if Path(entry.path).is_absolute() or ".." in parts or not path.is_relative_to(root):
            found.append(f"{entry.path}：指向备份目录之外")
        elif not path.is_file():
            found.append(f"{entry.path}：文件缺失")
        elif path.stat().st_size != entry.size:
            found.append(f"{entry.path}：大小为 {path.stat().st_size} 字节，应为 {entry.size} 字节")
        elif sha256_file(path) != entry.sha256:
            found.append(f"{entry.path}：SHA-256 校验值不符（文件已损坏或被改动）")
    listed = {e.path for e in manifest.files} | {MANIFEST}
    for path in files_under(folder):
        rel = path.relative_to(folder).as_posix()
        if rel not in listed:
            found.append(f"{rel}：不在清单中")
    if manifest.database_file not in {e.path for e in manifest.files}:
        found.append(f"{manifest.database_file}：清单未列出数据库文件")
    return found
