"""The main pages of the demo, as each role sees them, each checked by axe-core and photographed.

The photographs go to a temporary folder; `make screenshots` sets SCREENSHOTS_DIR=docs/screenshots to refresh
the ones the README shows. Either way every page must load without a script error or a serious accessibility
violation, so the pictures in the README are of pages that pass.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, expect

from blocs.models import Bloc, Unit
from scoring.models import Nomination, ScoreSheet, VoteRound
from tests.browser.a11y import serious_violations
from tests.browser.pages import DESKTOP, PHONE, session

pytestmark = pytest.mark.browser


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def photograph(browser, live_server, shots, username, pages, *, viewport=DESKTOP, language="vi"):
    """Log in as username, then load and photograph each (file name, path, text the page must show)."""
    context, page, problems = session(browser, live_server, username, viewport)
    if language != "vi":
        page.get_by_test_id("language-switcher").get_by_label("Ngôn ngữ").select_option(language)
        page.get_by_test_id("language-switcher").get_by_role("button").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
    for name, path, text in pages:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main")).to_contain_text(text)
        assert serious_violations(page) == [], path
        page.screenshot(path=shots / f"{name}.png", full_page=name.endswith("-full"))
    assert problems == []
    context.close()


@pytest.mark.django_db(transaction=True)
def test_main_pages(browser: Browser, live_server, private_media, shots):
    call_command("load_demo", stdout=io.StringIO())
    bloc = Bloc.objects.get(number=1)
    unit = Unit.objects.get(abbreviation="LHH")
    sheet = ScoreSheet.objects.get(unit__abbreviation="CTĐ", campaign__bloc_year__year=2023)
    review = ScoreSheet.objects.get(unit__abbreviation="LHHN", campaign__bloc_year__year=2023)
    nomination = Nomination.objects.get(unit=unit, campaign__bloc_year__year=2022)
    open_round = VoteRound.objects.get(status="open")

    photograph(
        browser,
        live_server,
        shots,
        "bantdkt",
        [
            ("reviewer-dashboard", reverse("blocs:dashboard"), "Thẩm định"),
            ("city-overview", reverse("scoring:overview") + "?year=2022", bloc.name),
            ("nomination-review", reverse("scoring:nomination_detail", args=[nomination.pk]), unit.name),
        ],
    )
    photograph(
        browser,
        live_server,
        shots,
        "thuky.htx",
        [
            ("secretary-dashboard", reverse("blocs:dashboard"), "Thẩm định"),
            ("sheet-review", reverse("scoring:sheet_detail", args=[review.pk]), review.unit.name),
            ("bloc-history", reverse("blocs:bloc_detail", args=[bloc.pk]), bloc.name),
            ("unit-history", reverse("blocs:unit_detail", args=[unit.pk]), unit.name),
        ],
    )
    photograph(
        browser,
        live_server,
        shots,
        "canbo.chuthapdo",
        [("phone-score-sheet", reverse("scoring:sheet_detail", args=[sheet.pk]), sheet.unit.name)],
        viewport=PHONE,
    )
    photograph(
        browser,
        live_server,
        shots,
        "thuky.luatgia",
        [("phone-ballot", reverse("scoring:ballot_form", args=[open_round.pk]), "Gửi phiếu")],
        viewport=PHONE,
    )
    photograph(
        browser,
        live_server,
        shots,
        "thuky.htx",
        [("secretary-dashboard-en", reverse("blocs:dashboard"), "To-do")],
        language="en",
    )

    taken = sorted(path.name for path in shots.glob("*.png"))
    assert len(taken) >= 10
    assert all((shots / name).stat().st_size > 10_000 for name in taken)
