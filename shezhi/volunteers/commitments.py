"""What a volunteer has already committed to (activity sign-ups, accepted orders), asked by the
apps that add a commitment, so that one volunteer is never booked twice at the same time.

Apps above volunteers (needs, activities) register a provider at start-up; volunteers cannot
import them. `first_clash` locks the volunteer row so that two concurrent bookings of the same
volunteer are checked one after the other (exactly one of two clashing bookings wins).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from shezhi.core.errors import Conflict
from shezhi.volunteers.errors import VolunteerError
from shezhi.volunteers.models import Volunteer
from shezhi.volunteers.trust import overlaps


@dataclass(frozen=True)
class Commitment:
    key: str  # "activity:12", "need:34": the caller excludes the one it is booking
    label: str  # e.g. 活动“周末义诊”
    start: datetime
    end: datetime

    @property
    def when(self) -> str:
        start, end = timezone.localtime(self.start), timezone.localtime(self.end)
        if start.date() == end.date():
            return f"{start:%m月%d日 %H:%M}–{end:%H:%M}"
        return f"{start:%m月%d日 %H:%M}–{end:%m月%d日 %H:%M}"


Provider = Callable[[Volunteer, datetime, datetime], list[Commitment]]
_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Register (or replace) the provider of one kind of commitment."""
    _providers[name] = provider


def clashes(
    volunteer: Volunteer, start: datetime, end: datetime, *, exclude: str = ""
) -> list[Commitment]:
    found = [
        c
        for provider in _providers.values()
        for c in provider(volunteer, start, end)
        if c.key != exclude and overlaps(start, end, c.start, c.end)
    ]
    return sorted(found, key=lambda c: (c.start, c.key))


def refuse_clash(
    volunteer: Volunteer, start: datetime, end: datetime, *, exclude: str, doing: str
) -> None:
    """Raise Conflict naming the first clashing commitment; locks the volunteer row first."""
    Volunteer.objects.select_for_update().filter(pk=volunteer.pk).first()
    found = clashes(volunteer, start, end, exclude=exclude)
    if found:
        c = found[0]
        raise Conflict(
            f"{volunteer.name}在{c.when}已有{c.label}，时间冲突，不能{doing}",
            code=VolunteerError.CLASH,
        )
