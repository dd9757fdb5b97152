"""Every URL pattern the site serves, each with a concrete sample URL.

Walks get_resolver() recursively (Django admin and allauth included). Path parameters
get sample values: int -> 1, uuid -> a random uuid, anything else -> "sample"; a regex
group gets the first of its literal alternatives ("accounts|hub" -> "accounts") or the
first sample value it accepts. Each sample URL is checked to resolve back to its pattern.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

SAMPLE_UUID = str(uuid.uuid4())


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the full route string for an unnamed pattern
    route: str
    url: str


class SampleURLError(Exception):
    pass


def _candidates_for_converter(converter: object) -> list[str]:
    if isinstance(converter, IntConverter):
        return ["1"]
    if isinstance(converter, UUIDConverter):
        return [SAMPLE_UUID]
    return ["sample", "1", SAMPLE_UUID]


_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


def _concrete_route(pattern: RoutePattern) -> str:
    def fill(match: re.Match[str]) -> str:
        converter = pattern.converters[match["parameter"]]
        for candidate in _candidates_for_converter(converter):
            if re.fullmatch(converter.regex, candidate):
                return candidate
        raise SampleURLError(f"No sample value fits <{match[0]}> in {pattern}")

    return _ROUTE_PARAM.sub(fill, str(pattern))


def _group_source(regex: str, name: str) -> str:
    """The text inside (?P<name>...), found by counting parentheses."""
    start = regex.index(f"(?P<{name}>") + len(f"(?P<{name}>")
    depth = 1
    index = start
    while depth:
        char = regex[index]
        if char == "\\":
            index += 2
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        index += 1
    return regex[start : index - 1]


def _concrete_regex(pattern: RegexPattern) -> str:
    regex = str(pattern)
    template, parameters = normalize(regex)[0]
    values = {}
    for name in parameters:
        source = _group_source(regex, name)
        # An alternation of literal words (the admin's app list): take the first word.
        literals = source.split("|") if re.fullmatch(r"[\w-]+(\|[\w-]+)*", source) else []
        for candidate in [*literals, "sample", "1", SAMPLE_UUID]:
            if re.fullmatch(source, candidate):
                values[name] = candidate
                break
        else:
            raise SampleURLError(f"No sample value fits (?P<{name}>{source}) in {regex}")
    return str(template % values)


def _concrete(pattern: object) -> str:
    if isinstance(pattern, RoutePattern):
        return _concrete_route(pattern)
    if isinstance(pattern, RegexPattern):
        return _concrete_regex(pattern)
    raise SampleURLError(f"Unknown kind of URL pattern: {pattern!r}")


def iter_routes(
    patterns: Iterable[URLPattern | URLResolver],
    *,
    route_prefix: str = "",
    url_prefix: str = "/",
    namespace: str = "",
) -> Iterator[Route]:
    for pattern in patterns:
        # Joined the way Django joins ResolverMatch.route: a regex's leading ^ is dropped.
        route = route_prefix + str(pattern.pattern).removeprefix("^")
        url = url_prefix + _concrete(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from iter_routes(
                pattern.url_patterns, route_prefix=route, url_prefix=url, namespace=inner
            )
        else:
            key = f"{namespace}{pattern.name}" if pattern.name else route
            yield Route(key=key, route=route, url=url)


def site_routes() -> list[Route]:
    routes = list(iter_routes(get_resolver().url_patterns))
    for route in routes:
        # The sample URL must reach the pattern it was built for.
        if resolve(urlsplit(route.url).path).route != route.route:
            raise SampleURLError(f"{route.url} does not resolve to {route.route}")
    return routes
