"""What every kind of import shares: the row loop (a row's DomainError becomes its problem),
the progress protocol and the cell parsers."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from shezhi.core.errors import DomainError, ItemRefused
from shezhi.core.validators import (
    InvalidValue,
    validate_id_number,
    validate_mobile,
)
from shezhi.imports import sheets
from shezhi.imports.models import ImportJob
from shezhi.imports.sheets import CellError, Layout, Problem

log = logging.getLogger(__name__)

BATCH = 500
PUBLISH_BATCH = 500  # rows per call of a batch service while publishing
GENDERS = {"男": "M", "女": "F", "M": "M", "F": "F"}


class Progress(Protocol):
    def tick(self, *, in_transaction: bool = False) -> None: ...

    def flush(self, *, in_transaction: bool = False) -> None: ...


class RowFailed(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def _header_of(layout: Layout, field: str | None, fallback: str = "") -> str:
    aliases = {
        "started_at": "start",
        "ended_at": "end",
        "service_date": "service_date",
        "guardian_consent": "guardian_consent",
        "compound_id": "compound",
        "organiser_unit": "",
        "community_id": "",
    }
    key = aliases.get(field or "", field or "")
    col = layout.column(key) if key else None
    return col.header if col else fallback


@dataclass
class ImportBase:
    job: ImportJob
    layout: Layout

    def header(self, key: str) -> str:
        col = self.layout.column(key)
        return col.header if col else key

    def _cells(
        self, row: int, raw: dict[str, Any], parsers: dict[str, Callable[[Any], Any]]
    ) -> tuple[dict[str, Any], list[Problem]]:
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for key, parse in parsers.items():
            try:
                values[key] = parse(raw.get(key))
            except CellError as exc:
                values[key] = None
                problems.append(Problem(row, self.header(key), str(exc)))
        return values, problems

    def _required(self, row: int, values: dict[str, Any]) -> list[Problem]:
        return [
            Problem(row, c.header, f"请填写{c.header}")
            for c in self.layout.columns
            if c.required and values.get(c.key) in (None, "")
        ]

    def _too_long(self, row: int, values: dict[str, Any], limits: dict[str, int]) -> list[Problem]:
        return [
            Problem(row, self.header(k), f"{self.header(k)}不能超过{n}个字")
            for k, n in limits.items()
            if len(values.get(k) or "") > n
        ]

    def _write_rows(
        self, rows: Iterable[tuple[int, dict[str, Any]]], progress: Progress, one: Callable
    ) -> None:
        """Publish staged rows (row number, data) with `one`, inside the caller's transaction."""
        for row, raw in rows:
            try:
                one(row, raw)
            except DomainError as exc:
                raise RowFailed(
                    Problem(row, _header_of(self.layout, exc.field), exc.message)
                ) from None
            except RowFailed:
                raise
            except Exception:
                log.exception("import job %s failed on row %s", self.job.pk, row)
                raise RowFailed(
                    Problem(row, "", "导入该行时发生错误，已撤销本次导入的全部数据")
                ) from None
            progress.tick(in_transaction=True)
        progress.flush(in_transaction=True)

    def _write_batches(
        self,
        rows: Iterable[tuple[int, dict[str, Any]]],
        progress: Progress,
        many: Callable[[list[dict[str, Any]]], None],
    ) -> None:
        """Publish staged rows PUBLISH_BATCH at a time with `many` (a batch service), inside the
        caller's transaction; an ItemRefused names the row."""
        batch: list[tuple[int, dict[str, Any]]] = []

        def flush() -> None:
            try:
                many([data for _, data in batch])
            except ItemRefused as exc:
                row = batch[exc.index][0]
                raise RowFailed(
                    Problem(row, _header_of(self.layout, exc.field), exc.message)
                ) from None
            for _ in batch:
                progress.tick(in_transaction=True)
            batch.clear()

        for item in rows:
            batch.append(item)
            if len(batch) >= PUBLISH_BATCH:
                flush()
        if batch:
            flush()
        progress.flush(in_transaction=True)


def parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def parse_moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def id_number_cell(value: Any, today: date) -> str:
    raw = sheets.identifier(value, "身份证号码")
    if not raw:
        return ""
    try:
        return validate_id_number(raw, today=today)
    except InvalidValue as exc:
        raise CellError(str(exc)) from None


def phone_cell(value: Any) -> str:
    raw = sheets.identifier(value, "手机号码")
    if not raw:
        return ""
    try:
        return validate_mobile(raw)
    except InvalidValue as exc:
        raise CellError(str(exc)) from None
