"""Emails to the people a change concerns. Each (user, key) is recorded once, in the same transaction as the
change; the mail leaves after the commit, so a rolled-back change sends nothing and nothing is sent twice."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from blocs.models import BlocYear, Membership, Notification, Unit, User

logger = logging.getLogger(__name__)


def link(obj) -> str:
    return f"{settings.SITE_URL}{obj.get_absolute_url()}"


def staff_of(unit: Unit | int) -> list[User]:
    unit_id = unit if isinstance(unit, int) else unit.pk
    return list(
        User.objects.filter(unit_id=unit_id, is_active=True, role__in=[User.Role.FOCAL, User.Role.SECRETARY])
    )


def managers_of(bloc_year: BlocYear, *, except_unit: int | None = None) -> list[User]:
    """The secretaries who act for the head: of the head's and the deputy's units."""
    units = Membership.objects.filter(
        bloc_year=bloc_year, role__in=[Membership.Role.HEAD, Membership.Role.DEPUTY]
    ).values("unit_id")
    users = User.objects.filter(unit_id__in=units, role=User.Role.SECRETARY, is_active=True)
    if except_unit is not None:
        users = users.exclude(unit_id=except_unit)
    return list(users)


def notify(users: list[User], *, key: str, subject: str, body: str) -> int:
    """Record and (after commit) send one email per user for ``key``; returns how many are new."""
    fresh = []
    for user in {u.pk: u for u in users}.values():
        if not user.email:
            continue
        try:
            with transaction.atomic():
                fresh.append(
                    Notification.objects.create(user=user, key=key[:120], subject=subject[:255], body=body)
                )
        except IntegrityError:
            continue  # already notified for this key
    if fresh:
        ids = [n.pk for n in fresh]
        transaction.on_commit(lambda: deliver(ids))
    return len(fresh)


def deliver(ids: list[int]) -> None:
    for notification in Notification.objects.filter(pk__in=ids, sent_at__isnull=True).select_related("user"):
        try:
            send_mail(
                notification.subject,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                [notification.user.email],
            )
        except Exception:
            # A mail server down must not undo the change that was made; the row stays unsent and a later run of
            # send_reminders retries it.
            logger.exception("Could not send notification %s", notification.pk)
            continue
        Notification.objects.filter(pk=notification.pk).update(sent_at=timezone.now())
