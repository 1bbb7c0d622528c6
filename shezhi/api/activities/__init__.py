"""/api/v1/activities: open positions, sign-up and cancellation, the organiser's rotating check-in
token, check-in by token and check-out. Each handler calls one service or selector; the rules live
in shezhi.activities.

The operations are in `volunteering`, `organising`, `creating` and `publishing`, all registered on
`common.router`; they are imported in that order because it is the order of the paths in the
OpenAPI schema."""

# isort: off
from shezhi.api.activities import volunteering
from shezhi.api.activities import organising
from shezhi.api.activities import creating
from shezhi.api.activities import publishing

# isort: on
from shezhi.api.activities.common import router

__all__ = ["creating", "organising", "publishing", "router", "volunteering"]
