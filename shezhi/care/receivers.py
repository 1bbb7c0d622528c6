"""Crisis triage of free text the moment it is stored (the `care_jobs` needs scan stays as the
safety net: it skips texts that already opened an alert)."""

import logging
from typing import Any

from shezhi.care.services.scanning import scan_text
from shezhi.org.models import OrgUnit
from shezhi.people.models import Resident

log = logging.getLogger(__name__)


def triage_free_text(
    *,
    source_type: str,
    source_id: str,
    text: str,
    resident_id: int | None,
    community_id: int | None,
    **_: Any,
) -> None:
    try:
        scan_text(
            actor=None,
            text=text,
            source_type=source_type,
            source_id=source_id,
            resident=Resident.objects.filter(pk=resident_id).first() if resident_id else None,
            community=OrgUnit.objects.filter(pk=community_id).first() if community_id else None,
        )
    except Exception:  # the text is stored; never fail the resident's request over triage
        log.exception(
            "Triage of %s #%s failed; the care_jobs scan will retry", source_type, source_id
        )
