from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup_view, name="signup"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("profile/", views.profile_edit_view, name="profile_edit"),
    path("settings/", views.settings_view, name="settings"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("export/", views.export_view, name="export"),
    path("delete/", views.delete_view, name="delete"),
]
