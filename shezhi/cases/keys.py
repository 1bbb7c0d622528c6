"""Key rotation over every encrypted field of the case models."""

from django.apps import apps
from django.db import connection, models, transaction

from shezhi.cases import crypto

BATCH = 500


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    out = []
    for model in apps.get_app_config("cases").get_models():
        names = [f.name for f in model._meta.fields if isinstance(f, crypto.EncryptedTextField)]
        if names:
            out.append((model, names))
    return out


def rotate_all() -> dict[str, int]:
    """Re-encrypt each stored token under the current key, reading the raw tokens (not the
    decrypted values) so that nothing is ever handled as plain text outside the fields."""
    counts: dict[str, int] = {}
    for model, names in encrypted_fields():
        table = model._meta.db_table
        columns = [model._meta.get_field(n).column for n in names]
        pk = model._meta.pk.column
        n = 0
        with transaction.atomic():
            raw = model._default_manager.values_list("pk", flat=True).order_by("pk")
            ids = list(raw)
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                n += _rotate_chunk(table, pk, columns, chunk)
        counts[model._meta.label] = n
    return counts


def _rotate_chunk(table: str, pk: str, columns: list[str], ids: list[int]) -> int:
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    marks = ", ".join(["%s"] * len(ids))
    n = 0
    with connection.cursor() as cur:
        cur.execute(f"SELECT {qn(pk)}, {cols} FROM {qn(table)} WHERE {qn(pk)} IN ({marks})", ids)
        rows = cur.fetchall()
        for row in rows:
            updates = {c: crypto.rotate(v) for c, v in zip(columns, row[1:], strict=True) if v}
            if not updates:
                continue
            sets = ", ".join(f"{qn(c)} = %s" for c in updates)
            cur.execute(
                f"UPDATE {qn(table)} SET {sets} WHERE {qn(pk)} = %s", [*updates.values(), row[0]]
            )
            n += len(updates)
    return n
