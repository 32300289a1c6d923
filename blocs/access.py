"""Who may see and do what: the one place that decides.

Reading: reward-board reviewers and administrators read every bloc; everyone else reads the blocs their unit has
belonged to in any year. Another bloc's pages answer 404, so that their existence is not revealed.

Managing a bloc-year (rotation, and later the campaign's steps): the staff with the secretary role of the unit that
is head that year, or of the deputy acting for it; administrators too. Rights follow the head role year by year.
A user who may read but not act gets 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from blocs.models import Bloc, BlocYear, Membership, Unit, User

MANAGING_ROLES = (Membership.Role.HEAD, Membership.Role.DEPUTY)


def is_administrator(user: User) -> bool:
    return user.is_superuser or user.role == User.Role.ADMIN


def unit_bloc_ids(user: User) -> QuerySet:
    """For a user who does not read every bloc: the ids of the blocs their unit has belonged to, as a subquery
    for ``bloc_id__in`` filters (empty without a unit)."""
    return Membership.objects.filter(unit_id=user.unit_id).values("bloc_year__bloc_id")


def visible_blocs(user: User) -> QuerySet[Bloc]:
    if user.reads_every_bloc:
        return Bloc.objects.all()
    if user.unit_id is None:
        return Bloc.objects.none()
    # IN, not a correlated EXISTS: nested in other filters (units, nominations), an EXISTS was run once per unit
    # of the country (0.8 s at national scale); the IN's few bloc ids are read once.
    return Bloc.objects.filter(pk__in=unit_bloc_ids(user))


def visible_units(user: User, *, ids_first: bool = False) -> QuerySet[Unit]:
    """Units of the blocs the user reads, and the user's own unit.

    ``ids_first``: for a user who reads only their blocs, read the few ids now (one query) and filter on them. A
    search sorted by name then reads those units by id; given the subquery, PostgreSQL walked every unit of the
    country in name order and checked each against it (4 ms for "hội" at national scale)."""
    if user.reads_every_bloc:
        return Unit.objects.all()
    shares_a_bloc = Membership.objects.filter(bloc_year__bloc_id__in=unit_bloc_ids(user)).values("unit_id")
    if ids_first:
        ids = {*shares_a_bloc.values_list("unit_id", flat=True), user.unit_id}
        return Unit.objects.filter(pk__in=sorted(ids))
    return Unit.objects.filter(Q(pk__in=shares_a_bloc) | Q(pk=user.unit_id))


def can_manage(user: User, bloc_year: BlocYear | None) -> bool:
    """Whether ``user`` may act for the head of ``bloc_year`` (uses prefetched memberships when present)."""
    if is_administrator(user):
        return True
    if bloc_year is None or user.role != User.Role.SECRETARY or user.unit_id is None:
        return False
    return any(m.unit_id == user.unit_id and m.role in MANAGING_ROLES for m in bloc_year.memberships.all())


def ensure_can_manage(user: User | None, bloc_year: BlocYear | None) -> None:
    """Raise PermissionDenied unless ``user`` may act for the head; None is the operator's command line."""
    if user is not None and not can_manage(user, bloc_year):
        raise PermissionDenied(
            _("Chỉ thư ký của đơn vị Khối trưởng (hoặc Khối phó) mới được thực hiện thao tác này.")
        )


def get_bloc(user: User, bloc_id: int) -> Bloc:
    """The bloc if ``user`` may read it, else 404."""
    return get_object_or_404(visible_blocs(user).select_related("province"), pk=bloc_id)


def get_managed_bloc(user: User, bloc_id: int) -> tuple[Bloc, BlocYear | None]:
    """The bloc and its latest year, if ``user`` may act for that year's head: 404 if unreadable, else 403."""
    bloc = get_bloc(user, bloc_id)
    latest = bloc.years.prefetch_related("memberships__unit").order_by("-year").first()
    ensure_can_manage(user, latest)
    return bloc, latest


def get_unit(user: User, unit_id: int) -> Unit:
    return get_object_or_404(
        visible_units(user).select_related("province", "successor"),
        pk=unit_id,
    )
