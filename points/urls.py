from django.urls import path

from . import views

app_name = "points"

urlpatterns = [
    path("my/report-card/", views.my_card, name="my_card"),
    path("report-cards/<int:year>/", views.year_cards, name="year_cards"),
    path("report-cards/<int:year>.xlsx", views.year_workbook, name="year_workbook"),
    path("report-cards/<int:year>/<int:member_pk>/", views.member_card, name="member_card"),
    path("report-cards/entries/<int:pk>/query/", views.query_entry, name="query_entry"),
]
