from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("inbox/", views.inbox_list, name="inbox"),
    path("inbox/read-all/", views.read_all, name="read_all"),
    path("inbox/<int:pk>/open/", views.message_open, name="open"),
]
