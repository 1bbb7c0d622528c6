"""Need pages (the four orders): residents' and helpers' phone pages under /m/, the desk ledger,
dispatch under /desk/ (namespaces "m" and "desk", composed by
shezhi/web/urls.py), and the site's home."""

from django.urls import path

from shezhi.web.needs import views, views_dispatch

root = [
    path("", views.home, name="home"),
]

mobile = [
    path("my/", views.resident_needs, name="my_needs"),
    path("needs/<int:need_id>/", views.resident_need, name="need"),
    path("needs/<int:need_id>/rate/", views.resident_rate, name="rate"),
    path("needs/<int:need_id>/cancel/", views.resident_cancel, name="cancel"),
    path("orders/", views.helper_orders, name="orders"),
    path("orders/<int:need_id>/", views.helper_order, name="order"),
    path("orders/<int:need_id>/accept/", views.helper_accept, name="accept"),
    path("orders/<int:need_id>/decline/", views.helper_decline, name="decline"),
    path("orders/<int:need_id>/start/", views.helper_start, name="start"),
    path("orders/<int:need_id>/complete/", views.helper_complete, name="complete"),
    path("hours/", views.helper_hours, name="hours"),
]

desk = [
    path("", views.desk_home, name="home"),
    path("needs/", views.desk_needs, name="needs"),
    path("needs/new/", views.desk_need_new, name="need_new"),
    path("needs/<int:need_id>/", views.desk_need, name="need"),
    path("needs/<int:need_id>/dispatch/", views.desk_dispatch, name="dispatch"),
    path("needs/<int:need_id>/cancel/", views.desk_cancel, name="cancel"),
    path("needs/<int:need_id>/unresolvable/", views.desk_unresolvable, name="unresolvable"),
    path("needs/<int:need_id>/review/", views.desk_review, name="review"),
    path("needs/<int:need_id>/waive-start/", views.desk_waive_start, name="waive_start"),
    path("needs/<int:need_id>/edit/", views.desk_edit, name="edit"),
    path("dispatch/bulk/", views_dispatch.desk_dispatch_bulk, name="dispatch_bulk"),
    path(
        "dispatch/bulk/<int:batch_id>/",
        views_dispatch.desk_dispatch_batch,
        name="dispatch_batch",
    ),
]
