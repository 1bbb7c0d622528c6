"""Checking, staging and writing the rows of one file, per kind: parse every cell, check the whole
file (nothing written), turn each row into the JSON-safe arguments of its volunteers service
(`stage_rows`, stored as staged rows by the caller), then publish each staged row through the
service (so its rules, scope and audit apply). Used by `services.import_job_run`; a problem is
(row, column header, Chinese reason).

One module per kind (volunteers, records); what they share in base."""

from shezhi.imports.importers.base import Progress, RowFailed
from shezhi.imports.importers.records import RecordImport
from shezhi.imports.importers.volunteers import VolunteerImport

__all__ = ["Progress", "RecordImport", "RowFailed", "VolunteerImport"]
