"""The support directory's search and filters: people find help in their own words."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from waypoint.hub.demo import SERVICES, support_directory_load_demo
from waypoint.hub.models import Audience, SupportCategory, SupportService
from waypoint.hub.selectors import DIRECTORY_PAGE_SIZE, search_terms
from waypoint.institution.demo import institution_load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo() -> None:
    institution_load_demo()
    support_directory_load_demo()


def found(client: Client, **params: str) -> list[str]:
    """Names of the services a directory search shows, in order."""
    response = client.get("/support/", params)
    assert response.status_code == 200
    names = re.findall(
        r'class="service__name"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )
    return [name.replace("&#x27;", "'") for name in names]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("money", {"Student Welfare Service", "Students' Union Advice Service"}),
        ("unsafe on campus", {"Security Team"}),
        ("counselling", {"Student Wellbeing Service"}),
        ("report to police", {"Leicestershire Police"}),
        ("disabled", {"AccessAbility Centre"}),
    ],
)
def test_need_words_find_the_right_services_first(client: Client, query: str, expected: set[str]):
    names = found(client, q=query)
    assert set(names[: len(expected)]) == expected


def test_money_finds_only_money_advice(client: Client):
    assert set(found(client, q="money")) == {
        "Student Welfare Service",
        "Students' Union Advice Service",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Paladin", "Paladin"),
        ("suzy lamplugh", "Suzy Lamplugh Trust"),
        ("victim first", "Victim First"),
        ("health assured", "Health Assured"),
        ("accessability", "AccessAbility Centre"),
    ],
)
def test_a_service_can_be_found_by_its_name(client: Client, query: str, expected: str):
    assert found(client, q=query)[0] == expected


def test_search_ignores_case_and_extra_spaces(client: Client):
    assert found(client, q="  MONEY  ") == found(client, q="money")


def test_search_finds_plurals_and_other_endings(client: Client):
    assert found(client, q="disabilities")[0] == "AccessAbility Centre"
    assert found(client, q="counseling")[0] == "Student Wellbeing Service"
    assert "Leicestershire Police" in found(client, q="reporting crimes")


def test_search_finds_services_through_their_categories_need_words(client: Client):
    # "rent" is only in the Practical and financial category's need words.
    assert set(found(client, q="rent")) == {
        "Student Welfare Service",
        "Students' Union Advice Service",
    }


def test_any_meaningful_word_is_enough_to_find_a_service(client: Client):
    # Until 0027 every word had to match, so "money police" found nothing.
    names = found(client, q="money police")
    assert {"Student Welfare Service", "Leicestershire Police"} <= set(names)
    assert "AccessAbility Centre" not in names


def test_words_match_from_their_start_not_inside_other_words(client: Client):
    # "ice" is inside "police" and "service" but starts no word in the directory.
    assert found(client, q="ice") == []


def test_a_query_of_only_small_words_still_searches_them():
    assert search_terms("on the") == ["on", "the"]
    assert search_terms("someone on campus") == ["campus"]


def test_search_terms_are_stemmed_deduplicated_and_limited():
    assert search_terms("Services, services!") == ["servic"]
    assert search_terms("stalked followed harassed") == ["stalk", "follow", "harass"]
    assert search_terms("campus crisis") == ["campus", "crisis"]
    assert len(search_terms(" ".join(f"word{i}" for i in range(20)))) == 8
    assert search_terms("x" * 500) == ["x" * 100]


def test_a_search_with_no_match_explains_gently_and_points_to_the_help_panel(client: Client):
    response = client.get("/support/", {"q": "zebra crossing"})
    body = response.content.decode()
    assert "We could not find a match" in body
    assert "That does not mean there is no one who can help" in body
    assert '<a href="#get-help">Get help now</a>' in body
    assert 'id="get-help"' in body
    assert "You searched for &ldquo;zebra crossing&rdquo;" in body


def test_the_query_is_shown_back_escaped(client: Client):
    body = client.get("/support/", {"q": '<script>"x"'}).content.decode()
    assert "<script>&quot;" not in body
    assert 'value="&lt;script&gt;&quot;x&quot;"' in body


# --- Filters ---------------------------------------------------------------------------------


def test_the_category_filter_shows_only_that_category(client: Client):
    assert found(client, category="disability") == ["AccessAbility Centre"]
    police_legal = set(found(client, category="police-legal"))
    assert police_legal == {"Standing Together", "Victim First", "Leicestershire Police"}


def test_the_audience_filter_includes_services_open_to_anyone(client: Client):
    for_staff = found(client, audience="staff")
    assert "Security Team" in for_staff
    assert "Suzy Lamplugh Trust" in for_staff
    assert "Student Wellbeing Service" not in for_staff
    for_students = found(client, audience="students")
    assert "Student Wellbeing Service" in for_students
    assert "Security Team" in for_students
    anyone = set(found(client, audience="anyone"))
    expected = set(
        SupportService.objects.filter(audience=Audience.ANYONE).values_list("name", flat=True)
    )
    assert anyone == expected


def test_filters_and_words_combine(client: Client):
    assert found(client, q="talk", category="emotional-wellbeing", audience="staff") == [
        "Samaritans",
        "Victim First",
    ]


def test_unknown_filter_values_are_ignored(client: Client):
    everything = found(client)
    assert found(client, category="no-such-thing", audience="aliens") == everything
    assert len(everything) == len(SERVICES)


def test_the_form_keeps_what_was_chosen(client: Client):
    body = client.get(
        "/support/", {"q": "money", "category": "safety", "audience": "staff"}
    ).content.decode()
    assert 'value="money"' in body
    assert '<option value="safety" selected>' in body
    assert '<option value="staff" selected>' in body


# --- Many services --------------------------------------------------------------------------


def add_services(count: int, **fields: str) -> None:
    category = SupportCategory.objects.get(slug="practical-financial")
    services = SupportService.objects.bulk_create(
        SupportService(
            slug=f"extra-{i}",
            name=f"Extra service {i:03}",
            provider=SupportService.Provider.EXTERNAL,
            summary="Help with housing.",
            position=100 + i,
            **fields,
        )
        for i in range(count)
    )
    SupportService.categories.through.objects.bulk_create(
        SupportService.categories.through(supportservice_id=s.pk, supportcategory_id=category.pk)
        for s in services
    )


def test_long_results_are_split_into_pages_that_keep_the_search(client: Client):
    total = len(found(client, q="housing")) + 45
    add_services(45)
    response = client.get("/support/", {"q": "housing"})
    body = response.content.decode()
    assert f"{total} services found" in body
    assert len(found(client, q="housing")) == DIRECTORY_PAGE_SIZE
    assert 'href="?q=housing&amp;page=2">Next page</a>' in body
    last = client.get("/support/", {"q": "housing", "page": "3"})
    assert "Page 3 of 3" in last.content.decode()
    assert len(found(client, q="housing", page="3")) == total - 2 * DIRECTORY_PAGE_SIZE
    # A page that does not exist shows the last one, never an error.
    assert client.get("/support/", {"q": "housing", "page": "99"}).status_code == 200
    assert client.get("/support/", {"q": "housing", "page": "x"}).status_code == 200
