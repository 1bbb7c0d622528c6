"""/api/v1 volunteers, service records, corrections, teams, training and honours, and the
volunteer's own summary. Each handler parses input, calls one service or selector and renders;
ID numbers and phones are always masked; out-of-scope objects answer 404.

One router (`common.router`, mounted at /api/v1/ in api.py) gathers the handlers of the
submodules, imported below in the order of the published schema: volunteers, training, summary,
records, corrections, teams.
"""

# Importing a submodule registers its handlers; the order is the schema's order.
from shezhi.api.volunteers import volunteers  # noqa: F401

# isort: split
from shezhi.api.volunteers import training  # noqa: F401

# isort: split
from shezhi.api.volunteers import summary  # noqa: F401

# isort: split
from shezhi.api.volunteers import records  # noqa: F401

# isort: split
from shezhi.api.volunteers import corrections  # noqa: F401

# isort: split
from shezhi.api.volunteers import teams  # noqa: F401

# isort: split
from shezhi.api.volunteers.common import router

__all__ = ["router"]
