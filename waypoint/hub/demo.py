"""The demo institution's hub content, from the customer's awareness page: the support
directory, the awareness pages and the National Stalking Awareness Week 2024 campaign.

Facts (names, numbers, who may use a service) come from the seed; the wording is ours. The
few services added beyond the seed for searches in people's own words (docs/decisions/0027)
are national ones with well-known public numbers, or the university's own described in
general terms.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction

from waypoint.hub.models import (
    Audience,
    AwarenessPage,
    Campaign,
    CampaignLink,
    SupportCategory,
    SupportPhone,
    SupportService,
)

CATEGORIES: list[tuple[str, str, str]] = [
    ("safety", "Safety", "unsafe scared danger campus security emergency followed patrol"),
    ("emotional-wellbeing", "Emotional wellbeing", "counselling talk anxious mental health stress"),
    ("practical-financial", "Practical and financial", "money finance funding rent housing debt"),
    ("police-legal", "Police and legal", "report to police crime law court legal order"),
    (
        "specialist-stalking",
        "Specialist stalking support",
        "stalking stalker harassment advocacy persistent",
    ),
    ("academic", "Academic", "studies course tutor deadline exam extension"),
    ("disability", "Disability", "disabled disability long-term condition access"),
    ("international", "International students", "visa immigration international overseas"),
    ("online", "Online abuse", "online internet social media fake account hacked tracking"),
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
        phones=[(E, "0116 252 2888", "internal"), (N, "0116 252 2023", "")],
        is_24_7=True,
        is_free=True,
        need_words="unsafe on campus safezone app patrol escort followed scared",
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
        need_words="report disclose adviser risk assessment conduct process stalking "
        "harassment persistent ex-partner friend",
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
        ["specialist-stalking", "online"],
        audience=Audience.ANYONE,
        phones=[(H, "0808 802 0300", "National Stalking Helpline")],
        website_url="https://www.suzylamplugh.org",
        need_words="stalking helpline advice National Stalking Helpline persistent unwanted "
        "contact cyberstalking tracking spyware phone ex-partner friend",
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
        need_words="awareness campaign research training",
    ),
    # Not in the seed: services a university directory usually lists for these needs. The
    # university's own are described in general terms; an administrator adds local details.
    Service(
        "international-student-advice",
        "International Student Advice",
        INTERNAL,
        "Advice for international students on visas, immigration and life in the UK.",
        "The university's international student advisers know the rules that come with a "
        "student visa. If you are thinking about a change to your studies, such as time away "
        "or a change of course, they can explain how it might affect your visa before you "
        "decide, and help you find other support you need.",
        ["international"],
        audience=Audience.STUDENTS,
        is_free=True,
        need_words="visa immigration international overseas student route",
    ),
    Service(
        "accommodation-services",
        "Accommodation Services",
        INTERNAL,
        "Help with university housing, including a move if you do not feel safe where you live.",
        "If you live in university accommodation and no longer feel safe there, they can talk "
        "with you about moving to another room or building. They work with Standing Together "
        "and the Security Team so that where you live is part of your safety plan.",
        ["safety"],
        audience=Audience.STUDENTS,
        is_free=True,
        need_words="housing accommodation halls room move flat live safe",
    ),
    Service(
        "ukcisa",
        "UKCISA (UK Council for International Student Affairs)",
        EXTERNAL,
        "National, independent advice for international students, including on visas.",
        "The UK's national advice body for international students. Its website explains "
        "the immigration rules for students in plain words, with guidance on studying and "
        "living in the UK.",
        ["international"],
        audience=Audience.STUDENTS,
        is_free=True,
        website_url="https://www.ukcisa.org.uk",
        need_words="visa immigration international overseas",
    ),
    Service(
        "report-harmful-content",
        "Report Harmful Content",
        EXTERNAL,
        "Help to report harmful content online, such as threats, harassment or fake accounts.",
        "A national service from the UK Safer Internet Centre, run by the charity SWGfL. If "
        "you have reported something to a website or app and nothing has been done, they can "
        "look at it, explain what the site's own rules say and help get it removed if it "
        "breaks them. "
        "This covers things like threats, harassment and bullying, and accounts pretending "
        "to be you.",
        ["online"],
        audience=Audience.ANYONE,
        is_free=True,
        website_url="https://reportharmfulcontent.com",
        need_words="online social media fake account impersonation harassment messages "
        "take down remove",
    ),
    Service(
        "national-domestic-abuse-helpline",
        "National Domestic Abuse Helpline",
        EXTERNAL,
        "Free, confidential support at any hour with abuse from a partner or ex-partner.",
        "Run by the charity Refuge; you can call free at any time of the day or night. "
        "Domestic abuse is not only physical violence: stalking, harassment and controlling "
        "behaviour by a partner or an ex-partner are abuse too.",
        ["safety"],
        audience=Audience.ANYONE,
        phones=[(H, "0808 2000 247", "free, 24 hours")],
        is_24_7=True,
        is_free=True,
        is_confidential=True,
        website_url="https://www.nationaldahelpline.org.uk",
        need_words="domestic abuse partner ex-partner ex boyfriend girlfriend relationship",
    ),
    Service(
        "samaritans",
        "Samaritans",
        EXTERNAL,
        "Someone to talk to, day or night, whatever you are going through.",
        "Call free at any time, every day of the year, and talk to a trained volunteer who "
        "will listen without judging you. You do not have to be suicidal to call.",
        ["emotional-wellbeing"],
        audience=Audience.ANYONE,
        phones=[(H, "116 123", "free, any time")],
        is_24_7=True,
        is_free=True,
        is_confidential=True,
        website_url="https://www.samaritans.org",
        need_words="talk listen night lonely suicidal",
    ),
]


@transaction.atomic
def support_directory_load_demo() -> int:
    """Create the demo directory. Idempotent: rows are matched by slug, and a service that
    already exists is left as it is, so edits approved through content management survive
    another `make run`."""
    categories = {}
    for position, (slug, name, words) in enumerate(CATEGORIES):
        category, _ = SupportCategory.objects.update_or_create(
            slug=slug, defaults={"name": name, "need_words": words, "position": position}
        )
        categories[slug] = category
    existing = set(SupportService.objects.values_list("slug", flat=True))
    for position, item in enumerate(SERVICES):
        if item.slug in existing:
            continue
        service = SupportService.objects.create(
            slug=item.slug,
            name=item.name,
            provider=item.provider,
            summary=item.summary,
            description=item.description,
            audience=item.audience,
            is_24_7=item.is_24_7,
            is_free=item.is_free,
            is_confidential=item.is_confidential,
            website_url=item.website_url,
            online_reporting_url=item.online_reporting_url,
            webchat_url=item.webchat_url,
            need_words=item.need_words,
            position=position,
            is_published=True,
        )
        service.categories.set([categories[slug] for slug in item.categories])
        SupportPhone.objects.bulk_create(
            SupportPhone(service=service, kind=kind, number=number, note=note, position=i)
            for i, (kind, number, note) in enumerate(item.phones)
        )
    return len(SERVICES)


# --- Awareness pages ----------------------------------------------------------------------
# The customer's page, rewritten: the facts (the FOUR signs, the tactics, the two images
# "Impact of stalking" and "What to do if you are being stalked") carry over, the words are
# ours. Links inside bodies point at this demo's own directory entries by slug.


@dataclass
class Page:
    slug: str
    title: str
    summary: str
    body: str


WHAT_IS_STALKING = """\
Stalking is when someone keeps giving you attention that you have not asked for and do not
want, and it carries on. It can leave you feeling uneasy, alarmed or frightened, and it can
start to shape how you live your everyday life.

