"""The activities router and the types its operations share."""

from typing import Annotated

from ninja import Field, Router

from shezhi.api.schemas import MAX_ID

router = Router(tags=["志愿活动"])

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]
