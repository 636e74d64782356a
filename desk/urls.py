from django.urls import path, re_path

from visits.lifecycle import Correction

from . import views

app_name = "desk"

# After visits' URLs: cases/<number>/<action>/ would take receipt/ for a step.
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("cases/<str:number>/", views.case_detail, name="case_detail"),
    path("cases/<str:number>/reveal/", views.case_reveal, name="case_reveal"),
    path("cases/<str:number>/proposals/new/", views.case_proposal, name="case_proposal"),
    path(
        "cases/<str:number>/supervisions/<int:pk>/answer/",
        views.supervision_answer,
        name="supervision_answer",
    ),
    path(
        "cases/<str:number>/referrals/<int:pk>/share-contact/",
        views.share_contact,
        name="share_contact",
    ),
    # Before the steps' pattern, which would take these names for a step.
    re_path(
        rf"^cases/(?P<number>[^/]+)/(?P<correction>{'|'.join(Correction.values)})/$",
        views.case_correct,
        name="case_correct",
    ),
    path("cases/<str:number>/<str:action>/", views.case_act, name="case_act"),
]
