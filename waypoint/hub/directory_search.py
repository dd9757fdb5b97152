"""Directory search: from what someone typed to a ranked list of support services.

Every matching and ranking rule lives in this module, so that moving to PostgreSQL
full-text search later replaces this file and leaves the selectors and views alone
(docs/decisions/0027-directory-search-ranking.md).

How a query is read:

1. Words are lower-cased and small words that say nothing about a need ("on", "my", "he")
   are dropped, unless nothing else is left.
2. Known phrases ("social media", "leave me alone") are kept together.
3. Each word or phrase becomes a *concept*: its own stem plus every word in the SYNONYMS
   groups it belongs to ("following" also finds "stalking", "ex" also finds "partner").
   A word is in a group when its stem starts with the stem of one of the group's words
   ("threatening" is in the group of "threat").
4. A service matches a concept when one of the concept's words starts a word in its
   name, need words, categories, summary or description. The concept scores the weight of
   the best of those fields, plus one point when the word as typed is found, not only a
   synonym. A service's relevance is the sum over the concepts. A service that matches
   no concept is left out; any one matching concept is enough to be shown.
5. Results come best first, then by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Lower

from waypoint.hub.models import SupportService

MAX_QUERY_WORDS: Final = 8
MAX_QUERY_LENGTH: Final = 100

# Words that say nothing about a need; dropped unless the query is made of nothing else.
STOP_WORDS: Final = frozenset(
    (
        "a",
        "about",
        "am",
        "an",
        "and",
        "any",
        "are",
        "at",
        "be",
        "been",
        "being",
        "by",
        "can",
        "can't",
        "do",
        "does",
        "don't",
        "feel",
        "feeling",
        "for",
        "from",
        "get",
        "go",
        "going",
        "had",
        "has",
        "have",
        "he",
        "help",
        "her",
        "him",
        "his",
        "how",
        "i",
        "i'm",
        "if",
        "im",
        "in",
        "is",
        "it",
        "just",
        "know",
        "like",
        "made",
        "make",
        "me",
        "my",
        "need",
        "not",
        "of",
        "on",
        "or",
        "our",
        "please",
        "really",
        "she",
        "so",
        "some",
        "someone",
        "something",
        "somewhere",
        "support",
        "that",
        "the",
        "their",
        "them",
        "they",
        "think",
        "this",
        "to",
        "up",
        "us",
        "want",
        "was",
        "very",
        "we",
        "what",
        "where",
        "who",
        "will",
        "with",
        "won't",
        "you",
        "your",
    )
)

# Words people use for the same need. A search for any word or phrase in a group also
# finds the others. Write words as people type them; endings ("followed", "follows") are
# found anyway. A word may sit in more than one group. To extend: add a word to a group,
# or add a group, and add a phrasing to hub/tests/test_directory_search_phrasings.py.
SYNONYMS: Final[tuple[tuple[str, ...], ...]] = (
    # Being followed, watched or pursued
    (
        "follow",
        "stalk",
        "stalker",
        "stalking",
        "cyberstalking",
        "fixated",
        "obsessed",
        "turning up",
        "watching me",
        "unwanted attention",
        "unwanted contact",
    ),
    # It keeps happening
    ("keep", "kept", "constantly", "repeated", "persistent", "won't stop", "leave me alone"),
    # Harassment and abuse
    ("harass", "harassment", "abuse", "abusive", "bully", "threat", "intimidate", "troll"),
    ("harass", "harrass", "harrassment", "harasment"),  # common misspellings
    # Online
    (
        "online",
        "internet",
        "social media",
        "instagram",
        "snapchat",
        "tiktok",
        "facebook",
        "whatsapp",
        "twitter",
        "cyber",
        "cyberstalking",
    ),
    # Someone pretending to be someone else
    ("fake", "impersonate", "impersonation", "catfish", "pretending to be"),
    # Messages and other contact
    ("message", "messaging", "text", "texting", "dm", "voicemail", "email"),
    # Technology used to watch someone
    ("track", "tracker", "location", "gps", "spyware", "stalkerware", "airtag", "hack"),
    ("phone", "mobile", "laptop", "device"),
    # Partners and former partners
    ("ex", "ex-partner", "partner", "boyfriend", "girlfriend", "husband", "wife", "relationship"),
    ("domestic abuse", "domestic violence", "coercive control", "controlling"),
    # International students
    ("visa", "immigration", "international", "overseas"),
    # Feeling unsafe or afraid
    ("safe", "safety", "unsafe", "danger", "security"),
    ("scared", "afraid", "frightened", "fear", "terrified", "unsafe"),
    ("emergency", "urgent", "immediate danger", "999"),
    # Somewhere to live
    ("housing", "accommodation", "halls", "flat", "room", "live", "living", "move out"),
    # Studies
    ("lecture", "class", "seminar", "studies", "course", "exam", "deadline", "tutor"),
    # Someone to talk to, and when
    ("talk", "listen", "chat", "someone to talk to"),
    ("counselling", "counseling", "counsellor", "counselor", "therapy", "therapist"),
    ("night", "overnight", "evening", "weekend", "any time", "any hour", "24 hours"),
    ("worry", "worries", "anxious", "anxiety", "stress", "panic"),
    ("mental health", "wellbeing", "depressed", "depression", "low mood", "suicidal"),
    # Money
    ("money", "finance", "financial", "funding", "hardship", "debt", "budget"),
    # The police and reporting
    ("police", "crime", "criminal", "officer"),
    ("report", "disclose", "disclosure"),
    # Friends and others close by
    ("friend", "flatmate", "housemate", "coursemate"),
    ("disabled", "disability", "long-term condition"),
)

# Where a concept is found says how well a service fits. A concept counts once, at its
# best field: being named in the name or need words beats a passing mention.
FIELD_WEIGHTS: Final = {
    "name": 10,
    "need_words": 8,
    "categories": 6,
    "summary": 4,
    "description": 2,
}
# Added when the word as typed is found, not only a synonym: it only breaks ties between
# fields of the same weight ("stalking" puts stalking services above those that only
# mention "followed").
AS_TYPED: Final = 1

_WORD = re.compile(r"[\w'-]+")
# Simple stemming: plural and verb endings, kept only when a useful stem is left
# ("services" -> "servic", "stalked" -> "stalk", "lectures" and "lecture" -> "lectur").
_SUFFIXES: Final = (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("e", ""))
_MIN_STEM: Final = 4
_NOT_A_LETTER: Final = "[^a-z0-9]"


def _words(query: str) -> list[str]:
    text = query[:MAX_QUERY_LENGTH].lower().replace("\u2019", "'").replace("\u2018", "'")
    words = [w.strip("'-").removesuffix("'s") for w in _WORD.findall(text)]
    return [w for w in words if w]


def _stem(word: str) -> str:
    if word.endswith(("ss", "us", "is")):  # not plurals: "harass", "campus", "crisis"
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) + len(replacement) >= _MIN_STEM:
            return word[: -len(suffix)] + replacement
    return word


def search_terms(query: str) -> list[str]:
    """The stems of the meaningful words in what someone typed.

    >>> search_terms("Unsafe on campus")
    ['unsaf', 'campus']
    >>> search_terms("counselling services")
    ['counsell', 'servic']
    """
    words = _words(query)
    meaningful = [w for w in words if w not in STOP_WORDS] or words
    terms: list[str] = []
    for word in meaningful:
        stem = _stem(word)
        if stem not in terms:
            terms.append(stem)
    return terms[:MAX_QUERY_WORDS]


# --- Concepts -------------------------------------------------------------------------------


def _stems(phrase: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _words(phrase))


def _key(stem: str) -> str:
    """A stem for looking up groups: "worry" and "worried" both give "worri"."""
    return stem[:-1] + "i" if stem.endswith("y") else stem


def _synonym_index() -> tuple[dict[str, set[str]], dict[tuple[str, ...], set[str]]]:
    """Each stem, and each phrase (as stems), mapped to every word of its groups."""
    by_stem: dict[str, set[str]] = {}
    by_phrase: dict[tuple[str, ...], set[str]] = {}
    for group in SYNONYMS:
        for entry in group:
            stems = _stems(entry)
            if len(stems) == 1:
                by_stem.setdefault(_key(stems[0]), set()).update(group)
            else:
                by_phrase.setdefault(stems, set()).update(group)
    return by_stem, by_phrase


_BY_STEM, _BY_PHRASE = _synonym_index()
_LONGEST_PHRASE: Final = max((len(p) for p in _BY_PHRASE), default=1)


def _synonyms(stem: str) -> set[str]:
    """Every word in the groups of `stem`: groups with a word whose stem it equals or, for
    stems long enough to mean something, starts with ("threaten" is in "threat"'s group)."""
    key = _key(stem)
    found: set[str] = set()
    for group_key, words in _BY_STEM.items():
        if key == group_key or (len(group_key) >= _MIN_STEM and key.startswith(group_key)):
            found |= words
    return found


def _word_pattern(word: str, *, last: bool) -> str:
    """A regular expression for one word, read the same way by PostgreSQL and SQLite."""
    stem = _stem(word)
    if len(stem) < _MIN_STEM:
        # Short words match whole words only: "ex" must not find "exam".
        body = re.escape(stem) + ("s?" if stem.isalpha() else "")
        return body + (f"({_NOT_A_LETTER}|$)" if last else f"{_NOT_A_LETTER}+")
    # "worry" also finds "worries" and "worried", "study" finds "studies", not "student".
    body = re.escape(stem[:-1]) + "(y|ie)" if stem.endswith("y") else re.escape(stem)
    return body if last else body + f"[a-z']*{_NOT_A_LETTER}+"


def _pattern(entry: str) -> str:
    words = _words(entry)
    return "".join(_word_pattern(w, last=i == len(words) - 1) for i, w in enumerate(words))


def _at_word_start(patterns: tuple[str, ...]) -> str:
    return f"(^|{_NOT_A_LETTER})(" + "|".join(patterns) + ")"


@dataclass(frozen=True)
class Concept:
    """One thing the person asked about, with every way of saying it that we search for."""

    typed: str
    patterns: tuple[str, ...]  # the word as typed, and its synonyms

    @property
    def typed_regex(self) -> str:
        """The word or phrase as typed (with other endings), at the start of a word."""
        return _at_word_start((_pattern(self.typed),))

    @property
    def regex(self) -> str:
        """Any of the concept's words, at the start of a word."""
        return _at_word_start(self.patterns)


def search_concepts(query: str) -> list[Concept]:
    """The concepts a directory search looks for, in the order they were typed."""
    words = _words(query)
    stems = [_stem(w) for w in words]
    units: list[tuple[list[str], set[str]]] = []  # (words typed, synonyms)
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST_PHRASE, len(words) - i), 1, -1):
            synonyms = _BY_PHRASE.get(tuple(stems[i : i + size]))
            if synonyms is not None:
                units.append((words[i : i + size], synonyms))
                i += size
                break
        else:
            units.append(([words[i]], _synonyms(stems[i])))
            i += 1
    meaningful = [u for u in units if len(u[0]) > 1 or u[0][0] not in STOP_WORDS] or units
    concepts: list[Concept] = []
    for typed, synonyms in meaningful:
        phrase = " ".join(typed)
        patterns = tuple(sorted({_pattern(phrase), *(_pattern(s) for s in synonyms)}))
        if all(c.patterns != patterns for c in concepts):
            concepts.append(Concept(typed=phrase, patterns=patterns))
    return concepts[:MAX_QUERY_WORDS]


