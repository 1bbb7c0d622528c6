from django.contrib.auth import views as auth_views
from django.urls import include, path

from shezhi.web import views, views_dispatch

mobile = [
    path("", views.resident_home, name="home"),
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
    path("needs/<int:need_id>/edit/", views.desk_edit, name="edit"),
    path("dispatch/bulk/", views_dispatch.desk_dispatch_bulk, name="dispatch_bulk"),
    path("residents/", views.desk_residents, name="residents"),
    path("residents/<int:resident_id>/", views.desk_resident, name="resident"),
    path("residents/<int:resident_id>/reveal/", views.desk_resident_reveal, name="reveal"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("m/", include((mobile, "m"))),
    path("desk/", include((desk, "desk"))),
]
