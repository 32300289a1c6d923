"""The review queue's order: newest year first, then bloc, award and unit, read from the copies each nomination
keeps, which follow a unit or a bloc renamed and an award moved in the admin."""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse

from scoring.models import AwardType, Nomination
from tests.factories import voted_campaign


@pytest.fixture
def voted(world, year_a_2024, private_media, secretary, deputy_secretary, outsider, administrator):
    """Bloc A voted in 2023 and 2024, bloc B in 2023: three nominations each (a flag, two Bằng khen)."""
    return [
        voted_campaign(world["year_a"], [secretary, deputy_secretary]),
        voted_campaign(world["year_b"], [outsider, administrator]),
        voted_campaign(year_a_2024, [secretary, deputy_secretary]),
    ]


def live_order():
    """The queue's order worked out from the campaign, bloc, award and unit themselves."""
    rows = Nomination.objects.select_related("campaign__bloc_year__bloc", "award_type", "unit")
    return [
        n.pk
        for n in sorted(
            rows,
            key=lambda n: (
                -n.campaign.bloc_year.year,
                n.campaign.bloc_year.bloc.name,
                n.award_type.position,
                n.unit.name,
                n.pk,
            ),
        )
    ]


def queue_order(client, **params):
    response = client.get(reverse("scoring:review_queue"), {"status": "", **params})
    assert response.status_code == 200
    return [n.pk for n in response.context["page"].object_list]


def table_cells(client, **params) -> list[list[str]]:
    """The queue's table as the reviewer reads it: year, bloc, award, unit, status of each row."""
    page = client.get(reverse("scoring:review_queue"), {"status": "", **params}).content.decode()
    body = page.split('<table class="table" id="queue">', 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    ]


def label(pk):
    n = Nomination.objects.select_related("campaign__bloc_year__bloc", "award_type", "unit").get(pk=pk)
    return (n.campaign.bloc_year.year, n.campaign.bloc_year.bloc.name, n.award_type.code, n.unit.name)


def test_new_nominations_carry_the_queue_sort_keys(voted):
    for n in Nomination.objects.select_related("campaign__bloc_year__bloc", "award_type", "unit"):
        assert (n.sort_year, n.sort_bloc, n.sort_award, n.sort_unit) == (
            n.campaign.bloc_year.year,
            n.campaign.bloc_year.bloc.name,
            n.award_type.position,
            n.unit.name,
        )


def test_the_queue_lists_the_newest_year_first_then_by_bloc_award_and_unit(client, voted, reviewer):
    client.force_login(reviewer)
    shown = queue_order(client)
    assert len(shown) == 9 and shown == live_order()
    assert [label(pk)[:3] for pk in shown[:4]] == [
        (2024, "Khối A", "co-thi-dua-ubnd"),
        (2024, "Khối A", "bang-khen-chu-tich-ubnd"),
        (2024, "Khối A", "bang-khen-chu-tich-ubnd"),
        (2023, "Khối A", "co-thi-dua-ubnd"),
    ]
    # A filter keeps the order.
    assert queue_order(client, year=2023) == [pk for pk in live_order() if label(pk)[0] == 2023]


def test_the_queue_follows_a_bloc_renamed_in_the_admin(admin_client, client, voted, reviewer, world):
    bloc_a = world["bloc_a"]
    change = reverse("admin:blocs_bloc_change", args=[bloc_a.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "name": "Khối Z",
            "province": bloc_a.province_id,
            "rotation-TOTAL_FORMS": 0,
            "rotation-INITIAL_FORMS": 0,
        }
    )
    response = admin_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.force_login(reviewer)
    shown = queue_order(client, year=2023)
    assert [label(pk)[1] for pk in shown] == ["Khối B"] * 3 + ["Khối Z"] * 3
    assert shown == [pk for pk in live_order() if label(pk)[0] == 2023]
    assert set(
        Nomination.objects.filter(campaign__bloc_year__bloc=bloc_a).values_list("sort_bloc", flat=True)
    ) == {"Khối Z"}
    # The table shows the new name, from the same copies.
    cells = table_cells(client, year=2023)
    assert [row[1] for row in cells] == ["Khối B"] * 3 + ["Khối Z"] * 3


