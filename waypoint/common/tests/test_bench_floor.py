"""The benchmarks' floor view is served only when WAYPOINT_BENCH_FLOOR is set."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client, override_settings
from django.urls import Resolver404, clear_url_caches, resolve

import config.urls


def _reload_urls() -> None:
    importlib.reload(config.urls)
    clear_url_caches()


def test_the_floor_is_not_served_by_default() -> None:
    with pytest.raises(Resolver404):
        resolve("/bench/floor/")


@pytest.mark.django_db
def test_the_floor_is_a_bare_public_page_when_the_bench_asks_for_it() -> None:
    try:
        with override_settings(WAYPOINT_BENCH_FLOOR=True):
            _reload_urls()
            response = Client().get("/bench/floor/")
    finally:
        _reload_urls()  # settings restored: the floor is gone again for the other tests

    assert response.status_code == 200
    assert response.content == b"floor\n"
    assert response["Cache-Control"] == "no-store, max-age=0"  # same middleware as pages
    with pytest.raises(Resolver404):
        resolve("/bench/floor/")
