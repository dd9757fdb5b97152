"""The stateful scenarios, driven by locust (bench/run.py starts it; bench/README.md).

- ReportUser: a complete report as a person makes it on the named route: the start page,
  every step (page, then answers), the evidence page (with BENCH_ATTACHMENT_BYTES, one
  upload of that size), the review, submit, the receipt, the receipt check, the last page.
- ReceiptUser: a returning reporter signs in with a reference and passphrase
  (BENCH_CREDENTIALS, written by generate_load_data) and reads their report's page.
- LogAddUser: someone keeping an incident log adds an incident: the form, a valid
  incident (CSRF token from the form), then their record, where the redirect goes. Each
  virtual user is signed in to a log of its own (BENCH_LOG_SESSIONS, prepared by
  bench/logs.py), so no two wait on one log's lock.

Requests go to gunicorn as the TLS proxy would send them (X-Forwarded-Proto: https and a
client address in X-Forwarded-For: a new /24 network per report, as people report from
their own connections). The cookies are the production ones (__Host-, Secure): the client
is told to send them over this plain loopback connection. The CSRF cookie is set by the
client, as a browser that already had one would. BENCH_MAX_REQUESTS stops the run after
about that many requests.
"""

from __future__ import annotations

import datetime
import http.cookiejar
import itertools
import json
import os
import random
import re
import secrets
import string
from typing import Any

from locust import HttpUser, events, task
from locust.env import Environment
from locust.runners import Runner

CSRF_COOKIE = os.environ.get("BENCH_CSRF_COOKIE", "__Host-waypoint-csrf")
SESSION_COOKIE = os.environ.get("BENCH_SESSION_COOKIE", "__Host-waypoint-session")
ATTACHMENT_BYTES = int(os.environ.get("BENCH_ATTACHMENT_BYTES", "0"))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "0"))
ROUTE = "support"

_TOKEN = re.compile(r'name="token" value="([0-9a-f-]{36})"')
_PASSPHRASE = re.compile(r'id="receipt-passphrase">([^<]+)<')
_WORD_LABEL = re.compile(r">\s*Word (\d+)\s*<")
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_OFFERED = re.compile(r'name="(behaviours|places|platforms|who)" value="([^"]+)"')
_SENTENCES = (
    "They were waiting outside the library when I left.",
    "Twelve messages overnight, most of them deleted before I could read them.",
    "They followed me from the bus stop to the halls entrance.",
    "A new account sent me a photo of my front door.",
    "They sat two rows behind me in the lecture and kept looking over.",
    "They asked my flatmate what time I usually get home.",
)


def _answers() -> dict[str, dict[str, Any]]:
    latest = (datetime.date.today() - datetime.timedelta(days=3)).isoformat()  # noqa: DTZ011
    person = secrets.token_hex(6)
    return {
        "danger": {"immediate_danger": "no"},
        "contact": {
            "name": "Alex Bench",
            "preferred_method": "email",
            "email": "alex.bench@example.test",
            "phone": "07700 900123",
            "safe_times": "mornings",
            "voicemail_ok": "no",
            "text_ok": "yes",
            "safe_email": "",
            "email_nudges": "on",
        },
        "what": {
            "behaviours": ["following", "repeated-contact"],
            "what_text": "They wait outside my lectures and message me every night.",
        },
        "when": {"started": "months", "latest": latest, "frequency": "weekly"},
        "where": {"locations": ["library"], "platforms": ["instagram"], "where_text": ""},
        # A different person in each report: reports naming the same person are matched
        # (casework matching), and one shared name would match every report with all the
        # others, which real reports do not.
        "who": {
            "relationship": "student",
            "affiliation": "student",
            "person_name": f"Sam Example {person}",
            "person_email": f"sam.{person}@example.test",
            "handles": f"@sam_{person}",
            "description": "Tall, dark coat",
        },
        "impact": {"impact": ["afraid", "sleep"], "impact_text": ""},
        "police": {"police_reported": "no", "crime_reference": ""},
        "support": {"support": ["adviser", "safety"], "support_text": ""},
    }


