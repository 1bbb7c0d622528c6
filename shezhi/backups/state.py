"""What the database holds, measured the same way before a backup and after a restore: rows per
table, a digest of the audit log and the proofs whose signatures still verify."""

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from shezhi.backups.manifest import DatabaseState
from shezhi.core.models import AuditEvent
from shezhi.proofs import signing
from shezhi.proofs.models import Proof
from shezhi.proofs.selectors import content_of, signing_keys

# Object type of the audit event `shezhi restore` writes after a restore (who, when, which
# backup): the drill compares the states before and after without it.
RESTORE_EVENT = "backups.restore"


def table_names() -> list[str]:
    """Every table the installed models own (including many-to-many tables)."""
    tables = {
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }
    return sorted(tables)


def row_counts(*, without_restores: bool = False) -> dict[str, int]:
    counts = {}
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in table_names():
            if table not in existing:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    if without_restores and AuditEvent._meta.db_table in counts:
        counts[AuditEvent._meta.db_table] -= restore_events().count()
    return counts


def restore_events() -> Any:
    return AuditEvent.objects.filter(object_type=RESTORE_EVENT)


def _audit_lines(without_restores: bool) -> Iterator[bytes]:
    events = AuditEvent.objects.all()
    if without_restores:
        events = events.exclude(object_type=RESTORE_EVENT)
    rows = events.order_by("id").values_list(
        "id",
        "at",
        "actor_id",
        "actor_identity",
        "action",
        "object_type",
        "object_id",
        "summary",
        "changes",
    )
    for pk, at, *rest in rows.iterator(chunk_size=2000):
        line = [pk, at.astimezone(UTC).isoformat() if at else "", *rest]
        yield json.dumps(line, ensure_ascii=False, sort_keys=True, default=str).encode() + b"\n"


def audit_digest(*, without_restores: bool = False) -> str:
    """SHA-256 over every audit event in id order: any changed, lost or added event changes it."""
    digest = hashlib.sha256()
    for line in _audit_lines(without_restores):
        digest.update(line)
    return digest.hexdigest()


def proof_failures() -> list[str]:
    """Numbers of proofs whose seal no longer verifies or whose file no longer matches its hash."""
    keys = signing_keys()
    failed = []
    for proof in Proof.objects.order_by("id").iterator(chunk_size=200):
        pdf_ok = hashlib.sha256(bytes(proof.pdf)).hexdigest() == proof.pdf_sha256
        seal_ok = signing.seal_valid(keys, content_of(proof), proof.pdf_sha256, proof.seal)
        if not (pdf_ok and seal_ok):
            failed.append(proof.proof_no)
    return failed


def database_state(*, without_restores: bool = False) -> DatabaseState:
    failed = proof_failures()
    return DatabaseState(
        tables=row_counts(without_restores=without_restores),
        audit_digest=audit_digest(without_restores=without_restores),
        proofs=Proof.objects.count() - len(failed),
    )


def applied_migrations() -> dict[str, str]:
    """The last applied migration of each app."""
    last: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        last[app] = max(last.get(app, ""), name)
    return dict(sorted(last.items()))
