"""The application's URLs, plus two floors: the cheapest pages Django can serve with one query, without and with a
logged-in user."""

from django.http import HttpResponse, HttpResponseForbidden
from django.urls import path
from django.utils.html import escape

from blocs.models import Unit
from thiduabloc.urls import urlpatterns as app_urlpatterns


def _one_query() -> HttpResponse:
    name = Unit.objects.order_by("pk").values_list("name", flat=True).first()
    return HttpResponse(f"<!doctype html><title>floor</title><p>{escape(name or '')}</p>")


def floor(request):
    """One query and a tiny response through the whole middleware stack: what every page costs at least."""
    return _one_query()


def floor_logged_in(request):
    """The same, once the session and the user are read as on every page of the app (the login check), with no
    template: what a logged-in page costs at least, before its menu and its own work."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    return _one_query()


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/floor/user/", floor_logged_in, name="bench_floor_logged_in"),
    *app_urlpatterns,
]
