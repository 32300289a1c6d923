from django import template
from django.utils.translation import gettext_lazy as _

from scoring.services import format_score

register = template.Library()


@register.filter
def score(value):
    """12.50 → "12,5"; None → "—"."""
    return format_score(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


DEADLINE_BADGES = {
    "done": ("text-bg-success", _("Đã xong")),
    "late": ("text-bg-danger", _("Quá hạn")),
    "due": ("text-bg-warning", _("Sắp đến hạn")),
    "planned": ("text-bg-light", _("Đã lên lịch")),
    "unset": ("text-bg-secondary", _("Chưa đặt ngày")),
}


@register.inclusion_tag("scoring/includes/deadline_badge.html")
def deadline_badge(state):
    css, label = DEADLINE_BADGES[state]
    return {"css": css, "label": label}


SHEET_BADGES = {
    "draft": "text-bg-secondary",
    "submitted": "text-bg-info",
    "returned": "text-bg-warning",
    "reviewed": "text-bg-success",
}


@register.inclusion_tag("scoring/includes/sheet_badge.html")
def sheet_badge(sheet):
    return {"css": SHEET_BADGES[sheet.status], "label": sheet.get_status_display()}


@register.filter
def money(value):
    """2340000 → "2.340.000 đ" (Vietnamese thousands separator); None → "—"."""
    if value is None or value == "":
        return "—"
    from decimal import ROUND_HALF_UP, Decimal

    amount = Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{amount:,} đ".replace(",", ".")
