from django.urls import path

from . import citizens, pages, preferences, stats

app_name = "public"

# Short addresses: they go on posters and QR codes.
urlpatterns = [
    path("", pages.column, name="column"),
    path("duty/", pages.duty_week, name="duty"),
    path("workstations/", pages.workstation_list, name="workstations"),
    path("workstations/<slug:slug>/", pages.workstation, name="workstation"),
    path("members/<int:pk>/", pages.member, name="member"),
    path("stats/", stats.statistics, name="stats"),
    path("submit/", citizens.submit, name="submit"),
    path("submit/receipt/", citizens.receipt, name="receipt"),
    path("track/", citizens.track, name="track"),
    path("track/add/", citizens.track_add, name="track_add"),
    path("track/follow-up/", citizens.track_follow_up, name="track_follow_up"),
    path("preferences/", preferences.preferences, name="preferences"),
]
