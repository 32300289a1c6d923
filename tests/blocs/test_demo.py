import io

from django.core.management import call_command
from django.urls import reverse

from blocs.models import AuditEntry, Bloc, BlocYear, Handover, Membership, Unit, User


def roles(year: int) -> tuple[str, str]:
    bloc_year = BlocYear.objects.get(bloc__name="Khối thi đua các Hội có tính chất đặc thù số 1", year=year)
    head = bloc_year.memberships.get(role=Membership.Role.HEAD).unit.name
    deputy = bloc_year.memberships.get(role=Membership.Role.DEPUTY).unit.name
    return head, deputy


def test_the_demo_bloc_has_the_roles_of_the_news_report(db):
    call_command("load_demo", stdout=io.StringIO())

    assert roles(2021) == ("Hội Chữ thập đỏ thành phố", "Liên hiệp các Hội Khoa học và Kỹ thuật thành phố")
    assert roles(2022) == (
        "Liên hiệp các Hội Khoa học và Kỹ thuật thành phố",
        "Liên hiệp các Tổ chức Hữu nghị thành phố",
    )
    assert roles(2023) == ("Liên hiệp các Tổ chức Hữu nghị thành phố", "Liên minh các Hợp tác xã thành phố")
    handover = Handover.objects.get(bloc_year__year=2023, bloc_year__bloc__number=1)
    assert handover.handed_over_on.isoformat() == "2022-12-28"
    assert BlocYear.objects.get(bloc__number=1, year=2023).memberships.count() == 5
    assert Bloc.objects.count() == 3


def test_loading_the_demo_twice_changes_nothing(db, capsys):
    call_command("load_demo")
    counts = [m.objects.count() for m in (Unit, Bloc, BlocYear, Membership, Handover, User, AuditEntry)]
    call_command("load_demo")
    assert [
        m.objects.count() for m in (Unit, Bloc, BlocYear, Membership, Handover, User, AuditEntry)
    ] == counts
    out = capsys.readouterr().out
    for username in ("quantri", "bantdkt", "thuky.huunghi", "canbo.chuthapdo"):
        assert username in out
    assert "thiduabloc-demo" in out


def test_each_demo_user_can_log_in(client, db):
    call_command("load_demo", stdout=io.StringIO())
    for username in ("quantri", "bantdkt", "thuky.huunghi", "canbo.chuthapdo"):
        client.logout()
        response = client.post(reverse("login"), {"username": username, "password": "thiduabloc-demo"})
        assert response.status_code == 302, username
        assert response.headers["Location"] == reverse("blocs:dashboard")
    assert {u.role for u in User.objects.all()} == set(User.Role.values)
