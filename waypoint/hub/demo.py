"""The demo institution's support directory, from the customer's awareness page.

Facts (names, numbers, who may use a service) come from the seed; the wording is ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from waypoint.hub.models import Audience, SupportCategory, SupportPhone, SupportService

CATEGORIES: list[tuple[str, str, str]] = [
    ("safety", "Safety", "unsafe scared danger campus security emergency followed patrol"),
    ("emotional-wellbeing", "Emotional wellbeing", "counselling talk anxious mental health stress"),
    ("practical-financial", "Practical and financial", "money finance funding rent housing debt"),
    ("police-legal", "Police and legal", "report to police crime law court legal order"),
    ("specialist-stalking", "Specialist stalking support", "stalking stalker harassment advocacy"),
    ("academic", "Academic", "studies course tutor deadline exam extension"),
    ("disability", "Disability", "disabled disability long-term condition access"),
]

E, N, H = SupportPhone.Kind.EMERGENCY, SupportPhone.Kind.NON_EMERGENCY, SupportPhone.Kind.HELPLINE


@dataclass
class Service:
    slug: str
    name: str
    provider: str
    summary: str
    description: str
    categories: list[str]
    audience: str = Audience.ANYONE
    phones: list[tuple[str, str, str]] = field(default_factory=list)
    is_24_7: bool = False
    is_free: bool = False
    is_confidential: bool = False
    website_url: str = ""
    online_reporting_url: str = ""
    webchat_url: str = ""
    need_words: str = ""


INTERNAL = SupportService.Provider.INTERNAL
EXTERNAL = SupportService.Provider.EXTERNAL

SERVICES: list[Service] = [
    Service(
        "security-team",
        "Security Team",
        INTERNAL,
        "Campus security, day and night, if you feel unsafe on campus.",
        "If you are worried about your safety on campus, the Security Team can help straight "
        "away. Every student and member of staff is encouraged to install the Safezone app, "
        "which lets patrols find you and respond to incidents and first-aid calls.",
        ["safety"],
        audience=Audience.ANYONE,
        phones=[(E, "0116 252 2888", "Emergency, internal"), (N, "0116 252 2023", "")],
        is_24_7=True,
        is_free=True,
        need_words="unsafe on campus safezone app patrol escort",
    ),
    Service(
        "standing-together",
        "Standing Together",
        INTERNAL,
        "The specialist team for stalking, harassment and other unacceptable behaviour.",
        "Standing Together gives one-to-one practical support and guidance at your pace. They "
        "can assess risk with you, make sure safety measures are in place and joined up across "
        "the university, and stay with you through formal processes such as a police report "
        "or the Student Conduct Process. You can tell them what happened through this website.",
        ["specialist-stalking", "safety", "police-legal"],
        audience=Audience.STUDENTS,
        is_free=True,
        is_confidential=True,
        need_words="report disclose adviser risk assessment conduct process",
    ),
    Service(
        "student-wellbeing",
        "Student Wellbeing Service",
        INTERNAL,
        "Free, confidential wellbeing support, including counselling.",
        "Professional wellbeing support for registered students, counselling among it. It is "
        "free and what you share stays confidential.",
        ["emotional-wellbeing"],
        audience=Audience.STUDENTS,
        is_free=True,
        is_confidential=True,
        need_words="counselling counsellor talk therapy",
    ),
    Service(
        "health-assured",
        "Health Assured",
        EXTERNAL,
        "Mental health support at any hour, free and confidential.",
        "An outside service the university has partnered with so that students can reach "
        "mental health support 24 hours a day, every day of the year.",
        ["emotional-wellbeing"],
        audience=Audience.STUDENTS,
        is_24_7=True,
        is_free=True,
        is_confidential=True,
        website_url="https://www.healthassured.org",
        need_words="night weekend talk now mental health",
    ),
    Service(
        "student-welfare",
        "Student Welfare Service",
        INTERNAL,
        "Advice on money, funding and personal worries, and help joining up support.",
        "Advice and guidance on student finance, making the most of your income and applying "
        "for funding. They can help you deal with your local authority, support you with "
        "personal concerns and coordinate help inside and outside the university.",
        ["practical-financial"],
        audience=Audience.STUDENTS,
        is_free=True,
        need_words="money funding hardship finance budget",
    ),
    Service(
        "accessability",
        "AccessAbility Centre",
        INTERNAL,
        "Extra support for disabled students and those with long-term conditions.",
        "If you are disabled or live with a long-term condition, the AccessAbility Centre can "
        "arrange extra support for your time at university.",
        ["disability", "academic"],
        audience=Audience.STUDENTS,
        is_free=True,
        need_words="disabled disability adjustments long-term condition",
    ),
    Service(
        "academic-support",
        "Academic support in your department",
        INTERNAL,
        "Your personal tutor and your department's support team.",
        "Your personal tutor and your department's student support team (for example the Law "
        "Support Team or the Medical School's Pastoral Support Team) can help with your "
        "studies when something is affecting them.",
        ["academic"],
        audience=Audience.STUDENTS,
        is_free=True,
        need_words="tutor extension deadline exam studies",
    ),
    Service(
        "su-advice",
        "Students' Union Advice Service",
        INTERNAL,
        "Independent, confidential and impartial advice from the Students' Union.",
        "The Students' Union is independent of the university. Its advice service offers "
        "confidential, impartial help with academic matters, budgeting, housing and wellbeing, "
        "and can point you to other support.",
        ["practical-financial", "academic", "emotional-wellbeing"],
        audience=Audience.STUDENTS,
        is_free=True,
        is_confidential=True,
        website_url="https://leicesterunion.com",
        need_words="independent housing budgeting money advice",
    ),
    Service(
        "victim-first",
        "Victim First",
        EXTERNAL,
        "Support for victims of crime in Leicester, Leicestershire and Rutland.",
        "The local service for anyone affected by crime. Free and confidential emotional and "
        "practical support, advocacy, help with crime prevention, restorative justice, and "
        "advice on where else to turn. Reach them by phone or webchat.",
        ["police-legal", "emotional-wellbeing"],
        audience=Audience.ANYONE,
        phones=[(H, "0800 953 9595", "")],
        is_free=True,
        is_confidential=True,
        website_url="https://www.victimfirst.org.uk",
        webchat_url="https://www.victimfirst.org.uk",
        need_words="crime victim webchat advocacy",
    ),
    Service(
        "leicestershire-police",
        "Leicestershire Police",
        EXTERNAL,
        "If you fear for your safety or think a crime has been committed.",
        "Call 999 in an emergency. For anything else call 101, or make a report online "
        "through their website.",
        ["police-legal", "safety"],
        audience=Audience.ANYONE,
        phones=[(E, "999", ""), (N, "101", "")],
        is_24_7=True,
        is_free=True,
        website_url="https://www.leics.police.uk",
        online_reporting_url="https://www.leics.police.uk/ro/report",
        need_words="report to police crime emergency",
    ),
    Service(
        "paladin",
        "Paladin",
        EXTERNAL,
        "Specialist stalking advocacy for people at high risk.",
        "A national specialist stalking service offering trauma-informed support, advice and "
        "advocacy to people at high risk, and raising awareness of how dangerous stalking "
        "can be.",
        ["specialist-stalking"],
        audience=Audience.ANYONE,
        phones=[(H, "020 3866 4107", "")],
        website_url="https://paladinservice.co.uk",
        need_words="stalking advocate high risk",
    ),
    Service(
        "suzy-lamplugh-trust",
        "Suzy Lamplugh Trust",
        EXTERNAL,
        "Specialist stalking support, advice and advocacy.",
        "Runs the National Stalking Helpline and offers trauma-informed support, advice and "
        "advocacy for people being stalked. The Trust also campaigns, trains professionals "
        "and researches personal safety, lone working and stalking.",
        ["specialist-stalking"],
        audience=Audience.ANYONE,
        phones=[(H, "0808 802 0300", "National Stalking Helpline")],
        website_url="https://www.suzylamplugh.org",
        need_words="stalking helpline advice",
    ),
    Service(
        "alice-ruggles-trust",
        "Alice Ruggles Trust",
        EXTERNAL,
        "A charity raising awareness of stalking and its risks.",
        "Works to raise awareness of stalking and the risks that come with it, supports "
        "training and research, and campaigns for better protection for victims.",
        ["specialist-stalking"],
        audience=Audience.ANYONE,
        website_url="https://www.alicerugglestrust.org",
        need_words="stalking awareness campaign",
    ),
]


@transaction.atomic
def support_directory_load_demo() -> int:
    """Create or update the demo directory. Idempotent: rows are matched by slug."""
    categories = {}
    for position, (slug, name, words) in enumerate(CATEGORIES):
        category, _ = SupportCategory.objects.update_or_create(
            slug=slug, defaults={"name": name, "need_words": words, "position": position}
        )
        categories[slug] = category
    for position, item in enumerate(SERVICES):
        service, _ = SupportService.objects.update_or_create(
            slug=item.slug,
            defaults={
                "name": item.name,
                "provider": item.provider,
                "summary": item.summary,
                "description": item.description,
                "audience": item.audience,
                "is_24_7": item.is_24_7,
                "is_free": item.is_free,
                "is_confidential": item.is_confidential,
                "website_url": item.website_url,
                "online_reporting_url": item.online_reporting_url,
                "webchat_url": item.webchat_url,
                "need_words": item.need_words,
                "position": position,
                "is_published": True,
            },
        )
        service.categories.set([categories[slug] for slug in item.categories])
        service.phones.all().delete()
        SupportPhone.objects.bulk_create(
            SupportPhone(service=service, kind=kind, number=number, note=note, position=i)
            for i, (kind, number, note) in enumerate(item.phones)
        )
    return len(SERVICES)
