from django.urls import path

from . import views

app_name = "rosters"

urlpatterns = [
    path("calendar/member/<slug:token>.ics", views.member_calendar, name="member_calendar"),
    path(
        "calendar/workstation/<slug:slug>.ics",
        views.workstation_calendar,
        name="workstation_calendar",
    ),
    path("rosters/", views.rosters, name="rosters"),
    path("rosters/<slug:slug>/week/", views.roster_week, name="roster_week"),
    path("rosters/<slug:slug>/month/", views.roster_month, name="roster_month"),
    path(
        "rosters/assignments/<int:pk>/attendance/",
        views.assignment_attendance,
        name="assignment_attendance",
    ),
    path(
        "rosters/assignments/<int:pk>/change/",
        views.assignment_change,
        name="assignment_change",
    ),
    path("rosters/assignments/<int:pk>/leave/", views.assignment_leave, name="assignment_leave"),
    path("rosters/assignments/<int:pk>/swap/", views.assignment_swap, name="assignment_swap"),
    path("my/duties/", views.my_duties, name="my_duties"),
]
