"""Load the default option lists (waypoint/reporting/default_options.py) once."""

from typing import Any

from django.db import migrations

from waypoint.reporting.default_options import load_default_options


def load(apps: Any, schema_editor: Any) -> None:
    load_default_options(apps.get_model("reporting", "ReportOption"))


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
