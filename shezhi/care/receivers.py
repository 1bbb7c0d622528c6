"""Crisis triage of free text the moment it is stored: the text's ids are queued as the task
care.triage with the caller's transaction (so nothing is lost if a process stops) and triaged
right after commit by whichever runner runs tasks. The `care.jobs` needs scan stays as the safety
net: it skips texts that already opened an alert."""

from typing import Any

from shezhi.core import tasks


def triage_free_text(
    *,
    source_type: str,
    source_id: str,
    resident_id: int | None,
    community_id: int | None,
    **_: Any,
) -> None:
    # The text itself stays out of the run's arguments (admins see them): the task reads it.
    tasks.enqueue(
        "care.triage",
        label=f"危机筛查 {source_type} #{source_id}",
        source_type=source_type,
        source_id=str(source_id),
        resident_id=resident_id,
        community_id=community_id,
    )
