"""The option lists a new installation starts with. Administrators edit them as data.

Behaviours follow the stalking tactics in the awareness content (surveillance, unwanted
contact, intimidation, online abuse). `raises_urgency` marks answers that specialist
risk checklists treat as high-risk indicators (threats, violence, threats of suicide,
sharing intimate images); `threat` marks threats of violence. Positions above 500 keep
"Something else" and "I don't know" at the end of otherwise alphabetical lists.
"""

from __future__ import annotations

from typing import Any, Final, TypedDict


class OptionSpec(TypedDict, total=False):
    slug: str
    label: str
    hint: str
    position: int
    urgent: bool
    threat: bool


LAST: Final = 900

DEFAULT_OPTIONS: Final[dict[str, list[OptionSpec]]] = {
    "behaviour": [
        {
            "slug": "repeated-contact",
            "label": "Contacting me again and again",
            "hint": "Calls, texts, messages, emails or letters",
        },
        {"slug": "following", "label": "Following me or turning up where I am"},
        {"slug": "watching", "label": "Watching me or waiting near my home, classes or work"},
        {"slug": "tracking", "label": "Tracking where I go, or my phone or other devices"},
        {"slug": "account-access", "label": "Getting into my accounts or devices"},
        {"slug": "posting", "label": "Posting about me online, or making fake profiles"},
        {"slug": "gifts", "label": "Sending gifts or leaving things for me"},
        {"slug": "proxy-contact", "label": "Contacting my friends, family or classmates about me"},
        {"slug": "property", "label": "Damaging my things or where I live"},
        {
            "slug": "image-threats",
            "label": "Threatening to share private or intimate images",
            "urgent": True,
        },
        {
            "slug": "threats",
            "label": "Threatening to hurt me or someone close to me",
            "urgent": True,
            "threat": True,
        },
        {
            "slug": "violence",
            "label": "Hurting me physically or sexually",
            "urgent": True,
            "threat": True,
        },
        {"slug": "self-harm-threats", "label": "Threatening to hurt themselves", "urgent": True},
        {"slug": "other", "label": "Something else", "position": LAST},
    ],
    "location": [
        {"slug": "library", "label": "Library"},
        {"slug": "teaching-rooms", "label": "Lecture theatres or seminar rooms"},
        {"slug": "students-union", "label": "Students' union"},
        {"slug": "sports", "label": "Sports centre"},
        {"slug": "halls", "label": "University accommodation"},
        {"slug": "cafes", "label": "Cafés, bars or food outlets"},
        {"slug": "car-parks", "label": "Car parks or bus stops"},
        {"slug": "open-spaces", "label": "Paths and open spaces on campus"},
        {"slug": "offices-labs", "label": "Offices, labs or studios"},
        {"slug": "other-campus", "label": "Somewhere else on campus", "position": LAST},
    ],
    "platform": [
        {"slug": "email", "label": "Email"},
        {"slug": "calls-texts", "label": "Phone calls or text messages"},
        {"slug": "whatsapp", "label": "WhatsApp"},
        {"slug": "instagram", "label": "Instagram"},
        {"slug": "snapchat", "label": "Snapchat"},
        {"slug": "tiktok", "label": "TikTok"},
        {"slug": "facebook", "label": "Facebook or Messenger"},
        {"slug": "x", "label": "X (Twitter)"},
        {"slug": "dating-apps", "label": "Dating apps"},
        {"slug": "gaming", "label": "Gaming or Discord"},
        {
            "slug": "university-systems",
            "label": "University systems",
            "hint": "University email, Teams, the learning platform",
        },
        {"slug": "other-online", "label": "Somewhere else online", "position": LAST},
    ],
    "relationship": [
        {"slug": "partner", "label": "A partner or ex-partner"},
        {"slug": "family", "label": "A family member"},
        {"slug": "friend", "label": "A friend or former friend"},
        {"slug": "acquaintance", "label": "Someone I know a little"},
        {"slug": "student", "label": "Another student"},
        {"slug": "staff", "label": "A member of staff"},
        {"slug": "stranger", "label": "A stranger"},
        {"slug": "unknown", "label": "I don't know who it is", "position": LAST},
    ],
    "impact": [
        {"slug": "afraid", "label": "I feel frightened or unsafe"},
        {"slug": "sleep", "label": "I'm not sleeping well"},
        {"slug": "routines", "label": "I've changed my routes or routines"},
        {"slug": "missing-study", "label": "I've missed classes, work or exams"},
        {"slug": "avoiding", "label": "I avoid places on campus"},
        {"slug": "moving", "label": "I've moved, or I'm thinking about moving"},
        {"slug": "mental-health", "label": "It's affecting my mental health"},
        {"slug": "physical-health", "label": "It's affecting my physical health"},
        {"slug": "money", "label": "It's costing me money"},
        {"slug": "other-impact", "label": "Something else", "position": LAST},
    ],
    "support": [
        {"slug": "adviser", "label": "Talk to an adviser"},
        {"slug": "safety", "label": "Safety measures on campus"},
        {
            "slug": "academic",
            "label": "Help with my studies",
            "hint": "Extensions, timetable or exam arrangements",
        },
        {"slug": "accommodation", "label": "Help with where I live"},
        {"slug": "wellbeing", "label": "Wellbeing or counselling"},
        {"slug": "police", "label": "Help with going to the police"},
        {"slug": "conduct", "label": "Information about the student conduct process"},
        {"slug": "not-sure", "label": "I'm not sure yet", "position": LAST},
    ],
}


def load_default_options(report_option_model: Any) -> int:
    """Create any missing default option (never changes an existing one). Returns count."""
    created = 0
    for kind, specs in DEFAULT_OPTIONS.items():
        for spec in specs:
            _, made = report_option_model.objects.get_or_create(
                kind=kind,
                slug=spec["slug"],
                defaults={
                    "label": spec["label"],
                    "hint": spec.get("hint", ""),
                    "position": spec.get("position"),
                    "raises_urgency": spec.get("urgent", False),
                    "is_threat_of_violence": spec.get("threat", False),
                },
            )
            created += made
    return created
