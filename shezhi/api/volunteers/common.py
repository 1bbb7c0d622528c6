"""What the /api/v1 volunteer modules share: the one router (mounted at /api/v1/ in api.py),
path ids, field types and paging."""

from typing import Annotated

from ninja import Field, Router

from shezhi.api.schemas import MAX_ID, Clean

router = Router(tags=["志愿者与服务记录"])

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]
Minutes = Annotated[int, Field(strict=True, ge=1, le=24 * 60)]
Text30 = Annotated[str, Field(max_length=30)]
Text20 = Annotated[str, Field(max_length=20)]
Level = Annotated[int, Field(strict=True)]  # the range 1–5 is the service's rule
TEAMS = ["服务队"]
RECORDS = ["志愿服务记录"]


class Page(Clean):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)
