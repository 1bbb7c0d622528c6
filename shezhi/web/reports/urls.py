"""Reports: /desk/reports/ (list, new, a report, its files) and the figure table export."""

from django.urls import path

from shezhi.web.reports import views

app_name = "reports"

REPORT = "desk/reports/<int:report_id>/"

urlpatterns = [
    path("desk/reports/", views.report_list, name="list"),
    path("desk/reports/new/", views.report_new, name="new"),
    path("desk/reports/figures.xlsx", views.figure_table_xlsx, name="figure_table_xlsx"),
    path(REPORT, views.report_detail, name="detail"),
    path(REPORT + "issue/", views.report_issue, name="issue"),
    path(REPORT + "preview.pdf", views.report_preview, {"fmt": "pdf"}, name="preview_pdf"),
    path(REPORT + "preview.xlsx", views.report_preview, {"fmt": "xlsx"}, name="preview_xlsx"),
    path(REPORT + "v<int:number>.pdf", views.version_download, {"fmt": "pdf"}, name="version_pdf"),
    path(
        REPORT + "v<int:number>.xlsx", views.version_download, {"fmt": "xlsx"}, name="version_xlsx"
    ),
]
