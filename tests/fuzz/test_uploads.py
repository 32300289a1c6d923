"""Every upload, fuzzed: random bytes, empty files, files one byte over the limit, wrong extensions, contents that
do not match the name, random zips named .xlsx, and real spreadsheets and CSV files full of odd cells.

A file that passes the first step is taken through the next one in the same example (the criteria table's
preview is applied; the unit list waiting in the admin is imported), so the fuzzed content reaches the services.
"""

import pytest
from django.urls import reverse

from blocs.forms import MAX_IMPORT_BYTES
from blocs.unit_import import COLUMNS as UNIT_COLUMNS
from scoring.criteria_import import MAX_BYTES as CRITERIA_MAX_BYTES
from scoring.evidence_files import MAX_EVIDENCE_BYTES
from tests.fuzz import strategies as S
from tests.fuzz.files import CRITERIA_HEADER
from tests.fuzz.harness import Case, Target, read_form, run_case, succeeded

pytestmark = pytest.mark.django_db


def criteria_import(request):
    campaign, secretary = (request.getfixturevalue(n) for n in ("draft_campaign", "secretary"))
    url = reverse("scoring:criteria_import", args=[campaign.pk])
    apply_url = reverse("scoring:criteria_import_apply", args=[campaign.pk])

    def apply_the_preview(response):
        page = response.content.decode()
        if response.status_code != 200 or apply_url not in page:
            return None
        fields = read_form(page, action=apply_url, page=url)
        return apply_url, {f.name: f.default for f in fields}, succeeded

    return Target(
        url=url,
        user=secretary,
        uploads=S.upload(limit=CRITERIA_MAX_BYTES, names=["bang-tieu-chi.xlsx"], header=CRITERIA_HEADER),
        then=apply_the_preview,
    )


def evidence_add(request):
    state, focal = (request.getfixturevalue(n) for n in ("scoring_state", "unit4_focal"))
    sheet = state["draft_sheet"]
    return Target(
        url=reverse("scoring:evidence_add", args=[sheet.pk]),
        page=sheet.get_absolute_url(),
        user=focal,
        uploads=S.upload(limit=MAX_EVIDENCE_BYTES, names=["bien-ban.pdf", "anh.png", "bang.xlsx"]),
    )


def unit_import(request):
    """The admin's unit import: upload (kept waiting when clean), then the preview's confirmation."""
    world, administrator = (request.getfixturevalue(n) for n in ("world", "administrator"))
    url = reverse("admin:blocs_unit_import")

    def kept_waiting(response):
        return response.status_code == 302 and "/import/" in response["Location"]

    def confirm(response):
        return (response["Location"], {}, succeeded) if kept_waiting(response) else None

    return Target(
        url=url,
        user=administrator,
        defaults={"province": str(world["province"].pk)},
        uploads=S.upload(
            limit=MAX_IMPORT_BYTES,
            names=["danh-sach.xlsx", "danh-sach.csv"],
            header=[c.title for c in UNIT_COLUMNS],
        ),
        accepted=kept_waiting,
        then=confirm,
    )


CASES = [
    Case("scoring:criteria_import", criteria_import, examples=25),
    Case("scoring:evidence_add", evidence_add, examples=25),
    Case("admin:blocs_unit_import", unit_import, examples=25),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_files_never_fail_and_a_refusal_changes_nothing(case, request):
    run_case(case, request)
