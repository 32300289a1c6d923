import io

from django.core.management import call_command

from scoring.models import Campaign, ScoreSheet
from scoring.selectors import campaign_summary


def test_the_demo_2022_ranking_matches_the_news_report(db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    campaign = Campaign.objects.get(bloc_year__bloc__number=1, bloc_year__year=2022)
    summary = campaign_summary(campaign)
    assert summary.total_max == 100
    assert summary.all_final
    ranked = [row.unit.abbreviation for row in summary.rows]
    assert ranked[0] == "LHH"
    assert set(ranked[1:3]) == {"LHHN", "CTĐ"}
    assert all(row.reviewed_totals.eligible for row in summary.rows)

    # Every campaign state and every sheet state can be seen somewhere in the demo.
    assert set(Campaign.objects.values_list("status", flat=True)) == set(Campaign.Status.values)
    current = Campaign.objects.get(bloc_year__bloc__number=1, bloc_year__year=2023)
    assert set(current.sheets.values_list("status", flat=True)) == set(ScoreSheet.Status.values)
