"""Login throttling with django-axes: per account and per address, with different limits.

Axes compares one failure count with one limit. An account is locked after LOGIN_FAILURES_PER_ACCOUNT failures;
an address only after LOGIN_FAILURES_PER_ADDRESS, because a whole office or a conference room shares one public
address and one delegate's typos must not lock out the room. The handler below scales the address's count
onto the account's limit, so that both limits hold with axes' single comparison.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponse
from django.template.loader import render_to_string


class AccountAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        # One queryset per entry of AXES_LOCKOUT_PARAMETERS, in order: ["username", "ip_address"].
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        per_account, per_address = settings.LOGIN_FAILURES_PER_ACCOUNT, settings.LOGIN_FAILURES_PER_ADDRESS
        return max(by_account, by_address * per_account // per_address)


def client_address(request) -> str | None:
    """The address the failures are counted against: behind our reverse proxy, the one it saw (the last entry
    it appended to X-Forwarded-For, which the client cannot forge); otherwise the socket's."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def locked_out(request, credentials=None, *args, **kwargs) -> HttpResponse:
    """The page a locked-out visitor gets: 429, in their language, saying when to try again."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    html = render_to_string("registration/locked_out.html", {"minutes": minutes}, request=request)
    return HttpResponse(html, status=429)
