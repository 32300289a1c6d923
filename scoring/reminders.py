"""Reminders before each deadline of a campaign, sent by `manage.py send_reminders` (safe to run every day)."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.models import Notification
from blocs.notifications import deliver, link, managers_of, notify, staff_of
from scoring.models import Campaign, ScoreSheet

# Who is reminded of which date: the units whose sheet is not in yet, or the head's secretaries.
UNIT_DEADLINES = {"scoring_deadline"}


def send_due_reminders(today: datetime.date | None = None) -> int:
    """Remind, once per person and deadline, of every deadline within REMINDER_DAYS_BEFORE days that is not met
    yet; then retry the notifications a mail server refused earlier. Returns how many reminders were new."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.REMINDER_DAYS_BEFORE)
    sent = 0
    campaigns = (
        Campaign.objects.exclude(status=Campaign.Status.CLOSED)
        .select_related("bloc_year__bloc")
        .prefetch_related("bloc_year__memberships")
    )
    for campaign in campaigns:
        for deadline in campaign.deadlines(today):
            day = deadline["date"]
            if day is None or deadline["done"] or not today <= day <= horizon:
                continue
            key = f"deadline:{campaign.pk}:{deadline['field']}:{day.isoformat()}"
            values = {
                "deadline": str(deadline["label"]).capitalize(),
                "date": f"{day:%d/%m/%Y}",
                "bloc": campaign.bloc_year.bloc.name,
            }
            if day == today:
                subject = _("Nhắc việc: %(deadline)s hôm nay – %(bloc)s") % values
            else:
                subject = _("Nhắc việc: %(deadline)s ngày %(date)s – %(bloc)s") % values
            if deadline["field"] in UNIT_DEADLINES:
                pending = campaign.sheets.filter(
                    status__in=[ScoreSheet.Status.DRAFT, ScoreSheet.Status.RETURNED]
                )
                for sheet in pending.select_related("unit"):
                    sent += notify(
                        staff_of(sheet.unit_id),
                        key=key,
                        subject=subject,
                        body=_("Phiếu chấm điểm của %(unit)s chưa được gửi.\n\n%(link)s")
                        % {"unit": sheet.unit.name, "link": link(sheet)},
                    )
            else:
                sent += notify(
                    managers_of(campaign.bloc_year),
                    key=key,
                    subject=subject,
                    body=f"{campaign.title}, {campaign.bloc_year.bloc.name}.\n\n{link(campaign)}",
                )
    deliver(list(Notification.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)))
    return sent
