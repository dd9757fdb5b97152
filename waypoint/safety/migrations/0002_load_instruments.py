"""Load the two instruments shipped with Waypoint (waypoint/safety/instruments/*.json).

Uses the loader service with this migration's historical models, so a fresh install
has both checklists ready. Loading is idempotent; later changes to the files are loaded
with `manage.py load_instrument`. Reversing leaves the versions in place: assessments
may already use them.
"""

from django.db import migrations


def load_shipped_instruments(apps, schema_editor):
    # Imported here: the service module loads the app's models.
    from waypoint.safety.services.risk import shipped_instruments_load  # noqa: PLC0415

    shipped_instruments_load(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_shipped_instruments, migrations.RunPython.noop),
    ]
