"""Helpers for the report-flow browser tests: a walk through the pages that checks each one.

`Walk` wraps one watched page (JavaScript on or off). `walk.check(state)` is run on every
page and state the person sees: one h1, the quick exit present (our /exit/, leaving for the
institution's page), no sideways scrolling, and axe with no violations. With JavaScript off,
axe cannot run in the page itself (it needs scripts), so the page as the JavaScript-free
browser has it is served again, at the same address, to a second context in which every
script of ours is answered with an empty file (as the harness does for the hub pages): its
DOM and styles are then exactly those of the visit without JavaScript. Serving the copy,
rather than loading the address again, covers the states that only a POST shows (errors)
and pages that must not be asked for twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import FilePayload, Locator, Page, Route

from tests.browser.support import BrowserSession, assert_no_axe_violations
from waypoint.reporting.tests import sample_files

SAVE = "Save and continue"
DANGER_QUESTION = "Are you, or is someone else, in danger right now?"
QUICK_EXIT = "a.quick-exit"
# Our own address, which forgets the visit and then redirects to the institution's page.
QUICK_EXIT_ADDRESS = "/exit/"
NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"
# In-page links (the "Get help now" link, error summaries) whose target is not on the page.
DEAD_ANCHORS = """[...document.querySelectorAll('a[href^="#"]')]
  .map(a => a.getAttribute('href').slice(1))
  .filter(id => id && !document.getElementById(decodeURIComponent(id)))"""
FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const style = getComputedStyle(el);
  return el.matches(':focus-visible') && style.outlineStyle !== 'none'
    && parseFloat(style.outlineWidth) >= 2;
}"""

ROUTE_LABELS = {
    "support": "Get support from an adviser",
    "anonymous": "Tell us anonymously",
    "third_party": "Tell us about someone else, or as a witness",
}


