from django.urls import path

from . import record, supervision, views

app_name = "departments"

urlpatterns = [
    path("department/", views.referral_list, name="referral_list"),
    path("department/referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("department/referrals/<int:pk>/reveal/", views.referral_reveal, name="referral_reveal"),
    path("department/referrals/<int:pk>/<str:action>/", views.referral_act, name="referral_act"),
    path(
        "department/supervisions/<int:pk>/answer/",
        views.supervision_answer,
        name="supervision_answer",
    ),
    path("office/supervision/", supervision.supervision_list, name="supervision_list"),
    path(
        "office/supervision/referrals/<int:pk>/",
        supervision.supervise_referral,
        name="supervise_referral",
    ),
    path(
        "office/supervision/cases/<str:number>/",
        supervision.supervise_case,
        name="supervise_case",
    ),
    # The district office's record of every department (部门履职情况).
    path("office/departments/", record.record, name="record"),
    path("office/departments.xlsx", record.record_workbook, name="record_workbook"),
    path(
        "office/departments/<int:pk>/<str:figure>/",
        record.record_behind,
        name="record_behind",
    ),
]
