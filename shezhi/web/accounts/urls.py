"""Log-in, log-out, password change and the second factor (no namespace: the names are global,
as settings.LOGIN_URL and the auth views expect)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from shezhi.web.accounts import views, views_otp

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("otp/setup/", views_otp.otp_setup, name="otp_setup"),
    path("otp/verify/", views_otp.otp_verify, name="otp_verify"),
]
