"""Error codes the volunteers app raises beyond the cross-app ones in `core.errors.ErrorCode`
(stale, …). Values are part of the API: never rename one."""

from enum import StrEnum


class VolunteerError(StrEnum):
    CLASH = "clash"  # the volunteer is already committed at that time
