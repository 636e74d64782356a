from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/second-factor/", views.second_factor_step, name="second_factor"),
    path("account/second-factor/", views.security, name="security"),
    path("account/second-factor/set-up/", views.set_up, name="set_up"),
    path("account/second-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("account/second-factor/remove/", views.remove, name="remove"),
]