Anyone can stalk, and anyone can be stalked. The person might be:

- a partner, or an ex
- someone in your family
- a friend, flatmate, coursemate or colleague
- an acquaintance: someone you know only a little
- a stranger, whether you have seen them in person or only online

## The FOUR signs

A simple way to recognise stalking is to ask whether the behaviour is **FOUR**:

- **Fixated**: their attention keeps coming back to you, whatever else is going on.
- **Obsessive**: it seems to take them over; they cannot or will not let it go.
- **Unwanted**: you did not ask for it, or you have made clear you want it to stop.
- **Repeated**: it happens again and again. One message can look small; a pattern is not.

If what is happening to you fits these words, it is worth talking to someone. You do not
have to be certain, and you do not need to call it stalking before you ask for help.

## How it can feel

Being stalked can cause alarm, distress and fear, and it can change your day to day: where
you go, who you see, how you use your phone. Those reactions make sense. They are not an
overreaction.

## "It's only a few messages"

Stalking is often brushed off as harmless, flattering or a bit of a joke. Films, TV series
and even greetings cards can make it look romantic, as if watching someone closely were a
sign of love. That picture makes stalking harder to recognise, and it can leave people
wondering whether they are allowed to ask for help.

You are. Persistent, unwanted attention is not romance, and it is never your fault.
Stalking can get worse over time, so it is right to take it seriously early on.

## What next

