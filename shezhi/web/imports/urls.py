"""Excel imports and the hours export at the desk, under /desk/ in the "desk" namespace."""

from django.urls import path

from shezhi.web.imports import views

desk = [
    path("imports/", views.desk_imports, name="imports"),
    path("imports/upload/", views.desk_import_upload, name="import_upload"),
    path(
        "imports/templates/<str:kind>.xlsx",
        views.desk_import_template,
        name="import_template",
    ),
    path("imports/export/", views.desk_hours_export, name="hours_export"),
    path("imports/<int:job_id>/", views.desk_import_job, name="import_job"),
    path("imports/<int:job_id>/status/", views.desk_import_status, name="import_status"),
    path("imports/<int:job_id>/errors.xlsx", views.desk_import_errors, name="import_errors"),
]
