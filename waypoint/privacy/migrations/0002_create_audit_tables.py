"""Create the audit tables, which Django's state knows as unmanaged (see models.py).

Written by hand: the database operations below create the tables as if the models were
managed (with the constraints and index that makemigrations would not generate for an
unmanaged model), while the migration state keeps them unmanaged so that `flush` leaves
them alone. Any later change to AuditEvent or AuditHead needs the same treatment.
"""

from django.db import migrations, models


def create_head(apps, schema_editor):
    AuditHead = apps.get_model("privacy", "AuditHead")
    AuditHead.objects.using(schema_editor.connection.alias).create(id=1, seq=0, mac="")


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_create_data_keys_and_audit_log"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[],
            database_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("seq", models.PositiveBigIntegerField(primary_key=True, serialize=False)),
                        ("occurred_at", models.DateTimeField()),
                        ("actor_kind", models.CharField(max_length=16)),
                        ("actor_id", models.CharField(blank=True, max_length=64)),
                        ("action", models.CharField(max_length=64)),
                        ("object_type", models.CharField(blank=True, max_length=64)),
                        ("object_id", models.CharField(blank=True, max_length=64)),
                        ("extra", models.JSONField(blank=True, default=dict)),
                        ("prev_mac", models.CharField(blank=True, max_length=64)),
                        ("mac", models.CharField(max_length=64)),
                        ("key_id", models.PositiveBigIntegerField()),
                    ],
                    options={
                        "db_table": "privacy_auditevent",
                        "managed": True,
                        "indexes": [
                            # "who looked at this case": selectors filter on the object.
                            models.Index(
                                fields=["object_type", "object_id", "seq"],
                                name="privacy_audit_object_idx",
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(seq__gte=1), name="privacy_audit_seq_positive"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(actor_kind__in=["staff", "reporter", "system"]),
                                name="privacy_audit_actor_kind_valid",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="AuditHead",
                    fields=[
                        (
                            "id",
                            models.PositiveSmallIntegerField(
                                default=1, primary_key=True, serialize=False
                            ),
                        ),
                        ("seq", models.PositiveBigIntegerField(default=0)),
                        ("mac", models.CharField(blank=True, max_length=64)),
                    ],
                    options={
                        "db_table": "privacy_audithead",
                        "managed": True,
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(id=1), name="privacy_audithead_singleton"
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
