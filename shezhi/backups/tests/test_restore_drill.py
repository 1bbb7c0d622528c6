"""The restore drill in the suite: back up, destroy, restore, and prove the data came back — on
the database the suite runs on (SQLite's backup API, or pg_dump/pg_restore on PostgreSQL)."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from shezhi.backups import manifest
from shezhi.backups.services import (
    BackupError,
    backup_create,
    backup_restore,
    backup_verify,
)
from shezhi.backups.state import RESTORE_EVENT, database_state, proof_failures
from shezhi.core.models import AuditEvent
from shezhi.org.models import OrgUnit
from shezhi.org.tests.factories import Level, OrgUnitFactory
from shezhi.proofs import services as proofs
from shezhi.proofs.models import Proof
from shezhi.proofs.selectors import proof_check
from shezhi.proofs.tests.factories import service

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHOTO = b"\xff\xd8\xff\xe0 a summary photo"


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = settings.MEDIA_ROOT / "activities" / "summaries" / "p1.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(PHOTO)
    return photo


@pytest.fixture
def proof(world) -> Proof:
    service(world.bob_volunteer, world.alice, day=date(2026, 1, 5), hours="2.0")
    return proofs.proof_issue(
        actor=world.bob, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31)
    )


@pytest.fixture
def backup(proof, media, tmp_path: Path) -> Path:
    return backup_create(into=tmp_path / "backups")


def _destroy(photo: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    photo.unlink()


def _rewrite_manifest(folder: Path, **changes) -> None:
    path = folder / manifest.MANIFEST
    data = json.loads(path.read_text())
    for key, value in changes.items():
        if key == "tables":
            data["state"]["tables"].update(value)
        else:
            data[key] = value
    path.write_text(json.dumps(data))


@TRANSACTIONAL
def test_a_destroyed_database_comes_back_whole(backup, proof, media, world):
    found = backup_verify(folder=backup)  # the manifest lists every file with its checksum
    assert {e.path for e in found.files} == {
        found.database_file,
        "media/activities/summaries/p1.jpg",
    }
    assert found.state.tables["proofs_proof"] == 1
    assert found.migrations["proofs"].startswith("00")
    assert oct(backup.stat().st_mode)[-3:] == "700"  # residents' data: the owner only
    before = database_state()
    assert before.proofs == 1 and before.tables["core_auditevent"] > 0
    _destroy(media)
    assert not OrgUnit.objects.exists() and not media.exists()

    result = backup_restore(folder=backup)

    # Restored as backed up; the one thing added is the restore's own audit event.
    assert database_state(without_restores=True) == before == result.state
    assert database_state().tables["core_auditevent"] == before.tables["core_auditevent"] + 1
    assert result.media_files == 1 and media.read_bytes() == PHOTO
    check = proof_check(proof_no=proof.proof_no, signature=proof.signature)
    assert check.proof.total_hours == proof.total_hours
    assert AuditEvent.objects.filter(object_type="proofs.proof", object_id=str(proof.pk)).exists()


@TRANSACTIONAL
def test_a_restore_is_audited_who_when_which_backup(backup, media, world, capsys):
    _destroy(media)
    started = timezone.now()
    call_command("restore", "--by", world.admin.username, str(backup))
    assert "已记入审计日志" in capsys.readouterr().out
    event = AuditEvent.objects.get(object_type=RESTORE_EVENT)
    assert AuditEvent.objects.order_by("-id").first() == event  # after everything restored
    assert event.actor == world.admin and world.admin.username in event.actor_identity
    assert event.at >= started and event.object_id == backup.name
    assert backup.name in event.summary
    found = backup_verify(folder=backup)
    assert event.changes["backup_created_at"] == found.created_at
    assert event.changes["database_sha256"] == found.files[0].sha256
    assert event.changes["checked"] is True and event.changes["force"] is False
    assert "@" in event.changes["server_account"]


@TRANSACTIONAL
def test_a_restore_by_no_named_account_is_audited_with_the_server_account(backup, media):
    _destroy(media)
    backup_restore(folder=backup)
    event = AuditEvent.objects.get(object_type=RESTORE_EVENT)
    assert event.actor is None and event.actor_identity.startswith("shezhi restore · ")


@TRANSACTIONAL
def test_a_database_with_data_is_refused_unless_forced(backup):
    OrgUnitFactory(level=Level.DISTRICT, name="备份之后新建的区")
    with pytest.raises(BackupError, match="目标数据库已有数据.*--force"):
        backup_restore(folder=backup)
    assert OrgUnit.objects.filter(name="备份之后新建的区").exists()  # untouched
    assert not AuditEvent.objects.filter(object_type=RESTORE_EVENT).exists()  # nothing done

    backup_restore(folder=backup, force=True)
    assert not OrgUnit.objects.filter(name="备份之后新建的区").exists()


@TRANSACTIONAL
def test_a_changed_file_fails_loudly_before_anything_is_restored(backup):
    (backup / "media" / "activities" / "summaries" / "p1.jpg").write_bytes(PHOTO[:-1] + b"!")
    OrgUnitFactory(level=Level.DISTRICT, name="恢复前的数据")
    with pytest.raises(BackupError, match=r"备份校验失败[\s\S]*p1.jpg：SHA-256 校验值不符"):
        backup_restore(folder=backup, force=True)
    assert OrgUnit.objects.filter(name="恢复前的数据").exists()


def _fake_backup(folder: Path, engine: str) -> Path:
    """A folder whose files verify, without a database behind it."""
    folder.mkdir()
    (folder / "database.dump").write_bytes(b"dump")
    manifest.write(
        folder,
        manifest.Manifest(
            created_at="2026-12-03T02:00:00+00:00",
            engine=engine,
            database_file="database.dump",
            migrations={},
            state=manifest.DatabaseState(tables={}, audit_digest="", proofs=0),
            files=[manifest.entry_for(folder, folder / "database.dump")],
        ),
    )
    return folder


def test_a_half_written_backup_is_not_a_backup(tmp_path):
    folder = _fake_backup(tmp_path / "b", "postgresql")
    (folder / manifest.MANIFEST).unlink()
    with pytest.raises(BackupError, match="不是一份完整的备份"):
        backup_restore(folder=folder)


@TRANSACTIONAL
def test_a_restore_that_does_not_match_the_manifest_fails_loudly(backup, media):
    _rewrite_manifest(backup, tables={"proofs_proof": 2})
    _destroy(media)
    with pytest.raises(
        BackupError, match="恢复后核对不符[\\s\\S]*proofs_proof：备份时 2 行，现在 1 行"
    ):
        backup_restore(folder=backup)
    event = AuditEvent.objects.get(object_type=RESTORE_EVENT)  # it was restored, though
    assert event.changes["checked"] is False and "proofs_proof" in event.changes["problems"][0]


def test_a_backup_of_another_database_engine_is_refused(tmp_path):
    folder = _fake_backup(tmp_path / "b", "oracle")
    with pytest.raises(BackupError, match="该备份来自 oracle 数据库"):
        backup_restore(folder=folder, force=True)


@pytest.mark.django_db
def test_a_proof_changed_in_the_database_is_named(proof):
    Proof.objects.filter(pk=proof.pk).update(total_hours="20.0")
    assert proof_failures() == [proof.proof_no]
    assert database_state().proofs == 0


@TRANSACTIONAL
def test_the_commands_back_up_and_refuse_with_a_clear_message(proof, media, tmp_path, capsys):
    call_command("backup", "--to", str(tmp_path / "b"))
    out = capsys.readouterr().out
    assert "备份完成" in out and "1 份证明" in out
    (folder,) = (tmp_path / "b").iterdir()
    with pytest.raises(CommandError, match="目标数据库已有数据"):
        call_command("restore", str(folder))
    call_command("restore", "--verify-only", str(folder))
    assert "备份校验通过" in capsys.readouterr().out
    stamp = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    backup_create(into=tmp_path / "c", now=stamp)
    with pytest.raises(BackupError, match="备份目录已存在"):
        backup_create(into=tmp_path / "c", now=stamp)


@pytest.mark.django_db
def test_no_backup_inside_a_transaction(tmp_path):
    """Inside a transaction the dump could not see what the transaction itself wrote."""
    with pytest.raises(BackupError, match="不能在数据库事务中进行"):
        backup_create(into=tmp_path)
