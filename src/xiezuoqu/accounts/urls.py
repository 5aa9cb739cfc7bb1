from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("totp/", views.totp_view, name="totp"),
    path("totp/setup/", views.totp_setup_view, name="totp_setup"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.profile_view, name="profile"),
    path("users/", views.user_list_view, name="user_list"),
    path("users/<int:user_id>/", views.user_detail_view, name="user_detail"),
]
