from django.urls import path

from . import views

app_name = "departments"

urlpatterns = [
    path("department/", views.referral_list, name="referral_list"),
    path("department/referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("department/referrals/<int:pk>/<str:action>/", views.referral_act, name="referral_act"),
]
