"""Figures pages: the dashboard, the glossary of 口径 and the wall screen, under /desk/figures/."""

from django.urls import path

from shezhi.web.figures import views

app_name = "figures"

urlpatterns = [
    path("desk/figures/", views.home, name="home"),
    path("desk/figures/glossary/", views.glossary, name="glossary"),
    path("desk/figures/screen/", views.screen, name="screen"),
]
