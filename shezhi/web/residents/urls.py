"""Residents' own phone pages (home with the order form, ordering on behalf, 长辈模式) under /m/,
and the desk's resident pages and picker under /desk/ (namespaces "m" and "desk", composed by
shezhi/web/urls.py)."""

from django.urls import path

from shezhi.web.residents import views, views_desk, views_pickers

mobile = [
    path("", views.resident_home, name="home"),
    path("behalf/", views.behalf_search, name="behalf"),
    path("behalf/<int:resident_id>/", views.behalf_order, name="behalf_order"),
    path("elder-mode/", views.elder_mode, name="elder_mode"),
]

desk = [
    path("pickers/residents/", views_pickers.pick_residents, name="pick_residents"),
    path("residents/", views_desk.desk_residents, name="residents"),
    path("residents/<int:resident_id>/", views_desk.desk_resident, name="resident"),
    path("residents/<int:resident_id>/reveal/", views_desk.desk_resident_reveal, name="reveal"),
    path("residents/<int:resident_id>/sms/", views_desk.desk_resident_sms, name="resident_sms"),
]
