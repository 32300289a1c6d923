"""Reading the site in English: the user's choice, kept in Django's language cookie, and nothing else.

The site speaks Vietnamese until the user picks another language with the switcher in the navigation bar
(Django's set_language view). The browser's Accept-Language does not count: officials share machines set up
in English. The pages below are rendered in English and must not show a UI string left in Vietnamese.
"""

import datetime
import decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from blocs.models import AuditEntry
from scoring.models import AwardType, CriteriaGroup, Criterion, Nomination, VoteRound
from tests.factories import voted_campaign
from tests.test_translations import PROJECT_PO, looks_vietnamese, parse_po

pytestmark = pytest.mark.django_db


def choose(client, language, next_url="/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def english(msgid):
    with translation.override("en"):
        return translation.gettext(msgid)


class _Text(HTMLParser):
    """The text a reader sees or hears: text nodes outside script/style, and labelling attributes."""

    ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self):
        super().__init__()
        self.chunks, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.chunks.extend(value.strip() for name, value in attrs if name in self.ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.chunks.append(" ".join(data.split()))


def visible_text(html):
    parser = _Text()
    parser.feed(html)
    return parser.chunks


def vietnamese_ui_strings():
    """Every UI string of the project written in Vietnamese, without placeholders (they are filled in)."""
    _, entries = parse_po(PROJECT_PO["vi", "django"])
    return {
        " ".join(entry.msgid.split())
        for entry in entries
        if looks_vietnamese(entry.msgid) and "%" not in entry.msgid and "{" not in entry.msgid
    }


def untranslated(html):
    """UI strings of the page still in Vietnamese. What users stored is data and stays as entered: an award
    called "Bằng khen" or a criterion with that text is shown as is, though a column heading with the same
    words is translated."""
    data = {
        *AwardType.objects.values_list("name", flat=True),
        *AwardType.objects.values_list("short_name", flat=True),
        *Criterion.objects.values_list("title", flat=True),
        *CriteriaGroup.objects.values_list("title", flat=True),
    }
    sources = vietnamese_ui_strings() - data
    return sorted({chunk for chunk in visible_text(html) if chunk in sources})


def test_vietnamese_is_the_default_whatever_the_browser_says(client, secretary):
    client.force_login(secretary)

    response = client.get(reverse("blocs:dashboard"), headers={"accept-language": "en-US,en;q=0.9"})

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "vi"
    assert "Cookie" in response.headers["Vary"]
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng xuất" in html


def test_choosing_english_sets_the_cookie_and_returns_to_the_page(client, secretary, world):
    client.force_login(secretary)
    page = reverse("blocs:bloc_detail", args=[world["bloc_a"].pk])

    response = choose(client, "en", page)

    assert response.status_code == 302
    assert response.headers["Location"] == page
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get(page)
    assert response.headers["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert english("Đăng xuất") != "Đăng xuất"
    assert english("Đăng xuất") in html
    assert "Đăng xuất" not in html
    # Data stays as it was entered.
    assert "Hội thành viên A1" in html
    # Back to Vietnamese the same way.
    choose(client, "vi", page)
    assert "Đăng xuất" in client.get(page).content.decode()


@pytest.mark.parametrize("language", ["fr", "", "en'><script>"])
def test_a_language_the_site_does_not_offer_changes_nothing(client, secretary, language):
    client.force_login(secretary)

    response = choose(client, language)

    assert response.status_code == 302
    # Django's view may keep a language it has a catalogue for (French); the site only offers vi and en.
    page = client.get(reverse("blocs:dashboard"))
    assert page.status_code == 200
    assert page.headers["Content-Language"] == "vi"
    assert "Đăng xuất" in page.content.decode()


def test_an_outside_next_address_is_not_followed(client, secretary):
    client.force_login(secretary)

    response = choose(client, "en", "https://example.com/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_forged_cookie_falls_back_to_vietnamese(client, secretary):
    client.force_login(secretary)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"

    response = client.get(reverse("blocs:dashboard"))

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "vi"


def test_the_login_page_offers_the_switch(client):
    response = client.get(reverse("login"))

    assert 'data-testid="language-switcher"' in response.content.decode()
    choose(client, "en", reverse("login"))
    html = client.get(reverse("login")).content.decode()
    assert english("Đăng nhập") in html
    assert untranslated(html) == []


def test_changing_language_writes_nothing(client, secretary):
    client.force_login(secretary)
    before = AuditEntry.objects.count()

    choose(client, "en")

    assert AuditEntry.objects.count() == before


@pytest.fixture
def voted(world, private_media, secretary, deputy_secretary):
    campaign = voted_campaign(world["year_a"], [secretary, deputy_secretary])
    vote_round = VoteRound.objects.get(conference__campaign=campaign)
    return campaign, vote_round


def pages_of(campaign, vote_round, world, sheet):
    return [
        reverse("blocs:dashboard"),
        reverse("blocs:search") + "?q=hoi",
        reverse("blocs:bloc_detail", args=[world["bloc_a"].pk]),
        reverse("blocs:unit_detail", args=[world["a_units"][2].pk]),
        reverse("scoring:campaign_detail", args=[campaign.pk]),
        reverse("scoring:covenant", args=[campaign.pk]),
        reverse("scoring:criteria", args=[campaign.pk]),
        reverse("scoring:sheet_list", args=[campaign.pk]),
        reverse("scoring:summary", args=[campaign.pk]),
        reverse("scoring:sheet_detail", args=[sheet.pk]),
        reverse("scoring:vote_rules", args=[campaign.pk]),
        reverse("scoring:round_detail", args=[vote_round.pk]),
        reverse("scoring:round_results", args=[vote_round.pk]),
        reverse("scoring:nomination_list", args=[campaign.pk]),
        reverse("reports:documents", args=[campaign.pk]),
        reverse("reports:narrative_edit", args=[campaign.pk]),
    ]


def test_the_secretarys_pages_read_in_english(client, secretary, voted, world):
    campaign, vote_round = voted
    client.force_login(secretary)
    choose(client, "en")

    for url in pages_of(campaign, vote_round, world, campaign.sheets.first()):
        response = client.get(url)
        assert response.status_code == 200, url
        assert untranslated(response.content.decode()) == [], url


def test_the_reward_boards_pages_read_in_english(client, reviewer, secretary, voted):
    from scoring import nominations

    campaign, _ = voted
    assert nominations.submit_all(actor=secretary, campaign=campaign) > 0
    client.force_login(reviewer)
    choose(client, "en")
    nomination = Nomination.objects.filter(campaign=campaign).first()

    for url in (
        reverse("blocs:dashboard"),
        reverse("scoring:overview"),
        reverse("scoring:review_queue"),
        reverse("scoring:nomination_detail", args=[nomination.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert untranslated(response.content.decode()) == [], url


def test_the_unit_admin_reads_in_english(admin_client, world):
    choose(admin_client, "en")

    for url in (reverse("admin:index"), reverse("admin:blocs_unit_changelist")):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert untranslated(response.content.decode()) == [], url


def test_english_keeps_vietnamese_dates_and_numbers(client, secretary, scoring_campaign, sheets):
    from django import forms
    from django.utils import formats

    with translation.override("en"):
        assert formats.date_format(datetime.date(2022, 12, 28)) == "28/12/2022"
        assert formats.localize(datetime.date(2022, 12, 28)) == "28/12/2022"
        assert formats.number_format(decimal.Decimal("2340000.5"), 1, force_grouping=True) == "2.340.000,5"
        # A date typed the Vietnamese way means the same day in both languages (never 12 May).
        assert forms.DateField().clean("05/12/2023") == datetime.date(2023, 12, 5)
    scoring_campaign.scoring_deadline = datetime.date(2023, 12, 10)
    scoring_campaign.save(update_fields=["scoring_deadline"])
    client.force_login(secretary)
    choose(client, "en")

    html = client.get(reverse("scoring:campaign_detail", args=[scoring_campaign.pk])).content.decode()

    assert "10/12/2023" in html
    assert "Dec" not in html