- Not sure? [Answer a few questions about what is happening](/check/).
- Read about [what you can do if you are being stalked](/about/what-to-do/).
- [Find people who can help](/support/), at the university and outside it.
"""

TACTICS = """\
People who stalk use many different behaviours, and these often change over time. Most
fall into four broad groups. Seeing them named can help you make sense of what is
happening, and it helps the people supporting you see the whole picture.

## Surveillance: watching and tracking you

Finding out where you are, what you are doing and who you are with. For example:

- following you, or waiting near your home, halls, workplace or classes
- turning up wherever you happen to be, as if by chance
- checking your social media constantly, or watching your stories from other accounts
- tracking where you are with a location-sharing app, a hidden tracker, or an app put on
  your phone without you knowing
- asking your friends, family or coursemates where you are and what you are doing

## Life invasion: unwanted contact

Pushing into your life when you have not invited them. For example:

- calls, texts, emails, voice notes or direct messages, sometimes dozens in a day
- new accounts or new numbers each time you block them
- letters, gifts or deliveries you did not ask for
- approaching you in person: at home, on campus, at work or on a night out
- getting in touch with you through people you know

## Interference: disrupting your life

Damaging or taking control of things that matter to you. For example:

- damaging your property, your car or your bike
- getting into your email, social media or cloud accounts, or locking you out of them
- taking over smart devices at home, such as speakers, cameras or doorbells
- setting up fake profiles in your name, or using your photos
- spreading rumours, or making false complaints about you to the university, an employer
  or other organisations

## Intimidation: making you afraid

Using fear to control what you do. For example:

- threatening to hurt you, or people or pets you care about
- threatening to hurt themselves if you do not reply
- threatening to share private or intimate images of you
- pressuring or harassing your friends, family or colleagues
- posting things about you online

## Stalking through technology

Phones and the internet mean someone can reach into your life at any hour, from anywhere.
Stalking online is just as real as stalking in person, and the two often go together.

If you think your phone, laptop or accounts have been tampered with, it can be safer to
get advice before you change anything, because removing an app or changing a password can
alert the person. [Specialist stalking services](/support/?category=specialist-stalking)
can help you work out what to do.

## One thing on its own can look small

A single message, or a meeting that seems like a coincidence, can look minor. It is the
pattern that matters. Writing down each thing that happens helps you, and anyone supporting
you, see that pattern: see [what you can do](/about/what-to-do/).
"""

IMPACT = """\
Stalking affects people in different ways, and there is no right or wrong way to react.
Many people notice changes in several parts of their life at once. If you recognise some
of what follows, you are not alone, and there is support for each part.

## Your wellbeing

- feeling anxious, on edge or always on the lookout
- trouble sleeping, or bad dreams
- feeling low, tearful, angry or numb
- jumping when your phone buzzes, someone knocks or you hear footsteps behind you
- feeling worn out, or physically unwell from the stress

## Your studies

- finding it hard to concentrate in lectures or when you sit down to study
- missing classes, or avoiding the library, labs or other places on campus
- falling behind with work or deadlines
- wondering whether to change course or leave

## Your daily life

- changing how you travel, or when you go out
- avoiding places you used to enjoy
- staying in more, or not wanting to be on your own
- closing social media accounts or changing your phone number

## Your relationships

- pulling away from friends and family, or finding it hard to trust new people
- friends, family or coursemates being contacted or drawn in
- worrying that people will not believe you, or will think you are overreacting

## Your safety

- feeling unsafe at home, in halls, on campus or online
- worrying about what the person might do next
- feeling that you have to plan every move

## Help with all of this

These are understandable reactions to something that should not be happening to you. You
do not have to carry it on your own.

- **How you are feeling**: the [Student Wellbeing Service](/support/student-wellbeing/), or
  [Health Assured](/support/health-assured/) at any hour of the day or night.
- **Your studies**: your personal tutor or your department's support team can talk with you
  about options such as extensions. See [academic support](/support/academic-support/).
- **Your safety**: the [Security Team](/support/security-team/) on campus, and the
  [police](/support/leicestershire-police/). In an emergency, call 999.
- **All of it together**: [Standing Together](/support/standing-together/) can support you
  one to one and join up help across the university.
"""

WHAT_TO_DO = """\
You do not have to do all of this, or do it in this order. Start with whatever feels
manageable. If you are in danger right now, call 999.

## Keep a log

A simple record of what happens helps you see the pattern. It also helps anyone supporting
you, including the police if you decide to involve them. Each time something happens, try
to note:

- the date and time, and when you wrote your note
- where it happened, or which app or website it was on
- what happened, in plain words
- what the person looked like, or which account or number they used
- anyone who saw it
- how it made you feel, and anything you changed because of it

