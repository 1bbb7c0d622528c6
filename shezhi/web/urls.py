"""The pages' routes, composed from each domain's urls.py (shezhi/web/<domain>/urls.py).

Phone pages share the "m" namespace under /m/ and desk pages the "desk" namespace under /desk/,
so those two lists are put together here from the domains' `mobile` and `desk` lists; every other
domain mounts its own namespace with include().
"""

from django.urls import include, path

from shezhi.web.imports import urls as imports
from shezhi.web.needs import urls as needs
from shezhi.web.residents import urls as residents
from shezhi.web.volunteers import urls as volunteers

mobile = [*residents.mobile, *needs.mobile, *volunteers.mobile]

desk = [*needs.desk, *residents.desk, *volunteers.desk, *imports.desk]

urlpatterns = [
    path("", include("shezhi.web.proofs.urls")),
    *needs.root,
    path("", include("shezhi.web.accounts.urls")),
    path("m/", include((mobile, "m"))),
    path("desk/", include((desk, "desk"))),
    path("", include("shezhi.web.timebank.urls")),
    path("", include("shezhi.web.activities.urls")),
    path("m/inbox/", include("shezhi.web.notifications.urls")),
    path("", include("shezhi.web.care.urls")),
    path("", include("shezhi.web.cases.urls")),
    path("", include("shezhi.web.privacy.urls")),
    path("", include("shezhi.web.reports.urls")),
    path("", include("shezhi.web.figures.urls")),
]
