"""People search the support directory in their own words, and find the right help near the
top (docs/decisions/0027-directory-search-ranking.md).

Each phrasing is something a student or member of staff might type; the expected services
must be among the first three results of the demo directory, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from waypoint.hub.demo import support_directory_load_demo
from waypoint.hub.directory_search import SYNONYMS, search_concepts
from waypoint.hub.models import SupportCategory, SupportService
from waypoint.institution.demo import institution_load_demo

pytestmark = pytest.mark.django_db

NO_MATCH = "We could not find a match"
STALKING_HELPLINE = "Suzy Lamplugh Trust"  # runs the National Stalking Helpline
UKCISA = "UKCISA (UK Council for International Student Affairs)"


@pytest.fixture(autouse=True)
def demo() -> None:
    institution_load_demo()
    support_directory_load_demo()


def found(client: Client, query: str) -> tuple[list[str], str]:
    """The names a directory search shows, in order, and the page."""
    response = client.get("/support/", {"q": query})
    assert response.status_code == 200
    body = response.content.decode()
    names = re.findall(r'class="service__name"><a href="[^"]+">([^<]+)</a>', body)
    return [name.replace("&#x27;", "'") for name in names], body


# The five searches from issue 11 that used to find nothing, then ten more common ones,
# then a few other ways people put the same needs.
PHRASINGS = [
    ("someone keeps following me", {STALKING_HELPLINE, "Standing Together"}),
    ("online harassment", {"Report Harmful Content", STALKING_HELPLINE}),
    ("ex boyfriend", {"National Domestic Abuse Helpline", STALKING_HELPLINE}),
    ("international student", {"International Student Advice", UKCISA}),
    ("visa", {"International Student Advice", UKCISA}),
    # Ten more
    ("he won't leave me alone", {"Standing Together", STALKING_HELPLINE}),
    ("fake accounts messaging me", {"Report Harmful Content"}),
    ("need somewhere safe to live", {"Accommodation Services"}),
    ("scared to go to lectures", {"Security Team", "Academic support in your department"}),
    ("talk to someone at night", {"Samaritans", "Health Assured"}),
    ("report to police", {"Leicestershire Police", "Standing Together"}),
    ("tracking my phone", {STALKING_HELPLINE}),
    ("counselling", {"Student Wellbeing Service"}),
    ("my friend is being stalked", {"Standing Together", STALKING_HELPLINE}),
    ("money worries", {"Student Welfare Service", "Students' Union Advice Service"}),
    # Other ways of saying it
    ("stalking", {"Standing Together", STALKING_HELPLINE, "Paladin"}),
    ("being followed home", {"Security Team"}),
    ("my ex keeps texting me", {"Standing Together", STALKING_HELPLINE}),
    ("someone made a fake instagram pretending to be me", {"Report Harmful Content"}),
    ("threatening messages", {"Report Harmful Content"}),
    ("domestic abuse", {"National Domestic Abuse Helpline"}),
    ("immigration advice", {"International Student Advice", UKCISA}),
    ("I feel unsafe", {"Security Team"}),
    ("harrassment", {"Standing Together"}),  # a common misspelling
]


@pytest.mark.parametrize(("query", "expected"), PHRASINGS, ids=[q for q, _ in PHRASINGS])
def test_a_person_typing_in_their_own_words_finds_the_right_help_in_the_top_three(
    client: Client, query: str, expected: set[str]
) -> None:
    names, body = found(client, query)
    assert expected <= set(names[:3]), names
    assert NO_MATCH not in body
    assert "The closest matches come first." in body


def test_the_five_searches_from_the_issue_each_put_their_best_service_first(
    client: Client,
) -> None:
    assert found(client, "someone keeps following me")[0][0] == "Standing Together"
    assert found(client, "online harassment")[0][0] == "Report Harmful Content"
    assert found(client, "visa")[0][0] == "International Student Advice"
    assert found(client, "fake accounts messaging me")[0][0] == "Report Harmful Content"
    assert found(client, "need somewhere safe to live")[0][0] == "Accommodation Services"


def test_one_matching_word_is_enough_to_show_results(client: Client) -> None:
    # "zebra" matches nothing; "counselling" does. Before 0027 this found nothing.
    names, body = found(client, "zebra counselling")
    assert names[0] == "Student Wellbeing Service"
    assert NO_MATCH not in body


def test_a_search_where_no_word_matches_still_explains_gently(client: Client) -> None:
    names, body = found(client, "zebra crossing")
    assert names == []
    assert NO_MATCH in body
    assert "Try saying it another way" in body
    assert "The closest matches come first." not in body


def test_a_service_matching_more_of_the_words_comes_before_one_matching_fewer(
    client: Client,
) -> None:
    # Report Harmful Content has "report" in its name but does not match "police";
    # the police match both words.
    names, _ = found(client, "report police")
    assert names[0] == "Leicestershire Police"
    assert names.index("Leicestershire Police") < names.index("Report Harmful Content")


def test_the_name_and_need_words_count_more_than_a_mention_in_the_description(
    client: Client,
) -> None:
    SupportService.objects.filter(slug="paladin").update(
        description="Mentions counselling in passing."
    )
    names, _ = found(client, "counselling")
    assert names.index("Student Wellbeing Service") < names.index("Paladin")


def test_the_word_as_typed_beats_a_synonym_in_a_field_of_the_same_weight(
    client: Client,
) -> None:
    # Security Team has "followed" in its need words; the specialist services "stalking".
    names, _ = found(client, "stalking")
    assert names.index("Suzy Lamplugh Trust") < names.index("Security Team")
    names, _ = found(client, "followed")
    assert names[0] == "Security Team"


def test_services_that_match_equally_are_listed_by_name(client: Client) -> None:
    names, _ = found(client, "visa")
    assert names == ["International Student Advice", UKCISA]


def test_small_words_alone_are_still_searched(client: Client) -> None:
    names, body = found(client, "on the")
    assert names
    assert NO_MATCH not in body


def test_a_short_word_matches_only_whole_words(client: Client) -> None:
    # "ex" must not find "exam" in Academic support's need words.
    names, _ = found(client, "ex")
    assert "Academic support in your department" not in names
    assert "National Domestic Abuse Helpline" in names


def test_an_administrator_can_teach_search_a_new_word_with_need_words(client: Client) -> None:
    assert found(client, "airbnb")[0] == []
    SupportService.objects.filter(slug="accommodation-services").update(
        need_words="housing halls airbnb"
    )
    assert found(client, "airbnb")[0] == ["Accommodation Services"]


def test_category_need_words_are_searched_too(client: Client) -> None:
    SupportCategory.objects.filter(slug="international").update(need_words="brp")
    SupportService.objects.filter(slug="ukcisa").update(need_words="")
    SupportService.objects.filter(slug="international-student-advice").update(need_words="")
    assert set(found(client, "brp")[0]) == {"International Student Advice", UKCISA}


# --- How a query is read ---------------------------------------------------------------------


def test_small_words_are_dropped_and_known_phrases_kept_together() -> None:
    assert [c.typed for c in search_concepts("He won't leave me alone")] == ["leave me alone"]
    assert [c.typed for c in search_concepts("harassment on social media")] == [
        "harassment",
        "social media",
    ]


def test_words_from_the_same_synonym_group_count_once() -> None:
    assert [c.typed for c in search_concepts("ex boyfriend")] == ["ex"]
    assert len(search_concepts("visa immigration international")) == 1


def test_different_endings_and_curly_apostrophes_find_the_same_group() -> None:
    (following,) = search_concepts("following")
    (followed,) = search_concepts("followed")
    (follows,) = search_concepts("follows")
    assert following.patterns == followed.patterns == follows.patterns
    assert [c.typed for c in search_concepts("he won\u2019t stop")] == ["won't stop"]
    (threatening,) = search_concepts("threatening")
    assert "threat" in threatening.regex


def test_every_synonym_group_is_readable_lower_case_data() -> None:
    for group in SYNONYMS:
        assert len(group) >= 2
        for entry in group:
            assert entry == entry.strip().lower(), entry
            assert search_concepts(entry), entry


# --- The demo data ---------------------------------------------------------------------------


def test_the_added_services_are_real_where_they_name_an_organisation() -> None:
    services = {s.slug: s for s in SupportService.objects.prefetch_related("phones")}
    helpline = services["national-domestic-abuse-helpline"]
    assert [p.number for p in helpline.phones.all()] == ["0808 2000 247"]
    assert helpline.is_24_7 and helpline.is_free
    assert [p.number for p in services["samaritans"].phones.all()] == ["116 123"]
    assert services["report-harmful-content"].website_url == "https://reportharmfulcontent.com"
    assert services["ukcisa"].website_url == "https://www.ukcisa.org.uk"
    # The university's own are described in general terms, with no invented numbers.
    for slug in ("international-student-advice", "accommodation-services"):
        assert services[slug].provider == SupportService.Provider.INTERNAL
        assert not services[slug].phones.exists()
        assert not services[slug].website_url


def test_reloading_the_demo_keeps_edits_to_the_added_services() -> None:
    SupportService.objects.filter(slug="samaritans").update(summary="Edited and approved.")
    support_directory_load_demo()
    assert SupportService.objects.get(slug="samaritans").summary == "Edited and approved."
    assert SupportService.objects.filter(slug="samaritans").count() == 1


# --- Fixed queries ---------------------------------------------------------------------------


def add_services(count: int) -> None:
    category = SupportCategory.objects.get(slug="specialist-stalking")
    services = SupportService.objects.bulk_create(
        SupportService(
            slug=f"extra-{i}",
            name=f"Extra service {i:03}",
            provider=SupportService.Provider.EXTERNAL,
            summary="Advice if someone keeps following you.",
            need_words="stalking online",
            position=100 + i,
        )
        for i in range(count)
    )
    SupportService.categories.through.objects.bulk_create(
        SupportService.categories.through(supportservice_id=s.pk, supportcategory_id=category.pk)
        for s in services
    )


@pytest.mark.parametrize("extra", [0, 300])
def test_a_long_search_makes_the_same_few_queries_however_many_services_there_are(
    client: Client, django_assert_num_queries, extra: int
) -> None:
    add_services(extra)
    # institution, categories (filters), count, one page of services, their categories, phones
    with django_assert_num_queries(6):
        response = client.get(
            "/support/", {"q": "someone keeps following me online and threatening my friend"}
        )
    assert response.status_code == 200
