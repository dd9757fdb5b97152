"""Download my record in a real browser: the page before the files, on a phone and a laptop,
with and without JavaScript, and the PDF that arrives (issue 14, item 5)."""

from __future__ import annotations

import pytest

from tests.browser.support import LAPTOP, MOBILE, BrowserSession, save_screenshot
from tests.browser.test_incident_log import JS, log_ready, new_walk, start_a_record  # noqa: F401
from waypoint.institution.models import Institution
from waypoint.log.export.signature import verify_pdf
from waypoint.log.models import IncidentLog
from waypoint.log.services import entry_add
from waypoint.log.tests.support import content

pytestmark = pytest.mark.browser


@JS
def test_a_person_downloads_their_record_as_a_pdf_that_checks_as_genuine(
    browser_session: BrowserSession,
    log_ready: Institution,  # noqa: F811 - the fixture imported above
    javascript: bool,
) -> None:
    mode = "js" if javascript else "no-js"
    walk = new_walk(browser_session, log_ready, javascript=javascript, viewport=MOBILE)
    reference, _ = start_a_record(walk, check=False)
    # An empty record has nothing to download yet, and says so.
    walk.goto("/log/record/download/")
    assert walk.h1() == "Download your record"
    assert walk.page.get_by_text("There is nothing to download yet").is_visible()
    walk.check("download, empty record")
    save_screenshot(walk.page, f"log-download-empty-phone-{mode}")

    entry_add(log=IncidentLog.objects.get(reference=reference), content=content())
    walk.goto("/log/record/")
    walk.follow("Download my record")
    assert walk.h1() == "Download your record"
    walk.check("download")
    save_screenshot(walk.page, f"log-download-phone-{mode}")
    with walk.page.expect_download() as arrived:
        walk.page.get_by_role("link", name="Download the PDF").click()
    download = arrived.value
    assert download.suggested_filename == "my-record.pdf"
    path = download.path()
    assert path is not None
    assert verify_pdf(path.read_bytes()).genuine

    walk.page.set_viewport_size({"width": LAPTOP["width"], "height": LAPTOP["height"]})
    walk.page.reload()
    walk.check("download on a laptop")
    save_screenshot(walk.page, f"log-download-laptop-{mode}")
