"""The content editor's preview beside the text (issue 12, item 12) in a real Chromium.

Alex, an administrator, edits an awareness page at 1366x768. With JavaScript the preview
follows the typing (rendered by the server's own Markdown renderer); without it, the
"Preview" button shows the page again with the preview, and nothing is saved. Each state
is checked (one h1, no dead anchors, no sideways scrolling, axe 0).
"""

from __future__ import annotations

import pytest

from tests.browser.staff_support import sign_in, staff_walk
from tests.browser.support import LAPTOP, BrowserSession, save_screenshot
from waypoint.accounts.models import User
from waypoint.hub.models import ContentRevision
from waypoint.hub.tests.content_support import page_create
from waypoint.institution.models import Institution

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
TYPED = "## Keep a record\n\nWrite down **dates and times**.\n\n<script>alert(1)</script>"


@JS
def test_alex_sees_the_page_as_it_will_look_beside_the_text(
    browser_session: BrowserSession,
    demo_institution: Institution,
    administrator: User,
    javascript: bool,
) -> None:
    page_model = page_create()
    walk = staff_walk(browser_session, javascript=javascript, viewport=LAPTOP)
    sign_in(walk.page, administrator)
    walk.goto(f"/staff/content/pages/{page_model.pk}/edit/")
    preview = walk.page.locator("#content-preview")
    assert preview.locator("h2").inner_text() == "The FOUR signs"

    walk.page.locator("textarea[name=body]").fill(TYPED)
    if javascript:
        preview.get_by_role("heading", name="Keep a record").wait_for()
    else:
        walk.press_named("Preview")
        assert "Nothing has been saved yet" in walk.text()

    assert preview.locator("strong").inner_text() == "dates and times"
    assert "<script>alert(1)</script>" in preview.inner_text()
    assert walk.page.locator("textarea[name=body]").input_value() == TYPED
    assert not ContentRevision.objects.exists()
    save_screenshot(walk.page, f"content-preview-{'js' if javascript else 'no-js'}")
    walk.check("the editor with its preview")
