"""Searching ignores Vietnamese diacritics and case, on SQLite and on PostgreSQL alike."""

import pytest
from django.db import connection
from django.urls import reverse

from blocs.models import Bloc, Unit
from tests.factories import make_bloc, make_province, make_unit, make_user
from thiduabloc.params import search_text
from thiduabloc.text import fold


@pytest.fixture
def units(db):
    province = make_province(name="Cần Thơ", code="CT")
    return {
        "ctd": make_unit(
            province=province, name="Hội Chữ thập đỏ thành phố", short_name="Hội CTĐ", abbreviation="CTĐ"
        ),
        "dy": make_unit(
            province=province, name="Hội Đông y thành phố", short_name="Hội Đông y", abbreviation="HĐY"
        ),
        "kh": make_unit(
            province=province, name="Hội Khuyến học thành phố", short_name="Khuyến học", abbreviation="HKH"
        ),
    }


def test_fold_removes_marks_and_case():
    assert fold("Hội Chữ thập ĐỎ") == "hoi chu thap do"
    assert fold("  ĐƯỜNG   Ơn ạ ấ ") == "duong on a a"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("chu thap do", {"ctd"}),
        ("CHỮ THẬP ĐỎ", {"ctd"}),
        ("Chữ thap do", {"ctd"}),
        ("dong y", {"dy"}),
        ("hoi thanh pho", {"ctd", "dy", "kh"}),
        ("ctđ", {"ctd"}),
        ("khuyen", {"kh"}),
        ("xyz", set()),
    ],
)
def test_unit_search_ignores_diacritics_and_case(units, query, expected):
    found = set(Unit.objects.search(query).values_list("pk", flat=True))
    assert found == {units[key].pk for key in expected}


def test_search_text_follows_a_rename(units):
    unit = units["kh"]
    unit.name = "Hội Người cao tuổi thành phố"
    unit.save(update_fields=["name"])
    assert list(Unit.objects.search("nguoi cao tuoi")) == [unit]


def test_the_admin_finds_chu_thap_do(admin_client, units):
    response = admin_client.get(reverse("admin:blocs_unit_changelist"), {"q": "chu thap do"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hội Chữ thập đỏ thành phố" in page
    assert "Hội Đông y thành phố" not in page


def test_the_admin_autocomplete_uses_the_same_search(admin_client, units):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "dong y", "app_label": "blocs", "model_name": "unit", "field_name": "successor"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Hội Đông y thành phố"]


def test_bloc_search_ignores_diacritics(db):
    province = make_province()
    make_bloc(province=province, name="Khối thi đua Văn hóa – Xã hội")
    make_bloc(province=province, name="Khối thi đua Kinh tế")
    assert list(Bloc.objects.search("van hoa xa hoi").values_list("name", flat=True)) == [
        "Khối thi đua Văn hóa – Xã hội"
    ]


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("  Hội   Chữ thập đỏ ", "Hội Chữ thập đỏ"),
        ("chu\x00thap", "chu thap"),  # PostgreSQL refuses a NUL in a string
        ("hội\tnông\ndân\u202e", "hội nông dân"),
        ("ệ" * 300, "ệ" * 100),
        (None, ""),
    ],
)
def test_search_text_drops_control_characters(typed, searched):
    assert search_text(typed) == searched


@pytest.mark.parametrize("name", ["blocs:search", "blocs:dashboard"])
def test_a_search_with_a_nul_character_finds_the_rest(client, world, name):
    client.force_login(make_user(role="reviewer", username="ban.tdkt"))
    response = client.get(reverse(name), {"q": "Khối\x00"})
    assert response.status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm indexes exist on PostgreSQL only")
def test_postgresql_answers_a_word_inside_the_names_from_a_trigram_index(units):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE indexname IN ('unit_search_trgm', 'bloc_search_trgm')"
        )
        found = dict(cursor.fetchall())
        assert set(found) == {"blocs_unit", "blocs_bloc"}
        assert all("gin" in d and "gin_trgm_ops" in d for d in found.values())
        # With sequential scans ruled out, the planner reads the search through the index (unsorted: sorted by
        # name, a table this small is read in order through the name index instead).
        cursor.execute("SET LOCAL enable_seqscan = off")
        query = Unit.objects.search("thap do").only("pk").order_by().query
        sql, params = query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        assert "unit_search_trgm" in "\n".join(row[0] for row in cursor.fetchall())
    assert list(Unit.objects.search("thập đỏ")) == [units["ctd"]]
