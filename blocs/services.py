"""State changes of blocs and units. Views, the admin, commands and tests all go through these functions."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.access import ensure_can_manage
from blocs.audit import audit_record
from blocs.errors import BlocError
from blocs.models import Bloc, Blocker, BlocYear, Handover, Membership, Unit, UnitImport, User
from blocs.rotation import rotation_plan
from blocs.unit_import import parse_units
from thiduabloc.spreadsheets import TableResult


@dataclass(frozen=True)
class CouncilAssignment:
    """Roles named by the council's notice instead of the default rotation rule."""

    head: Unit
    deputy: Unit | None
    notice_number: str
    notice_date: datetime.date


def _latest_year(bloc: Bloc) -> BlocYear | None:
    return bloc.years.prefetch_related("memberships__unit").order_by("-year").first()


@transaction.atomic
def bloc_rotate(
    *,
    actor: User | None,
    bloc: Bloc,
    year: int,
    handover_date: datetime.date | None,
    council: CouncilAssignment | None = None,
) -> BlocYear:
    """Create ``year`` of ``bloc``: its members (the rotation order's units still active on 1 January) and its
    head and deputy, by the default rule or as ``council`` names them; record the handover of the head role.

    Raises BlocError when the year is not the one after the latest, already exists, or the roles are invalid;
    PermissionDenied unless ``actor`` may act for the latest year's head.
    """
    # Lock the bloc so that two secretaries rotating at once cannot both pass the checks below.
    bloc = Bloc.objects.select_for_update().get(pk=bloc.pk)
    previous = _latest_year(bloc)
    ensure_can_manage(actor, previous)

    if not 2000 <= year <= 2100:
        raise BlocError(_("Năm phải trong khoảng 2000–2100."))
    if previous is not None and year <= previous.year:
        raise BlocError(_("Năm %(year)s của khối đã được phân công; không thay đổi gì.") % {"year": year})
    if previous is not None and year != previous.year + 1:
        raise BlocError(
            _("Chỉ có thể phân công năm %(next)s (năm tiếp theo của năm %(latest)s).")
            % {"next": previous.year + 1, "latest": previous.year}
        )
    if previous is None and council is None:
        raise BlocError(
            _("Năm đầu tiên của khối phải phân công theo thông báo của Hội đồng Thi đua – Khen thưởng.")
        )

    plan = rotation_plan(bloc=bloc, year=year, previous=previous)
    if len(plan.members) < 2:
        raise BlocError(_("Khối cần ít nhất hai đơn vị còn hoạt động trong thứ tự luân phiên."))
    if council is not None:
        head, deputy = council.head, council.deputy
        member_ids = {u.pk for u in plan.members}
        if head.pk not in member_ids or (deputy is not None and deputy.pk not in member_ids):
            raise BlocError(_("Khối trưởng và Khối phó phải là thành viên của khối trong năm."))
        if deputy is not None and deputy.pk == head.pk:
            raise BlocError(_("Khối trưởng và Khối phó phải là hai đơn vị khác nhau."))
        if not council.notice_number.strip() or council.notice_date is None:
            raise BlocError(_("Phải ghi số và ngày thông báo của Hội đồng."))
    else:
        head, deputy = plan.head, plan.deputy

    previous_head = previous.head if previous is not None else None
    if previous_head is not None and previous_head.pk != head.pk:
        if handover_date is None:
            raise BlocError(_("Phải ghi ngày bàn giao nhiệm vụ Khối trưởng."))
        if handover_date.year not in (year - 1, year):
            raise BlocError(
                _("Ngày bàn giao phải thuộc năm %(previous)s hoặc năm %(year)s.")
                % {"previous": year - 1, "year": year}
            )

    try:
        with transaction.atomic():
            bloc_year = BlocYear.objects.create(
                bloc=bloc,
                year=year,
                basis=BlocYear.Basis.COUNCIL if council else BlocYear.Basis.ROTATION,
                notice_number=council.notice_number.strip() if council else "",
                notice_date=council.notice_date if council else None,
            )
            roles = {head.pk: Membership.Role.HEAD}
            if deputy is not None:
                roles[deputy.pk] = Membership.Role.DEPUTY
            Membership.objects.bulk_create(
                Membership(bloc_year=bloc_year, unit=u, role=roles.get(u.pk, Membership.Role.MEMBER))
                for u in plan.members
            )
    except IntegrityError:
        raise BlocError(
            _("Năm %(year)s của khối đã được phân công; không thay đổi gì.") % {"year": year}
        ) from None

    handover = None
    if previous_head is not None and previous_head.pk != head.pk:
        handover = Handover.objects.create(
            bloc_year=bloc_year,
            from_unit=previous_head,
            to_unit=head,
            handed_over_on=handover_date,
            recorded_by=actor,
        )
    audit_record(
        actor=actor,
        action="bloc_year.create",
        target=bloc_year,
        basis=bloc_year.basis,
        head=[head.pk, head.name],
        deputy=[deputy.pk, deputy.name] if deputy else None,
        members=[u.pk for u in plan.members],
        left=[u.pk for u in plan.left],
        notice=[bloc_year.notice_number, bloc_year.notice_date] if council else None,
        handover=[previous_head.name, head.name, handover_date] if handover else None,
    )
    return bloc_year