def incident_answers(rng: random.Random, form_html: str, today: datetime.date) -> dict[str, Any]:
    """A valid incident for the add form (waypoint/log/forms.py IncidentForm), choosing
    from the options and people the form offers: a date in the last 90 days, one or two
    behaviours, words, now and then a place, a platform, a person in the record, or
    someone new (which adds them to the record too)."""
    offered: dict[str, list[str]] = {}
    for name, value in _OFFERED.findall(form_html):
        offered.setdefault(name, []).append(value)
    day = today - datetime.timedelta(days=rng.randrange(1, 90))
    answers: dict[str, Any] = {
        "when_kind": rng.choice(("exact", "about")),
        "date": day.isoformat(),
        "time": f"{rng.randrange(24):02d}:{rng.randrange(60):02d}" if rng.random() < 0.7 else "",
        "what_text": " ".join(rng.sample(_SENTENCES, rng.randint(1, 3))),
        "affected": rng.choice(("", "I stayed in all weekend.")),
        "then": "done",
    }
    for name, most in (("behaviours", 2), ("places", 1), ("platforms", 1), ("who", 1)):
        choices = offered.get(name, [])
        count = min(len(choices), rng.randint(1 if name == "behaviours" else 0, most))
        if count:
            answers[name] = rng.sample(choices, count)
    if rng.random() < 0.1:
        answers["new_person"] = f"Someone from the bus {rng.randrange(1000)}"
    return answers


def _attachment() -> bytes:
    body = b"%PDF-1.4\n%bench\n"
    padding = ATTACHMENT_BYTES - len(body) - 6
    return body + os.urandom(max(0, padding)) + b"\n%%EOF"


class _Waypoint(HttpUser):
    """Keeps its own cookies: Python's cookie jar will not send Secure, __Host- cookies
    over plain HTTP to an address, and here the proxy's TLS hop is left out."""

    abstract = True

    def on_start(self) -> None:
        # The client's own jar stays empty; cookies go in the Cookie header.
        self.client.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self._fresh_visitor()

    def _fresh_visitor(self) -> None:
        """A new person: no cookies but a CSRF one, a new network."""
        self.csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        self.jar: dict[str, str] = {CSRF_COOKIE: self.csrf}
        network = f"10.{random.randrange(256)}.{random.randrange(256)}"  # noqa: S311
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": f"{network}.{random.randrange(1, 255)}",  # noqa: S311
                "Accept-Encoding": "gzip, deflate, br",
                "Accept": "text/html,application/xhtml+xml",
                "User-Agent": "Mozilla/5.0 (Linux; Android 14) waypoint-bench",
                "Origin": (self.host or "").replace("http://", "https://"),
            }
        )

    def _cookies(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.jar.items())}

    def _keep_cookies(self, response: Any) -> None:
        for header in response.raw.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in rest.lower() or "expires=thu, 01 jan 1970" in rest.lower():
                self.jar.pop(name.strip(), None)
            else:
                self.jar[name.strip()] = value

    def _get(self, path: str, name: str) -> Any:
        with self.client.get(
            path, name=name, headers=self._cookies(), allow_redirects=False, catch_response=True
        ) as r:
            self._keep_cookies(r)
            if r.status_code != 200:
                r.failure(f"GET {path}: {r.status_code}")
            return r

    def _post(self, path: str, data: Any, name: str, files: Any = None, token: str = "") -> str:
        """POST, expecting a redirect; `token`: the form's CSRF token (else the cookie's)."""
        payload = {**data, "csrfmiddlewaretoken": token or self.csrf}
        with self.client.post(
            path,
            data=payload,
            files=files,
            name=name,
            headers=self._cookies(),
            allow_redirects=False,
            catch_response=True,
        ) as r:
            self._keep_cookies(r)
            if r.status_code != 302:
                r.failure(f"POST {path}: {r.status_code}")
                return ""
            return str(r.headers.get("Location", ""))


