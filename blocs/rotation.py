"""The default rotation rule of a bloc's head and deputy, as a pure computation.

The rule most councils follow: the new head is last year's deputy; the new deputy is the next unit in the bloc's
rotation order after the new head. Units that left the bloc (no longer in the order, or closed before the year
starts) are skipped.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from blocs.errors import BlocError
from blocs.models import Bloc, BlocYear, Membership, Unit


def _next_in_cycle(
    order: Sequence[int], eligible: set[int], after: int | None, exclude: set[int]
) -> int | None:
    """First eligible id after ``after`` in the cyclic ``order`` (from the start when ``after`` is not in it)."""
    start = order.index(after) + 1 if after in order else 0
    for step in range(len(order)):
        candidate = order[(start + step) % len(order)]
        if candidate in eligible and candidate not in exclude:
            return candidate
    return None


def next_roles(
    order: Sequence[int], eligible: set[int], prev_head: int | None, prev_deputy: int | None
) -> tuple[int, int | None]:
    """Return (head, deputy) ids for the coming year under the default rule.

    ``order`` is the rotation order (ids), ``eligible`` the ids that remain members next year.
    """
    if not any(unit_id in eligible for unit_id in order):
        raise BlocError(_("Khối chưa có đơn vị nào trong thứ tự luân phiên còn hoạt động."))
    if prev_deputy in eligible:
        head = prev_deputy
    else:
        # The deputy left: the head role goes to the next unit after the outgoing head (or after the deputy's
        # old place when the head left too), never back to the outgoing head while another unit remains.
        anchor = prev_head if prev_head in order else prev_deputy
        head = _next_in_cycle(
            order, eligible, anchor, exclude={prev_head} if prev_head is not None else set()
        )
        if head is None:
            head = prev_head
    deputy = _next_in_cycle(order, eligible, head, exclude={head})
    return head, deputy


@dataclass
class RotationPlan:
    bloc: Bloc
    year: int
    previous: BlocYear | None
    members: list[Unit]
    left: list[Unit] = field(default_factory=list)
    head: Unit | None = None
    deputy: Unit | None = None


def rotation_plan(*, bloc: Bloc, year: int, previous: BlocYear | None) -> RotationPlan:
    """Who belongs to ``bloc`` in ``year`` and, when there is a previous year, the default head and deputy.

    ``previous`` must come with its memberships prefetched.
    """
    first_day = datetime.date(year, 1, 1)
    slots = list(bloc.rotation.select_related("unit").order_by("position"))
    members = [s.unit for s in slots if s.unit.is_active_on(first_day)]
    left = [s.unit for s in slots if not s.unit.is_active_on(first_day)]
    plan = RotationPlan(bloc=bloc, year=year, previous=previous, members=members, left=left)
    if previous is None or not members:
        return plan
    by_id = {u.pk: u for u in members}
    prev_head = next((m.unit_id for m in previous.memberships.all() if m.role == Membership.Role.HEAD), None)
    prev_deputy = next(
        (m.unit_id for m in previous.memberships.all() if m.role == Membership.Role.DEPUTY), None
    )
    head_id, deputy_id = next_roles([s.unit_id for s in slots], set(by_id), prev_head, prev_deputy)
    plan.head = by_id[head_id]
    plan.deputy = by_id.get(deputy_id)
    return plan
