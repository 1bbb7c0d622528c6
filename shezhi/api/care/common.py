"""The care router and the types its operations share."""

from typing import Annotated

from ninja import Field, Router

from shezhi.api.schemas import MAX_ID

router = Router(tags=["关爱走访"])

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(max_length=200)]
