"""thiduabloc.links.object_url: the link reverse() would give, from a pattern reversed once."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from thiduabloc.links import object_url

ONE_ID_VIEWS = [
    "blocs:unit_detail",
    "blocs:bloc_detail",
    "scoring:campaign_detail",
    "scoring:sheet_detail",
    "scoring:evidence_download",
    "scoring:conference_detail",
    "scoring:round_detail",
    "scoring:nomination_detail",
    "reports:document_pdf",
]


@pytest.mark.parametrize("viewname", ONE_ID_VIEWS)
@pytest.mark.parametrize("pk", [1, 7, 10, 100, 987, 2_000_000_001])
def test_each_link_is_the_one_reverse_gives(viewname, pk):
    assert object_url(viewname, pk) == reverse(viewname, args=[pk])


def test_a_site_served_under_a_prefix_links_under_it():
    try:
        set_script_prefix("/thi-dua/")
        assert (
            object_url("blocs:bloc_detail", 5)
            == reverse("blocs:bloc_detail", args=[5])
            == "/thi-dua/blocs/5/"
        )
    finally:
        set_script_prefix("/")
    assert object_url("blocs:bloc_detail", 5) == "/blocs/5/"


def test_the_language_is_part_of_the_cached_pattern():
    with translation.override("en"):
        english = object_url("blocs:unit_detail", 3)
    assert english == object_url("blocs:unit_detail", 3) == reverse("blocs:unit_detail", args=[3])


def test_an_unsaved_object_has_no_link_as_before():
    with pytest.raises(NoReverseMatch):
        object_url("blocs:bloc_detail", None)


def test_a_view_without_exactly_one_id_is_refused():
    with pytest.raises(NoReverseMatch):
        object_url("blocs:dashboard", 1)
    with pytest.raises(NoReverseMatch):
        object_url("scoring:campaign_create", 1)