Write things down as soon as you can, however small they seem. Keep your log somewhere the
person cannot get to, and think about telling one person you trust where it is. A log can
be shown to others if a case goes to court, so keep to what happened.

## Keep the evidence

- Try not to delete messages, emails, voicemails or call lists, even though you may want
  to. Save them, and keep a copy somewhere safe.
- Screenshots help. Make sure they show who sent the message, and the date and time.
- Keep letters, gifts and parcels, and touch them as little as you can.
- If you speak to the police, write down your crime reference number.

## Tell someone

Stalking can be isolating, and telling someone can make a real difference: a friend, a
family member, a tutor, or [Standing Together](/support/standing-together/), the
university's specialist team. They will listen, look at the risks with you, and agree
practical steps, such as changes to your accommodation, your timetable or how you get
around campus.

It is usually safest not to reply to the person or confront them, even to ask them again
to stop. If they approach you, go somewhere busy.

## Support you can use

- **Standing Together**: one-to-one support, risk assessment and safety measures across
  the university, and support through the police or the Student Conduct Process.
- **Security Team**: if you feel unsafe on campus. Their numbers are on the
  [Security Team page](/support/security-team/).
- **National Stalking Helpline**, run by the Suzy Lamplugh Trust:
  [0808 802 0300](tel:08088020300), specialist advice.
- **Victim First**: [0800 953 9595](tel:08009539595), free and confidential support for
  people affected by crime in Leicester, Leicestershire and Rutland, by phone or webchat.
- **Paladin**: [020 3866 4107](tel:02038664107), specialist advocacy for people at high
  risk.
- Everyone else who can help is in the [support directory](/support/).

## The police

Stalking is a crime. You can go to the police whenever you are ready, and Standing
Together can support you through it.

- If you are in danger right now, call **[999](tel:999)**.
- Otherwise call **[101](tel:101)**, or report it online through
  [Leicestershire Police](/support/leicestershire-police/).

Trust your instincts. If something feels wrong, that is reason enough to ask for help.
"""

HELPING_A_FRIEND = """\
If a friend, flatmate or coursemate tells you someone is stalking them, it may have taken a
lot for them to say it. How you respond can help them feel less alone.

## Listen, and believe them

- Give them time, and let them tell you in their own way.
- Tell them you believe them, and that it is not their fault.
- Go gently with questions like "why didn't you block them?" or "are you sure?". They can
  sound like blame, even when you do not mean them that way.
- Try not to make light of it. "They must really like you" can leave someone feeling
  unheard.

## Let them decide

It is their life and their choice. You can talk through the options, but let them choose
what to do and when. Pushing someone to report before they are ready can make it harder for
them to ask for help again.

## Practical help

- Offer to help them keep a log of what happens, or to keep copies of evidence safe.
- Offer to go with them to an appointment, or to walk with them around campus.
- Think before you post: photos, locations and plans can show where your friend is.
- If the person contacts you, do not pass anything on about your friend, and let your
  friend know.

## Do not confront the person

However angry you feel, confronting the person can make things more dangerous for your
friend, and for you.

## Where they can turn

- [Standing Together](/support/standing-together/), the university's specialist team
- the [National Stalking Helpline](/support/suzy-lamplugh-trust/)
- everyone in the [support directory](/support/)

If your friend is in danger right now, call 999.

## Look after yourself too

Supporting someone can be hard. You can talk to the
[Student Wellbeing Service](/support/student-wellbeing/) or
[Health Assured](/support/health-assured/) about how it is affecting you, without sharing
your friend's details.
"""

PAGES: list[Page] = [
    Page(
        "what-is-stalking",
        "What is stalking?",
        "Persistent, unwanted attention that leaves you uneasy or afraid, and the FOUR signs "
        "that help you recognise it.",
        WHAT_IS_STALKING,
    ),
    Page(
        "tactics",
        "What stalking can look like",
        "Watching, unwanted contact, interfering and intimidating: examples in person and online.",
        TACTICS,
    ),
    Page(
        "impact",
        "How stalking can affect you",
        "Its effects on your wellbeing, studies, daily life, relationships and safety, and "
        "where to find help with each.",
        IMPACT,
    ),
    Page(
        "what-to-do",
        "If you are being stalked: what you can do",
        "Keep a log and the evidence, tell someone, know who can help, and the police.",
        WHAT_TO_DO,
    ),
    Page(
        "helping-a-friend",
        "How to help a friend",
        "If someone tells you they are being stalked: how to listen, support them and look "
        "after yourself.",
        HELPING_A_FRIEND,
    ),
]


@transaction.atomic
def awareness_pages_load_demo() -> int:
    """Create the demo awareness pages, published. Idempotent (matched by slug); pages that
    exist are left alone so approved edits survive."""
    existing = set(AwarenessPage.objects.values_list("slug", flat=True))
    for position, item in enumerate(PAGES):
        if item.slug in existing:
            continue
        AwarenessPage.objects.create(
            slug=item.slug,
            title=item.title,
            summary=item.summary,
            body=item.body,
            position=position,
            is_published=True,
        )
    return len(PAGES)


# --- Campaigns -----------------------------------------------------------------------------

NSAW_2024_BODY = """\
National Stalking Awareness Week happens every year and is led by the Suzy Lamplugh Trust,
the charity that runs the National Stalking Helpline. In 2024 it runs from Monday 22 to
Friday 26 April.

