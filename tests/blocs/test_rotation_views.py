import datetime

from django.urls import reverse

from blocs.models import AuditEntry, BlocYear, Handover, Membership


def rotate_url(world):
    return reverse("blocs:bloc_rotate", args=[world["bloc_a"].pk])


def test_the_confirmation_page_shows_the_default_plan(client, world, secretary):
    client.force_login(secretary)
    response = client.get(reverse("blocs:bloc_rotate_confirm", args=[world["bloc_a"].pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Phân công Khối trưởng, Khối phó năm 2024" in page
    assert world["a_units"][1].name in page  # next head
    assert 'value="2024"' in page
    assert not BlocYear.objects.filter(year=2024).exists()  # GET changes nothing


def test_posting_the_form_rotates_and_shows_the_new_head(client, world, secretary):
    client.force_login(secretary)
    response = client.post(
        rotate_url(world), {"method": "rotation", "year": "2024", "handover_date": "2023-12-27"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("blocs:bloc_detail", args=[world["bloc_a"].pk])
    page = response.content.decode()
    assert f"Đã phân công năm 2024: Khối trưởng {world['a_units'][1].name}" in page
    new_year = BlocYear.objects.get(bloc=world["bloc_a"], year=2024)
    assert new_year.memberships.get(role=Membership.Role.HEAD).unit == world["a_units"][1]
    assert Handover.objects.get(bloc_year=new_year).handed_over_on == datetime.date(2023, 12, 27)


def test_a_council_assignment_without_its_notice_is_refused(client, world, secretary):
    client.force_login(secretary)
    response = client.post(
        rotate_url(world),
        {"method": "council", "year": "2024", "handover_date": "2023-12-27", "head": world["a_units"][3].pk},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ghi số thông báo của Hội đồng." in page
    assert "Ghi ngày thông báo." in page
    assert not BlocYear.objects.filter(year=2024).exists()


def test_a_council_assignment_through_the_form(client, world, secretary):
    client.force_login(secretary)
    client.post(
        rotate_url(world),
        {
            "method": "council",
            "year": "2024",
            "handover_date": "2023-12-27",
            "head": world["a_units"][3].pk,
            "deputy": world["a_units"][4].pk,
            "notice_number": "09/TB-HĐTĐKT",
            "notice_date": "2023-12-10",
        },
    )
    new_year = BlocYear.objects.get(bloc=world["bloc_a"], year=2024)
    assert new_year.notice_number == "09/TB-HĐTĐKT"
    assert new_year.memberships.get(role=Membership.Role.DEPUTY).unit == world["a_units"][4]


def test_a_tampered_year_or_unit_changes_nothing(client, world, secretary):
    client.force_login(secretary)
    for data in (
        {"method": "rotation", "year": "2031", "handover_date": "2023-12-27"},
        {"method": "rotation", "year": "abc", "handover_date": "2023-12-27"},
        {"method": "rotation", "year": "2024", "handover_date": "27/13/2023"},
        {"method": "sideways", "year": "2024"},
        {
            "method": "council",
            "year": "2024",
            "head": world["b_units"][0].pk,
            "notice_number": "1",
            "notice_date": "2023-12-01",
        },
    ):
        response = client.post(rotate_url(world), data, follow=True)
        assert response.status_code in (200, 400)
    assert not BlocYear.objects.filter(bloc=world["bloc_a"], year__gt=2023).exists()
    assert not AuditEntry.objects.exists()


def test_a_double_submit_rotates_once(client, world, secretary, deputy_secretary):
    data = {"method": "rotation", "year": "2024", "handover_date": "2023-12-27"}
    client.force_login(secretary)
    client.post(rotate_url(world), data)
    # The deputy's staff (head from 2024) sends the same form again: it names 2024, which exists.
    client.force_login(deputy_secretary)
    response = client.post(rotate_url(world), data, follow=True)
    assert "Năm 2024 của khối đã được phân công; không thay đổi gì." in response.content.decode()
    assert BlocYear.objects.filter(bloc=world["bloc_a"]).count() == 2


def test_rights_move_with_the_head_role(client, world, secretary, deputy_secretary):
    client.force_login(secretary)
    client.post(rotate_url(world), {"method": "rotation", "year": "2024", "handover_date": "2023-12-27"})
    confirm = reverse("blocs:bloc_rotate_confirm", args=[world["bloc_a"].pk])
    # The outgoing head is a plain member in 2024: no more rights.
    assert client.get(confirm).status_code == 403
    client.force_login(deputy_secretary)
    assert client.get(confirm).status_code == 200


def test_a_missing_handover_date_is_asked_for_on_the_form(client, world, secretary):
    client.force_login(secretary)
    response = client.post(rotate_url(world), {"method": "rotation", "year": "2024"})
    assert response.status_code == 400
    assert "Ghi ngày bàn giao nhiệm vụ Khối trưởng." in response.content.decode()
    assert not BlocYear.objects.filter(year=2024).exists()
