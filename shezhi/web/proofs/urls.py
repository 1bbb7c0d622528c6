from django.urls import path

from shezhi.web.proofs import views

app_name = "proofs"

urlpatterns = [
    path("m/proofs/", views.mine, name="mine"),
    path("m/proofs/<str:proof_no>/pdf/", views.download, name="download"),
    path("verify/", views.verify_file, name="verify_file"),
    path("verify/<str:proof_no>/", views.verify, name="verify"),
]
