from django.db import migrations, models


def freeze_final_sheets(apps, schema_editor):
    """The figures of the sheets finalised before they were stored (the summaries work without them, slower)."""
    from scoring.selectors import freeze_sheet_figures

    freeze_sheet_figures(apps.get_model("scoring", "ScoreSheet").objects.using(schema_editor.connection.alias))


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0007_campaign_status_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="scoresheet",
            name="figures",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(freeze_final_sheets, migrations.RunPython.noop, elidable=True),
    ]