@dataclass
class Walk:
    session: BrowserSession
    page: Page
    javascript: bool
    quick_exit_url: str
    checked: list[str] = field(default_factory=list)
    _checker: Page | None = None

    # --- Moving around ------------------------------------------------------------------------

    def goto(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status < 500

    def press(self, button: str) -> None:
        """Press a button in the main content and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.locator("main").get_by_role("button", name=button, exact=True).click()

    def follow(self, link: str) -> None:
        with self.page.expect_navigation():
            self.page.locator("main").get_by_role("link", name=link, exact=True).click()

    def h1(self) -> str:
        return self.page.locator("h1").inner_text().strip()

    # --- Checking -----------------------------------------------------------------------------

    def check(self, state: str) -> None:
        """The checks every page and state of the flow must pass."""
        page = self.page
        assert page.locator("h1").count() == 1, state
        exit_link = page.locator(QUICK_EXIT)
        assert exit_link.count() == 1, f"no quick exit on {state}"
        assert exit_link.is_visible(), f"quick exit hidden on {state}"
        assert exit_link.get_attribute("href") == QUICK_EXIT_ADDRESS, state
        assert exit_link.get_attribute("data-exit-to") == self.quick_exit_url, state
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{state} scrolls sideways at {page.url}"
        assert page.evaluate(DEAD_ANCHORS) == [], f"links to nothing on {state}"
        if self.javascript:
            assert_no_axe_violations(page)
        else:
            self._axe_without_javascript()
        self.checked.append(state)

    def _axe_without_javascript(self) -> None:
        html = self.page.content()
        url = self.page.url
        address = url.split("#", 1)[0]
        checker = self._scriptless_page()

        def serve(route: Route) -> None:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        checker.route(lambda candidate: candidate.split("#", 1)[0] == address, serve, times=1)
        checker.goto(url)
        # The copy, not a fresh page from the server, and without any script of ours.
        assert checker.locator("h1").inner_text() == self.h1()
        assert checker.evaluate("document.documentElement.classList.contains('js')") is False
        assert_no_axe_violations(checker)

    def _scriptless_page(self) -> Page:
        if self._checker is None:
            viewport = self.page.viewport_size
            checker, _ = self.session.new_page(viewport=viewport)
            checker.route(
                "**/static/js/**",
                lambda route: route.fulfill(status=200, content_type="text/javascript", body=""),
            )
            self._checker = checker
        return self._checker


# --- Answering ----------------------------------------------------------------------------------


def question(page: Page, legend: str) -> Locator:
    """A question asked as a group of choices (a fieldset with this legend)."""
    return page.locator("main").get_by_role("group", name=legend, exact=True)


def choose(page: Page, legend: str, answer: str) -> None:
    question(page, legend).get_by_label(answer, exact=True).check()


def tick(page: Page, *labels: str) -> None:
    for label in labels:
        page.locator("main").get_by_label(label, exact=True).check()


def fill(page: Page, label: str, text: str) -> None:
    page.locator("main").get_by_label(label, exact=True).fill(text)


def answer_contact(page: Page, route: str) -> None:
    fill(page, "Your name", f"Alex {route}")
    choose(page, "How should we contact you?", "Email")
    fill(page, "Email address", "alex@example.test")
    if route == "support":
        fill(page, "Phone number", "07700 900123")
        fill(page, "When is it safe to contact you?", "Weekday mornings")
        choose(page, "Is it safe to leave a voicemail?", "No")
        choose(page, "Is it safe to send you a text message?", "Yes")
        fill(page, "A safer email address (optional)", "safe@example.test")
        tick(page, "Email me when there is a new message for me")


def answer_your_part(page: Page, route: str) -> None:
    choose(page, "Which fits best?", "I saw or heard something happen")
    choose(page, "Does the person it is happening to know you are telling us?", "I'm not sure")
    choose(page, "Is the person it is happening to…", "A student")


def answer_replies(page: Page, route: str) -> None:
    choose(
        page,
        "Would you like to be able to get replies from the team?",
        "Yes. I'll come back to this site to read them",
    )


def answer_what(page: Page, route: str) -> None:
    tick(page, "Following me or turning up where I am", "Contacting me again and again")
    fill(page, "In your own words, what has been happening?", f"Messages every night ({route}).")


def answer_when(page: Page, route: str) -> None:
    choose(page, "When did it start?", "One to six months ago")
    fill(page, "When did it last happen? (optional)", "2026-03-14")
    choose(page, "How often does it happen?", "About once a week")


def answer_where(page: Page, route: str) -> None:
    tick(page, "Library", "Instagram", "Somewhere off campus")
    fill(page, "Anything else about where it happens?", "Near the bus stop.")


def answer_who(page: Page, route: str) -> None:
    choose(page, "Who are they to you?", "Another student")
    choose(page, "Are they…", "A student here")
    fill(page, "Their name, if you know it", "Sam")
    fill(page, "Their student number, if you know it", "AB123456")
    fill(page, "Their email address", "sam@example.test")
    fill(page, "Their social media accounts", "@sam_example")
    fill(page, "Anything else that would help us know who they are?", "Tall, red coat.")


def answer_impact(page: Page, route: str) -> None:
    tick(page, "I feel frightened or unsafe", "I'm not sleeping well")
    fill(page, "Anything else about how it is affecting you?", "I skip lectures.")


def answer_police(page: Page, route: str) -> None:
    choose(page, "Has it been reported to the police?", "Yes")
    fill(page, "Crime reference number, if you have one", "CR-2026-0042")


def answer_support(page: Page, route: str) -> None:
    tick(page, "Talk to an adviser", "Safety measures on campus")
    fill(page, "Anything else you would like help with?", "A safer route home.")


# Step titles (the h1) and how to answer them; the danger step is walked on its own.
ANSWERS = {
    "How we can reach you safely": answer_contact,
    "About you": answer_your_part,
    "How we can reach you (optional)": answer_contact,
    "Getting replies": answer_replies,
    "What happened": answer_what,
    "When it happened": answer_when,
    "Where it happened": answer_where,
    "Who is doing this": answer_who,
    "How it is affecting you": answer_impact,
    "The police": answer_police,
    "What would help": answer_support,
}


# --- Files --------------------------------------------------------------------------------------


def evidence_file(route: str) -> FilePayload:
    """One small file per route: a phone photo with GPS details, a screenshot, a PDF."""
    if route == "support":
        return {
            "name": "IMG_0042.jpg",
            "mimeType": "image/jpeg",
            "buffer": sample_files.jpeg_with_metadata(),
        }
    if route == "anonymous":
        return {
            "name": "screenshot.png",
            "mimeType": "image/png",
            "buffer": sample_files.png_plain(),
        }
    return {"name": "letter.pdf", "mimeType": "application/pdf", "buffer": sample_files.pdf()}


# --- Keyboard -----------------------------------------------------------------------------------


def tab_to(page: Page, selector: str, limit: int = 150) -> None:
    """Press Tab until the element matching `selector` has the focus, and check it shows."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUS_VISIBLE), f"the focus on {selector} cannot be seen"
            return
    raise AssertionError(f"Tab never reached {selector}")
