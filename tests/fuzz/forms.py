"""Hostile request bodies for every form a page offers (issue 13, item 9).

`forms_on(html)` reads the POST forms of a page as a browser would (action, field names,
the values offered); `bodies(form)` is a Hypothesis strategy for what an attacker could
send instead: missing and extra fields, repeated parameters, wrong types, huge values,
control characters, bytes that are not UTF-8, declared charsets we do not take, wrong
content types and broken multipart bodies.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Final

from hypothesis import strategies as st

EXAMPLES_PER_FORM: Final = int(os.environ.get("WAYPOINT_FUZZ_EXAMPLES", "8"))
BOUNDARY: Final = "fuzzBoundary7MA4YWxkTrZu0gW"


@dataclass
class Form:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)

    def __repr__(self) -> str:  # Hypothesis prints failing examples with this
        return f"Form({self.action!r}, {sorted(self.fields)!r})"


class _FormParser(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__()
        self.page_path = page_path
        self.forms: list[Form] = []
        self._current: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            if values.get("method", "get").lower() == "post":
                action = urllib.parse.urljoin(self.page_path, values.get("action") or "")
                self._current = Form(action=urllib.parse.urlsplit(action).path)
            return
        form = self._current
        if form is None:
            return
        name = values.get("name")
        if tag in {"input", "textarea", "button"} and name:
            form.fields.setdefault(name, []).append(values.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            form.fields.setdefault(name, [])
        elif tag == "option" and self._select:
            form.fields[self._select].append(values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None
        elif tag == "select":
            self._select = None


def forms_on(html: str, page_path: str) -> list[Form]:
    parser = _FormParser(page_path)
    parser.feed(html)
    return parser.forms


_NASTY_TEXT: Final = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.sampled_from(
        [
            "",
            "\x00",
            "\r\n\r\n",
            "' OR 1=1 --",
            '"><script>alert(1)</script>',
            "../../etc/passwd",
            "%00%ff",
            "9" * 40,
            "-1",
            "1e309",
            "NaN",
            "00000000-0000-0000-0000-000000000000",
            "\u202e\u200b\ufeff",
            "🙂" * 50,
        ]
    ),
    st.integers(min_value=1_000, max_value=300_000).map(lambda n: "x" * n),
)


@st.composite
def _pairs(draw: st.DrawFn, form: Form) -> list[tuple[str, str]]:
    names = list(form.fields)
    pairs: list[tuple[str, str]] = []
    for name in names:
        if draw(st.booleans()):  # left out
            continue
        offered = [v for v in form.fields[name] if v]
        choices = [_NASTY_TEXT]
        if offered:
            choices.append(st.sampled_from(offered))
        for _ in range(draw(st.integers(min_value=1, max_value=3))):  # repeated parameters
            pairs.append((name, draw(st.one_of(*choices))))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):  # fields nobody offered
        pairs.append((draw(st.text(min_size=1, max_size=20)), draw(_NASTY_TEXT)))
    return pairs


def _multipart(pairs: list[tuple[str, str]], broken: bool) -> bytes:
    parts = []
    for name, value in pairs:
        quoted = name.replace('"', "%22").replace("\r", "").replace("\n", "")
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{quoted}"\r\n\r\n{value}\r\n'
        )
    parts.append(
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
        f'name="files"; filename="../../x.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        "%PDF-1.4 not really\r\n"
    )
    body = "".join(parts) + ("" if broken else f"--{BOUNDARY}--\r\n")
    return body.encode("utf-8", "surrogatepass")


@st.composite
def bodies(draw: st.DrawFn, form: Form) -> tuple[bytes, str]:
    """(body, Content-Type) for one hostile POST to `form`."""
    pairs = draw(_pairs(form))
    kind = draw(
        st.sampled_from(
            ["urlencoded", "urlencoded", "charset", "raw", "multipart", "broken-multipart", "json"]
        )
    )
    encoded = urllib.parse.urlencode(
        [(n.encode("utf-8", "surrogatepass"), v.encode("utf-8", "surrogatepass")) for n, v in pairs]
    ).encode("ascii")
    if kind == "urlencoded":
        return encoded, "application/x-www-form-urlencoded"
    if kind == "charset":
        charset = draw(st.sampled_from(["latin-1", "utf-16", "utf8", "ascii", "x-unknown", ""]))
        return encoded, f"application/x-www-form-urlencoded; charset={charset}"
    if kind == "raw":
        raw = draw(st.binary(max_size=2_000))
        content_type = draw(
            st.sampled_from(
                ["application/x-www-form-urlencoded", "text/plain", "", "multipart/form-data"]
            )
        )
        return raw, content_type
    if kind in {"multipart", "broken-multipart"}:
        return (
            _multipart(pairs, broken=kind == "broken-multipart"),
            f"multipart/form-data; boundary={BOUNDARY}",
        )
    return b'{"' + encoded[:200] + b'": [1, {}]}', "application/json"
