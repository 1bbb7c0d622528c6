"""Residents' data rights: /m/privacy/ (the resident) and /desk/privacy/ (staff)."""

from django.urls import path

from shezhi.web.privacy import views

app_name = "privacy"

RESIDENT = "desk/privacy/resident/<int:resident_id>/"

urlpatterns = [
    path("m/privacy/", views.mine, name="mine"),
    path("m/privacy/data.json", views.mine_download, {"fmt": "json"}, name="mine_json"),
    path("m/privacy/data.pdf", views.mine_download, {"fmt": "pdf"}, name="mine_pdf"),
    path("desk/privacy/", views.desk_list, name="desk"),
    path("desk/privacy/<int:request_id>/", views.desk_detail, name="desk_detail"),
    path(RESIDENT, views.desk_resident, name="desk_resident"),
    path(RESIDENT + "data.json", views.desk_download, {"fmt": "json"}, name="desk_json"),
    path(RESIDENT + "data.pdf", views.desk_download, {"fmt": "pdf"}, name="desk_pdf"),
]
