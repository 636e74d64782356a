from django.urls import path

from . import views

app_name = "visits"

# The case page and its steps are the desk's (desk/urls.py), included after these.
urlpatterns = [
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/export.<str:fmt>", views.case_export, name="case_export"),
    path("cases/<str:number>/receipt/", views.case_receipt, name="case_receipt"),
    path("cases/<str:number>/receipt/renew/", views.case_receipt_renew, name="case_receipt_renew"),
]
