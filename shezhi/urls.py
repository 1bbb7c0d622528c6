from django.contrib import admin
from django.urls import include, path

from shezhi.core import health, metrics

urlpatterns = [
    # Probes and metrics for the operator (no trailing slash, as probes are usually written).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", include("shezhi.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("shezhi.web.urls")),
]

# Chinese error pages in the site's layout, each with a way back home.
handler400 = "shezhi.web.error_pages.bad_request"
handler403 = "shezhi.web.error_pages.permission_denied"
handler404 = "shezhi.web.error_pages.page_not_found"
handler500 = "shezhi.web.error_pages.server_error"
