"""The application's URLs, plus /bench/floor/: the cheapest page Django can serve with one query."""

from django.http import HttpResponse
from django.urls import path
from django.utils.html import escape

from blocs.models import Unit
from thiduabloc.urls import urlpatterns as app_urlpatterns


def floor(request):
    """One query and a tiny response through the whole middleware stack: what every page costs at least."""
    name = Unit.objects.order_by("pk").values_list("name", flat=True).first()
    return HttpResponse(f"<!doctype html><title>floor</title><p>{escape(name or '')}</p>")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *app_urlpatterns]
