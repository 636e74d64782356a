from django.urls import path, register_converter

from . import views
from .models import FIRST_YEAR, LAST_YEAR


class ScoringYearConverter:
    """A year the office may score; any other year's address is not found."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(value)  # Django takes it as no match: a 404, or NoReverseMatch
        return year

    def to_url(self, value: int) -> str:
        return str(self.to_python(str(value)))


register_converter(ScoringYearConverter, "scoring_year")

app_name = "points"

urlpatterns = [
    path("my/report-card/", views.my_card, name="my_card"),
    path("report-cards/<scoring_year:year>/", views.year_cards, name="year_cards"),
    path("report-cards/<scoring_year:year>.xlsx", views.year_workbook, name="year_workbook"),
    path(
        "report-cards/<scoring_year:year>/<int:member_pk>/", views.member_card, name="member_card"
    ),
    path("report-cards/entries/<int:pk>/query/", views.query_entry, name="query_entry"),
]
