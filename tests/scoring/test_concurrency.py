"""Two reviewers saving the same line at the same instant: one wins, the other is told, nothing is lost."""

from decimal import Decimal as D

import pytest
from django.db import connection

from scoring import services
from scoring.errors import ConflictError
from scoring.models import ScoreChange, ScoreLine
from tests.factories import criteria_by_code, fill_sheet, make_campaign
from tests.threads import run_at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks between connections need PostgreSQL"
    ),
]


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_saving_one_line_lose_nothing(world, secretary, deputy_secretary, private_media):
    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    sheet = fill_sheet(campaign.sheets.get(unit=world["a_units"][2]), {"1.1": 10, "1.2": 5})
    criterion = criteria_by_code(campaign)["1.1"]
    version = ScoreLine.objects.get(sheet=sheet, criterion=criterion).version

    def review_by(user, score):
        return lambda: services.score_line_review(
            actor=user,
            sheet=sheet,
            criterion=criterion,
            score=D(score),
            reason=f"Ý kiến của {user.username}",
            expected_version=version,
        )

    results = run_at_once(review_by(secretary, "8"), review_by(deputy_secretary, "7.5"))

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ConflictError)
    assert "vừa được người khác cập nhật" in error.message
    winner = next(value for kind, value in results if kind == "ok")
    line = ScoreLine.objects.get(pk=winner.pk)
    assert line.reviewed_score == winner.reviewed_score
    reviews = ScoreChange.objects.filter(line=line, stage="review")
    assert reviews.count() == 1
    assert reviews.get().new_value in {"8", "7,5"}


@pytest.mark.django_db(transaction=True)
def test_two_tabs_saving_one_sheet_lose_nothing(world, private_media):
    from scoring.services import LineEntry
    from tests.factories import make_user

    focal = make_user(role="focal", unit=world["a_units"][2])
    campaign = make_campaign(bloc_year=world["year_a"], status="scoring")
    sheet = campaign.sheets.get(unit=world["a_units"][2])
    codes = criteria_by_code(campaign)

    def save(code, score):
        return lambda: services.score_sheet_save(
            actor=focal, sheet=sheet, entries={codes[code].pk: LineEntry(score=D(score))}, expected_version=0
        )

    results = run_at_once(save("1.1", "9"), save("1.2", "4"))
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert isinstance(next(v for k, v in results if k == "error"), ConflictError)
    assert ScoreLine.objects.filter(sheet=sheet).count() == 1
    assert ScoreChange.objects.filter(line__sheet=sheet).count() == 1
