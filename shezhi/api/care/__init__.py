"""/api/v1/care: the contact person's "today" list, a resident's care card, logging a visit
(which may raise a need in the ledger), open alerts and their acknowledgement, and coverage.
Scoping and masking are those of the care pages: outside the actor's units is 404; phones are
masked except on the card of the resident's own contact person (an audited read).

The operations are in `visits`, `alerts`, `coverage`, `registry` and `campaigns`, all registered
on `common.router` (schemas in `schemas`, response dicts in `rendering`); they are imported in
the order of their paths in the OpenAPI schema."""

# isort: off
from shezhi.api.care import visits
from shezhi.api.care import alerts
from shezhi.api.care import coverage
from shezhi.api.care import registry
from shezhi.api.care import campaigns

# isort: on
from shezhi.api.care.common import router

__all__ = ["alerts", "campaigns", "coverage", "registry", "router", "visits"]
