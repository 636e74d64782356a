from django.urls import path

from . import record, views

app_name = "departments"

urlpatterns = [
    path("department/", views.referral_list, name="referral_list"),
    path("department/referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("department/referrals/<int:pk>/<str:action>/", views.referral_act, name="referral_act"),
    # The district office's record of every department (部门履职情况).
    path("office/departments/", record.record, name="record"),
    path("office/departments.xlsx", record.record_workbook, name="record_workbook"),
    path(
        "office/departments/<int:pk>/<str:figure>/",
        record.record_behind,
        name="record_behind",
    ),
]
