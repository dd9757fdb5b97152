"""The Django admin cannot change public hub content: that goes through approval."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from waypoint.accounts.admin_site import admin_site
from waypoint.accounts.models import User
from waypoint.hub.models import AwarenessPage, Campaign, ContentRevision, SupportService
from waypoint.hub.tests.content_support import category_create

pytestmark = pytest.mark.django_db


def test_pages_campaigns_services_and_revisions_are_not_in_the_admin() -> None:
    for model in (AwarenessPage, Campaign, SupportService, ContentRevision):
        assert not admin_site.is_registered(model), model.__name__
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:hub_{model._meta.model_name}_changelist")


def test_support_categories_can_be_read_but_not_changed_in_the_admin(
    signed_in_client: Callable[[User], Client], administrator: User
) -> None:
    category = category_create()
    client = signed_in_client(administrator)
    assert client.get(reverse("admin:hub_supportcategory_changelist")).status_code == 200
    change_url = reverse("admin:hub_supportcategory_change", args=[category.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()  # shown, not editable
    assert client.post(change_url, {"name": "Renamed"}).status_code == 403
    assert client.get(reverse("admin:hub_supportcategory_add")).status_code == 403
    delete_url = reverse("admin:hub_supportcategory_delete", args=[category.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    category.refresh_from_db()
    assert category.name == "Safety"
