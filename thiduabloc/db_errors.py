"""A lost database connection answers with a 503 page saying nothing was recorded, instead of a 500."""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Turn an OperationalError or InterfaceError leaving a view (connection killed, server restarting, deadlock)
    into a 503 page. Every service is atomic and its block has rolled back by the time the exception gets here,
    so the page can tell the user that nothing was recorded and that trying again is safe."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.exception(
            "Database unavailable during %s %s", request.method, request.path, exc_info=exception
        )
        discard_broken_connections()
        try:
            # A plain context, not the request's: its context processors would load the session, the user and
            # the messages from the database that has just failed.
            content = render_to_string("503.html", {"request": request, "csrf_token": get_token(request)})
        except Exception:
            logger.exception("The 503 page could not be rendered")
            text = "{}\n\n{}\n".format(
                _("Tạm thời không kết nối được cơ sở dữ liệu"),
                _("Thao tác của bạn chưa được ghi lại. Vui lòng thử lại sau ít phút."),
            )
            return HttpResponse(text, status=503, content_type="text/plain; charset=utf-8")
        return HttpResponse(content, status=503)


def discard_broken_connections() -> None:
    """Close this thread's connections that no longer work, so that its next query opens a new one.

    Django does the same when a request ends (close_if_unusable_or_obsolete on request_finished), but a
    connection that broke outside a transaction would otherwise serve the rest of this request, and every later
    request where nothing fires that signal (the test client, a command looping over requests)."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.is_usable():
            connection.close()
