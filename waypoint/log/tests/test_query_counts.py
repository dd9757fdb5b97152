"""The record page and the download cost the same number of queries for 3 incidents as for
30: the entries, the people and the options are each read once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from waypoint.institution.demo import institution_load_demo
from waypoint.log.models import IncidentLog
from waypoint.log.services import entry_add, entry_correct, log_start, person_add
from waypoint.log.tests.support import content
from waypoint.log.tests.test_download import signed_in

pytestmark = pytest.mark.django_db


def record_with(incidents: int) -> IncidentLog:
    log = log_start().log
    person = person_add(log=log, name="Alex")
    first = None
    for number in range(incidents):
        entry = entry_add(log=log, content=content(who=[str(person.pk)], witnesses=f"#{number}"))
        first = first or entry
    assert first is not None
    entry_correct(log=log, entry=first, content=content())
    return log


def queries_for(log: IncidentLog, name: str) -> int:
    client = signed_in(log)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(name)).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["log:home", "log:download_csv"])
def test_a_longer_record_costs_no_more_queries(name: str) -> None:
    institution_load_demo()
    assert queries_for(record_with(3), name) == queries_for(record_with(30), name)
