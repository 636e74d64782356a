from django.urls import path, re_path

from . import views
from .lifecycle import Correction

app_name = "visits"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/export.<str:fmt>", views.case_export, name="case_export"),
    path("cases/<str:number>/", views.case_detail, name="case_detail"),
    path("cases/<str:number>/reveal/", views.case_reveal, name="case_reveal"),
    path("cases/<str:number>/receipt/", views.case_receipt, name="case_receipt"),
    path("cases/<str:number>/receipt/renew/", views.case_receipt_renew, name="case_receipt_renew"),
    # Before the steps' pattern, which would take these names for a step.
    re_path(
        rf"^cases/(?P<number>[^/]+)/(?P<correction>{'|'.join(Correction.values)})/$",
        views.case_correct,
        name="case_correct",
    ),
    path("cases/<str:number>/<str:action>/", views.case_act, name="case_act"),
]
