"""The default reply templates, rewritten to use the placeholders Waypoint fills in.

"[your first name]", "[team name]" and "[our hours]" are filled in when a template is
inserted (casework/placeholders.py, ADR 0029); "[day and time]" and "[date]" are left for
the adviser, and a message is not sent until they are replaced.

Only a template still word for word as migration 0005 created it is changed: one an
administrator edited (or deleted) is theirs and is left as it is. Going back restores the
old words on the templates this changed, if nobody edited them since.
"""

from typing import Any

from django.db import migrations

# (title, the words 0005 created, the words from now on)
CHANGES: list[tuple[str, str, str]] = [
    (
        "First reply",
        "Hello,\n\n"
        "Thank you for getting in touch with us. My name is [your first name] and I am an "
        "adviser in the team. I have read what you told us, and I am sorry you are going "
        "through this. You did the right thing by reaching out.\n\n"
        "I would like to talk with you about what support would help you most. There is no "
        "pressure to decide anything now, and you can go at your own pace.\n\n"
        "If you are in danger at any point, please call 999 straight away.\n\n"
        "[your first name]",
        "Hello,\n\n"
        "Thank you for getting in touch with [team name]. My name is [your first name] and "
        "I am an adviser in the team. I have read what you told us, and I am sorry you are "
        "going through this. You did the right thing by reaching out.\n\n"
        "I would like to talk with you about what support would help you most. There is no "
        "pressure to decide anything now, and you can go at your own pace. You can reply "
        "here whenever suits you: we read and answer messages [our hours].\n\n"
        "If you are in danger at any point, please call 999 straight away.\n\n"
        "[your first name]",
    ),
    (
        "Checking you are safe",
        "Hello,\n\n"
        "I wanted to check in and see how you are. Do you feel safe right now?\n\n"
        "If anything has changed, or something new has happened, you can tell me here "
        "whenever you are ready. If you are in danger, please call 999.\n\n"
        "[your first name]",
        "Hello,\n\n"
        "I wanted to check in and see how you are. Do you feel safe right now?\n\n"
        "If anything has changed, or something new has happened, you can tell me here "
        "whenever you are ready. If you are in danger, please call 999: we only read "
        "messages [our hours].\n\n"
        "[your first name]",
    ),
    (
        "Following up after a quiet spell",
        "Hello,\n\n"
        "I have not heard from you for a little while, and I wanted you to know that we are "
        "still here for you. There is no need to reply if you do not want to.\n\n"
        "Whenever you would like support, or just want to talk something through, you can "
        "send a message here.\n\n"
        "[your first name]",
        "Hello,\n\n"
        "I have not heard from you for a little while, and I wanted you to know that "
        "[team name] is still here for you. There is no need to reply if you do not want "
        "to.\n\n"
        "Whenever you would like support, or just want to talk something through, you can "
        "send a message here. We read and answer messages [our hours].\n\n"
        "[your first name]",
    ),
    (
        "Before we close your case",
        "Hello,\n\n"
        "Thank you for letting us support you. From what we have talked about, it sounds "
        "as though you do not need more from us at the moment, so we plan to close your "
        "case on [date].\n\n"
        "If you would like us to keep it open, just reply here. And if you need support "
        "again later, you can always come back to us.\n\n"
        "[your first name]",
        "Hello,\n\n"
        "Thank you for letting us support you. From what we have talked about, it sounds "
        "as though you do not need more from us at the moment, so we plan to close your "
        "case on [date].\n\n"
        "If you would like us to keep it open, just reply here. And if you need support "
        "again later, you can always come back to [team name].\n\n"
        "[your first name]",
    ),
]


def use_filled_placeholders(apps: Any, schema_editor: Any) -> None:
    reply_template = apps.get_model("casework", "ReplyTemplate")
    for title, before, after in CHANGES:
        reply_template.objects.filter(title=title, body=before).update(body=after)


def restore_old_words(apps: Any, schema_editor: Any) -> None:
    reply_template = apps.get_model("casework", "ReplyTemplate")
    for title, before, after in CHANGES:
        reply_template.objects.filter(title=title, body=after).update(body=before)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0006_inbox_indexes"),
    ]

    operations = [
        migrations.RunPython(use_filled_placeholders, restore_old_words),
    ]