def unit_import_upload(
    *, actor: User, province, file_name: str, content: bytes
) -> tuple[UnitImport | None, TableResult]:
    """Check an uploaded unit list. A clean file is kept, waiting for confirmation; a file with errors is not
    kept and nothing changes. Returns the pending import (or None) and the parse result with its errors."""
    result = parse_units(file_name=file_name, content=content, province=province)
    if result.errors:
        return None, result
    pending = UnitImport.objects.create(
        province=province,
        file_name=file_name[:255],
        content=content,
        row_count=len(result.rows),
        created_by=actor,
    )
    audit_record(actor=actor, action="unit_import.upload", target=pending, rows=len(result.rows))
    return pending, result


@transaction.atomic
def unit_import_apply(*, actor: User, unit_import: UnitImport) -> int:
    """Create the units of a pending import, all or none. Returns how many were created.

    Raises BlocError if the import was already applied, or if the file no longer passes the checks (for example,
    a unit with the same abbreviation was created since the upload).
    """
    claimed = UnitImport.objects.filter(pk=unit_import.pk, status=UnitImport.Status.PENDING).update(
        status=UnitImport.Status.APPLIED, applied_at=timezone.now()
    )
    if claimed != 1:
        raise BlocError(_("Tệp này đã được nhập; không nhập lại."))
    unit_import.refresh_from_db()
    result = parse_units(
        file_name=unit_import.file_name, content=bytes(unit_import.content), province=unit_import.province
    )
    if result.errors:
        raise BlocError(
            _("Tệp không còn hợp lệ: %(errors)s. Không đơn vị nào được nhập.")
            % {"errors": "; ".join(e.as_text() for e in result.errors[:5])}
        )
    units = []
    for row in result.rows:
        unit = Unit(province=unit_import.province, **row.values)
        unit.refresh_search_text()
        units.append(unit)
    try:
        with transaction.atomic():
            Unit.objects.bulk_create(units, batch_size=500)
    except IntegrityError:
        raise BlocError(
            _("Một ký hiệu trong tệp vừa được đơn vị khác sử dụng. Không đơn vị nào được nhập.")
        ) from None
    audit_record(actor=actor, action="unit_import.apply", target=unit_import, created=len(units))
    return len(units)


def _ensure_reward_board(actor: User | None) -> None:
    if actor is not None and not actor.reads_every_bloc:
        raise PermissionDenied(
            _("Chỉ cán bộ Ban Thi đua – Khen thưởng hoặc quản trị viên mới ghi trường hợp này.")
        )


@transaction.atomic
def blocker_record(
    *,
    actor: User | None,
    unit: Unit,
    kind: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    note: str = "",
) -> Blocker:
    """Record that ``unit`` is under discipline, investigation, inspection or an unresolved complaint: while it
    lasts, the unit cannot stand for an award."""
    _ensure_reward_board(actor)
    if kind not in Blocker.Kind.values:
        raise BlocError(_("Trường hợp không hợp lệ."))
    if ended_on is not None and ended_on < started_on:
        raise BlocError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    blocker = Blocker.objects.create(
        unit=unit, kind=kind, started_on=started_on, ended_on=ended_on, note=note.strip(), recorded_by=actor
    )
    audit_record(actor=actor, action="blocker.create", target=blocker, kind=kind, started_on=started_on)
    return blocker


@transaction.atomic
def blocker_end(*, actor: User | None, blocker: Blocker, ended_on: datetime.date) -> Blocker:
    """Close a blocker (the inspection ended, the complaint was resolved)."""
    _ensure_reward_board(actor)
    blocker = Blocker.objects.select_for_update().get(pk=blocker.pk)
    if blocker.ended_on is not None:
        raise BlocError(
            _("Trường hợp này đã kết thúc ngày %(date)s; không thay đổi gì.")
            % {"date": blocker.ended_on.strftime("%d/%m/%Y")}
        )
    if ended_on < blocker.started_on:
        raise BlocError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    blocker.ended_on = ended_on
    blocker.save(update_fields=["ended_on"])
    audit_record(actor=actor, action="blocker.end", target=blocker, ended_on=ended_on)
    return blocker