class ReportUser(_Waypoint):
    """A complete report, every step."""

    @task
    def report(self) -> None:
        self._fresh_visitor()
        answers = _answers()
        self._get("/report/", "report: start page")
        where = self._post(
            "/report/", {"route": ROUTE, "reporter_role": "student"}, "report: start"
        )
        for _ in range(20):
            if not where.startswith("/report/") or where in ("/report/review/",):
                break
            slug = where.strip("/").split("/")[-1]
            self._get(where, "report: step page")
            if slug == "evidence":
                if ATTACHMENT_BYTES:
                    self._post(
                        where,
                        {"action": "upload"},
                        "report: upload",
                        files={"files": ("evidence.pdf", _attachment(), "application/pdf")},
                    )
                where = "/report/review/"
                break
            where = self._post(where, answers.get(slug, {}), "report: step answers")
        review = self._get("/report/review/", "report: review")
        token = _TOKEN.search(review.text or "")
        if token is None:
            return
        self._post("/report/submit/", {"token": token.group(1)}, "report: submit")
        receipt = self._get("/report/receipt/", "report: receipt")
        passphrase = _PASSPHRASE.search(receipt.text or "")
        check = self._get("/report/receipt/check/", "report: receipt check page")
        positions = [int(n) for n in _WORD_LABEL.findall(check.text or "")]
        if passphrase is None or len(positions) != 2:
            return
        words = passphrase.group(1).split()
        self._post(
            "/report/receipt/check/",
            {"first": words[positions[0] - 1], "second": words[positions[1] - 1]},
            "report: receipt check",
        )
        self._get("/report/sent/", "report: sent")


class ReceiptUser(_Waypoint):
    """A returning reporter: sign in with the receipt, read the report's page."""

    def on_start(self) -> None:
        super().on_start()
        path = os.environ.get("BENCH_CREDENTIALS", "")
        with open(path) as handle:
            self.receipts = json.load(handle)["receipts"]

    @task
    def sign_in(self) -> None:
        self._fresh_visitor()
        receipt = random.choice(self.receipts)  # noqa: S311
        self._get("/my-report/", "receipt: sign-in page")
        where = self._post(
            "/my-report/",
            {"reference": receipt["reference"], "passphrase": receipt["passphrase"]},
            "receipt: sign in",
        )
        if where:
            self._get("/my-report/", "receipt: report page")


class LogAddUser(_Waypoint):
    """Someone keeping a record adds an incident, then reads their record."""

    _next_log = itertools.count()

    def on_start(self) -> None:
        super().on_start()
        with open(os.environ.get("BENCH_LOG_SESSIONS", "")) as handle:
            cookies = json.load(handle)["add"]
        # One log per user, while there are enough (bench/run.py prepares one for each of
        # the most connections it runs); the same person all run long.
        self.jar[SESSION_COOKIE] = cookies[next(LogAddUser._next_log) % len(cookies)]
        self.rng = random.Random()  # noqa: S311 - made-up content

    @task
    def add(self) -> None:
        page = self._get("/log/record/add/", "log: add page")
        token = _CSRF_INPUT.search(page.text or "")
        if page.status_code != 200 or token is None:
            return
        answers = incident_answers(self.rng, page.text, datetime.date.today())  # noqa: DTZ011
        where = self._post("/log/record/add/", answers, "log: add incident", token=token.group(1))
        if where:
            self._get(where, "log: record page")


@events.init.add_listener  # type: ignore[untyped-decorator]
def _stop_after_max_requests(environment: Environment, **kwargs: Any) -> None:
    if not MAX_REQUESTS:
        return
    counted = {"n": 0}

    def on_request(**kwargs: Any) -> None:
        counted["n"] += 1
        runner: Runner | None = environment.runner
        if counted["n"] == MAX_REQUESTS and runner is not None:
            runner.quit()

    environment.events.request.add_listener(on_request)  # type: ignore[no-untyped-call]
