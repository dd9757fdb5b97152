"""A few reply templates to start from. Administrators change or add to them in the admin.

Generic words only: a template must never carry a name or a detail of a case. Square
brackets mark what the adviser fills in before sending.
"""

from typing import Any

from django.db import migrations

TEMPLATES: list[tuple[int, str, str]] = [
    (
        10,
        "First reply",
        "Hello,\n\n"
        "Thank you for getting in touch with us. My name is [your first name] and I am an "
        "adviser in the team. I have read what you told us, and I am sorry you are going "
        "through this. You did the right thing by reaching out.\n\n"
        "I would like to talk with you about what support would help you most. There is no "
        "pressure to decide anything now, and you can go at your own pace.\n\n"
        "If you are in danger at any point, please call 999 straight away.\n\n"
        "[your first name]",
    ),
    (
        20,
        "Checking you are safe",
        "Hello,\n\n"
        "I wanted to check in and see how you are. Do you feel safe right now?\n\n"
        "If anything has changed, or something new has happened, you can tell me here "
        "whenever you are ready. If you are in danger, please call 999.\n\n"
        "[your first name]",
    ),
    (
        30,
        "Offering a time to talk",
        "Hello,\n\n"
        "Would you like to talk in person, by phone or online? I could offer [day and time], "
        "or another time that suits you better. You are welcome to bring someone you trust "
        "with you.\n\n"
        "Just reply here to let me know what works for you, or if you would rather keep in "
        "touch by message for now.\n\n"
        "[your first name]",
    ),
    (
        40,
        "Following up after a quiet spell",
        "Hello,\n\n"
        "I have not heard from you for a little while, and I wanted you to know that we are "
        "still here for you. There is no need to reply if you do not want to.\n\n"
        "Whenever you would like support, or just want to talk something through, you can "
        "send a message here.\n\n"
        "[your first name]",
    ),
    (
        50,
        "Before we close your case",
        "Hello,\n\n"
        "Thank you for letting us support you. From what we have talked about, it sounds "
        "as though you do not need more from us at the moment, so we plan to close your "
        "case on [date].\n\n"
        "If you would like us to keep it open, just reply here. And if you need support "
        "again later, you can always come back to us.\n\n"
        "[your first name]",
    ),
]


def add_templates(apps: Any, schema_editor: Any) -> None:
    reply_template = apps.get_model("casework", "ReplyTemplate")
    for position, title, body in TEMPLATES:
        # Never overwrite an administrator's own version of the same title.
        reply_template.objects.get_or_create(
            title=title, defaults={"body": body, "position": position, "is_active": True}
        )


def remove_templates(apps: Any, schema_editor: Any) -> None:
    reply_template = apps.get_model("casework", "ReplyTemplate")
    for _, title, body in TEMPLATES:
        reply_template.objects.filter(title=title, body=body).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0004_alter_timelineentry_kind"),
    ]

    operations = [
        migrations.RunPython(add_templates, remove_templates),
    ]
