"""Time-bank pages: a member's account on the phone, deposits and reviews at the desk."""

from django.urls import path

from shezhi.web.timebank import views

app_name = "timebank"

urlpatterns = [
    path("m/timebank/", views.mine, name="mine"),
    path("timebank/accounts/<int:account_id>/", views.account, name="account"),
    path("timebank/accounts/<int:account_id>/spend/", views.spend, name="spend"),
    path("timebank/accounts/<int:account_id>/transfer/", views.transfer, name="transfer"),
    path("timebank/accounts/<int:account_id>/relatives/", views.relative, name="relative"),
    path(
        "timebank/accounts/<int:account_id>/statement/",
        views.statement,
        name="statement",
    ),
    path("desk/timebank/", views.desk, name="desk"),
    path("desk/timebank/deposits/", views.deposit, name="deposit"),
    path("desk/timebank/deposits/<int:deposit_id>/review/", views.review, name="review"),
    path("desk/timebank/deposits/<int:deposit_id>/reverse/", views.reverse, name="reverse"),
]