# --- Ranking in SQL -------------------------------------------------------------------------


def _in_categories(regex: str) -> Exists:
    through = SupportService.categories.through
    return Exists(
        through.objects.filter(supportservice_id=OuterRef("pk")).filter(
            Q(supportcategory__name__iregex=regex) | Q(supportcategory__need_words__iregex=regex)
        )
    )


def _found_in(field: str, regex: str) -> Q:
    if field == "categories":
        return Q(_in_categories(regex))
    return Q(**{f"{field}__iregex": regex})


def _concept_score(concept: Concept) -> Combinable:
    """The weight of the best field the concept is found in (0 if none), plus AS_TYPED."""
    best = Case(
        *(
            When(_found_in(field, concept.regex), then=Value(weight))
            for field, weight in sorted(FIELD_WEIGHTS.items(), key=lambda item: -item[1])
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    anywhere = Q()
    for field in FIELD_WEIGHTS:
        anywhere |= _found_in(field, concept.typed_regex)
    as_typed = Case(When(anywhere, then=Value(AS_TYPED)), default=Value(0))
    return best + as_typed


def relevance(concepts: list[Concept]) -> Combinable:
    """The sum of the concepts' scores."""
    total: Combinable = Value(0)
    for concept in concepts:
        total = total + _concept_score(concept)
    return total


def services_ranked(
    services: QuerySet[SupportService], query: str
) -> QuerySet[SupportService] | None:
    """`services` that match any concept of `query`, best first then by name; None when the
    query has no words to search for (the caller keeps its own order)."""
    concepts = search_concepts(query)
    if not concepts:
        return None
    return (
        services.annotate(relevance=relevance(concepts))
        .filter(relevance__gt=0)
        .order_by("-relevance", Lower("name"), "name")
    )
