from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def trivial(request):
    """The ceiling: a Django view that touches neither the database nor a template."""
    return HttpResponse("ok")


urlpatterns = [path("bench/trivial", trivial), *project_urlpatterns]