## This year's theme: Join Forces Against Stalking

No one organisation can keep someone safe from stalking by itself. When the university, the
police, support services and specialist charities work together, a person who comes forward
gets joined-up support from the first time they tell someone right through to any formal
process, whether that is the Student Conduct Process or a police investigation.

That is how Standing Together works: we coordinate support across the university and with
services outside it, so that you do not have to tell your story again and again.

## During the week

Standing Together will be posting on X and Instagram all week. Follow along, share what you
learn, and help make stalking easier to recognise.

## Why awareness matters

Stalking is still too often treated as a joke, or even as romantic. Around Valentine's Day
this year, some cards on sale made light of stalking by using a stalker from a popular TV
series as a romantic hero. Messages like that make it harder for people to recognise what is
happening to them, and to ask for help.

## Watch and read

The Alice Ruggles Trust has made a short animated film, about three minutes long, on
recognising stalking and what to do if it is happening to you. We have also written a blog
post with Prof. Clive Ruggles. Both are linked on this page.
"""


@dataclass
class Link:
    kind: str
    label: str
    url: str


@dataclass
class CampaignData:
    slug: str
    name: str
    theme: str
    lead_organisation: str
    starts_on: datetime.date
    ends_on: datetime.date
    summary: str
    body: str
    links: list[Link]


# The links are placeholders on each organisation's own site: data, to be corrected by an
# administrator in the content editor once the real addresses are known.
CAMPAIGNS: list[CampaignData] = [
    CampaignData(
        slug="national-stalking-awareness-week-2024",
        name="National Stalking Awareness Week 2024",
        theme="Join Forces Against Stalking",
        lead_organisation="Suzy Lamplugh Trust",
        starts_on=datetime.date(2024, 4, 22),
        ends_on=datetime.date(2024, 4, 26),
        summary="A week to recognise stalking and to show how working together keeps people "
        "safer, from the first conversation to the end of any formal process.",
        body=NSAW_2024_BODY,
        links=[
            Link(
                CampaignLink.Kind.BLOG,
                "Our blog post with Prof. Clive Ruggles",
                "https://le.ac.uk/standing-together/blog/stalking-awareness-week-2024",
            ),
            Link(
                CampaignLink.Kind.VIDEO,
                "The Alice Ruggles Trust's three-minute animated film about stalking",
                "https://www.alicerugglestrust.org/awareness-film",
            ),
            Link(
                CampaignLink.Kind.SOCIAL,
                "Standing Together on X",
                "https://x.com/UoLStandingTogether",
            ),
            Link(
                CampaignLink.Kind.SOCIAL,
                "Standing Together on Instagram",
                "https://www.instagram.com/uol_standingtogether/",
            ),
            Link(
                CampaignLink.Kind.WEBSITE,
                "National Stalking Awareness Week at the Suzy Lamplugh Trust",
                "https://www.suzylamplugh.org/national-stalking-awareness-week",
            ),
        ],
    ),
]


@transaction.atomic
def campaigns_load_demo() -> int:
    """Create the demo campaigns and their links, published. Idempotent; campaigns that
    exist are left alone so approved edits survive."""
    existing = set(Campaign.objects.values_list("slug", flat=True))
    for item in CAMPAIGNS:
        if item.slug in existing:
            continue
        campaign = Campaign.objects.create(
            slug=item.slug,
            name=item.name,
            theme=item.theme,
            lead_organisation=item.lead_organisation,
            starts_on=item.starts_on,
            ends_on=item.ends_on,
            summary=item.summary,
            body=item.body,
            is_published=True,
        )
        CampaignLink.objects.bulk_create(
            CampaignLink(
                campaign=campaign, kind=link.kind, label=link.label, url=link.url, position=i
            )
            for i, link in enumerate(item.links)
        )
    return len(CAMPAIGNS)