def test_the_queue_follows_a_unit_renamed_in_the_admin(admin_client, client, voted, reviewer, world):
    # Bloc A's two Bằng khen of 2023 went to A2 then A3; A3 renamed to sort first.
    unit = world["a_units"][2]
    change = reverse("admin:blocs_unit_change", args=[unit.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value not in (None, "")}
    data.update({"name": "Ban Đại diện Hội A3", "province": unit.province_id})
    response = admin_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.force_login(reviewer)
    shown = queue_order(client, year=2023, bloc=world["bloc_a"].pk)
    assert [label(pk)[3] for pk in shown] == ["Hội thành viên A1", "Ban Đại diện Hội A3", "Hội thành viên A2"]
    assert shown == [pk for pk in live_order() if label(pk)[:2] == (2023, "Khối A")]
    assert [row[3] for row in table_cells(client, year=2023, bloc=world["bloc_a"].pk)] == [
        "Hội thành viên A1",
        "Ban Đại diện Hội A3",
        "Hội thành viên A2",
    ]


def test_the_queue_follows_an_award_moved_in_the_admin(admin_client, client, voted, reviewer):
    flag = AwardType.objects.get(code="co-thi-dua-ubnd")
    merit = AwardType.objects.get(code="bang-khen-chu-tich-ubnd")
    last = max(AwardType.objects.values_list("position", flat=True)) + 1
    flag.position = last
    # Through the change form, as the list's editable column saves the same way (save_model).
    change = reverse("admin:scoring_awardtype_change", args=[flag.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"position": last, "is_active": "on" if flag.is_active else ""})
    response = admin_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.force_login(reviewer)
    shown = queue_order(client, year=2024)
    assert [label(pk)[2] for pk in shown] == [merit.code, merit.code, flag.code]
    assert shown == [pk for pk in live_order() if label(pk)[0] == 2024]


def test_an_edit_that_keeps_the_name_changes_no_nomination(admin_client, voted, world):
    unit = world["a_units"][1]
    before = list(Nomination.objects.order_by("pk").values_list("pk", "sort_unit", "updated_at"))
    change = reverse("admin:blocs_unit_change", args=[unit.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value not in (None, "")}
    data.update({"province": unit.province_id, "address": "Số 2 Hòa Bình"})
    assert admin_client.post(change, data).status_code == 302
    unit.refresh_from_db()
    assert unit.address == "Số 2 Hòa Bình"
    assert list(Nomination.objects.order_by("pk").values_list("pk", "sort_unit", "updated_at")) == before


def test_the_migration_copies_the_keys_of_existing_nominations(voted):
    """Nominations made before the keys existed get them from their campaign, bloc, award and unit."""
    Nomination.objects.update(sort_year=0, sort_bloc="", sort_award=0, sort_unit="")
    migration = importlib.import_module("scoring.migrations.0011_nomination_queue_order")
    migration.copy_sort_keys(apps, None)
    test_new_nominations_carry_the_queue_sort_keys(voted)


def test_the_queue_follows_awards_reordered_in_the_admin_list(admin_client, client, voted, reviewer):
    """The award list's editable column (how positions are usually changed): the flag moved after Bằng khen."""
    awards = list(AwardType.objects.order_by("position", "name"))
    data = {"form-TOTAL_FORMS": len(awards), "form-INITIAL_FORMS": len(awards), "_save": "Lưu"}
    last = len(awards) + 1
    for i, award in enumerate(awards):
        data[f"form-{i}-id"] = award.pk
        data[f"form-{i}-position"] = last if award.code == "co-thi-dua-ubnd" else award.position
        if award.is_active:
            data[f"form-{i}-is_active"] = "on"
    response = admin_client.post(reverse("admin:scoring_awardtype_changelist"), data)
    assert response.status_code == 302
    assert AwardType.objects.get(code="co-thi-dua-ubnd").position == last
    client.force_login(reviewer)
    shown = queue_order(client, year=2023, bloc=voted[0].bloc_year.bloc_id)
    assert [label(pk)[2] for pk in shown] == ["bang-khen-chu-tich-ubnd"] * 2 + ["co-thi-dua-ubnd"]
    assert shown == [pk for pk in live_order() if label(pk)[:2] == (2023, "Khối A")]


def test_the_queue_names_each_row_as_its_campaign_bloc_award_and_unit_do(client, voted, reviewer):
    """Read from the nomination's own copies and the award list: the same as the rows they copy, a retired
    award's nominations included (the award filter offers only the awards in use)."""
    retired = AwardType.objects.get(code="co-thi-dua-ubnd")
    retired.is_active = False
    retired.save()
    client.force_login(reviewer)
    expected = []
    for pk in live_order():
        n = Nomination.objects.select_related("campaign__bloc_year__bloc", "award_type", "unit").get(pk=pk)
        expected.append(
            [
                str(n.campaign.bloc_year.year),
                n.campaign.bloc_year.bloc.name,
                n.award_type.short_name,
                n.unit.name,
                n.get_status_display(),
            ]
        )
    assert table_cells(client) == expected
    assert retired.short_name in {row[2] for row in expected}
    response = client.get(reverse("scoring:review_queue"))
    assert retired not in response.context["awards"]
