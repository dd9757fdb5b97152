"""Dependencies between Waypoint's apps run one way: down (ADR 0040).

Every non-test, non-migration module under waypoint/ is parsed (never imported) and each
import of another Waypoint app is checked against the layers below, including imports
inside functions, relative imports that climb out of the app, and dotted strings handed
to import_module, import_string or include; and each `{% load %}` in an app's templates
of a tag library another app defines. An app may import its own modules and anything
below; an import of a higher app fails, naming file:line, unless it is in EXCEPTIONS.
Fix the import rather than add a line there: send an event (as reporting does,
reporting/events.py), register a source from the higher app's ready() (reporting/promise.py),
or move the code up to where its imports point down.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
PACKAGE: Final = "waypoint"

# Bottom to top. Institution sits below accounts: staff accounts read the institution's
# settings and departments, while the institution needs nothing of accounts but the
# admin site it registers with (an exception below).
LAYERS: Final[tuple[str, ...]] = (
    "common",  # helpers with no models
    "privacy",  # encryption, keyed hashing, audit, retention
    "institution",  # the one institution, its departments
    "accounts",  # staff, roles, MFA, SSO, the access policy, the admin site
    "worker",  # the outbox and the schedule (ADR 0039)
    "hub",  # public content, the support directory, the self-check
    "reporting",  # the report flow, receipts, the reporter's session
    "log",  # the reporter's incident log (issue 14)
    "casework",  # cases, opened from reports; the reporter's return pages
    "safety",  # risk, plans, referrals, formal processes
    "notifications",  # told of the feature apps' events (ADR 0033)
    "insights",  # aggregated statistics
    "demo",  # demo and benchmark data, filling every app
)
RANK: Final = {app: rank for rank, app in enumerate(LAYERS)}

# (importing module, imported app): why, and the ADR that records it. Keep it short.
EXCEPTIONS: Final[dict[tuple[str, str], str]] = {
    ("waypoint.common.health", "privacy"): ("readiness checks that the key sets load (ADR 0037)"),
    ("waypoint.institution.admin", "accounts"): (
        "registers Institution and Department with accounts' staff admin site (ADR 0040)"
    ),
    ("waypoint.accounts.views", "notifications"): (
        "the staff home is notifications' Today list (ADR 0033)"
    ),
    ("waypoint.hub.services", "notifications"): (
        "content sent for review, and decided, is notified (ADR 0033)"
    ),
    ("waypoint.casework.services.intake", "notifications"): ("a new case is notified (ADR 0033)"),
    ("waypoint.casework.services.messages", "notifications"): (
        "a reporter's message is notified (ADR 0033)"
    ),
    ("waypoint.casework.services.work", "notifications"): (
        "tasks assigned and urgent targets missed are notified (ADR 0033)"
    ),
    ("waypoint.safety.services.plans", "notifications"): (
        "a measure assigned to a department is notified (ADR 0033)"
    ),
}

# Calls whose first argument names a module to load: a dependency as real as an import.
_LOADERS: Final = frozenset({"import_module", "import_string", "include", "__import__"})


@dataclass(frozen=True)
class Upward:
    path: str  # relative to the repository
    line: int
    module: str  # the importing module, dotted
    app: str
    imported: str  # the imported module, dotted
    imported_app: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.app} ({LAYERS.index(self.app)}) imports "
            f"{self.imported} from {self.imported_app} ({LAYERS.index(self.imported_app)})"
        )


def _module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    """The absolute dotted names an ImportFrom reaches (each name may be a submodule)."""
    if node.level == 0:
        base = node.module or ""
    else:
        package = module.split(".") if is_package else module.split(".")[:-1]
        kept = package[: len(package) - (node.level - 1)]
        base = ".".join([*kept, *([node.module] if node.module else [])])
    if base == PACKAGE:  # from waypoint import casework
        return [f"{PACKAGE}.{alias.name}" for alias in node.names]
    return [base]


def _imports(tree: ast.Module, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            for name in _resolve(module, is_package, node):
                yield node.lineno, name
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if (
                called in _LOADERS
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                yield node.lineno, first.value


def _app_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == PACKAGE else None


def upward_imports(relative: Path, source: str) -> list[Upward]:
    """Every import in `source` (the module at `relative`) of an app above its own."""
    module = _module_name(relative)
    app = _app_of(module)
    if app is None:
        return []
    tree = ast.parse(source, filename=str(relative))
    found = []
    for line, imported in _imports(tree, module, relative.name == "__init__.py"):
        imported_app = _app_of(imported)
        if imported_app is None or imported_app == app:
            continue
        if RANK.get(imported_app, -1) > RANK.get(app, len(LAYERS)):
            found.append(Upward(str(relative), line, module, app, imported, imported_app))
    return found


def _is_checked(relative: Path) -> bool:
    parts = relative.parts
    return not (
        "tests" in parts
        or "migrations" in parts
        or relative.name.startswith("test_")
        or relative.name == "conftest.py"
    )


def _modules() -> Iterator[Path]:
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        relative = path.relative_to(ROOT)
        if _is_checked(relative):
            yield relative


_LOAD: Final = re.compile(r"{%\s*load\s+(.+?)\s*%}")


def _libraries(tag: str) -> list[str]:
    """The libraries a {% load %} names: "a b" -> a, b; "x y from lib" -> lib."""
    words = tag.split()
    return [words[-1]] if "from" in words else words


def template_upward_loads(
    app: str, relative: Path, source: str, owners: dict[str, str]
) -> list[str]:
    """Each {% load %} in `app`'s template of a tag library from an app above it."""
    found = []
    for number, text in enumerate(source.splitlines(), start=1):
        for match in _LOAD.finditer(text):
            for library in _libraries(match[1]):
                owner = owners.get(library)
                if owner is not None and RANK.get(owner, -1) > RANK.get(app, len(LAYERS)):
                    found.append(f"{relative}:{number}: {app} loads {library} from {owner}")
    return found


def _tag_library_owners() -> dict[str, str]:
    return {
        path.stem: path.parent.parent.name
        for path in (ROOT / PACKAGE).glob("*/templatetags/*.py")
        if path.stem != "__init__"
    }


# --- The codebase --------------------------------------------------------------------------


def test_every_waypoint_app_has_a_layer() -> None:
    apps = {
        path.parent.name
        for path in (ROOT / PACKAGE).glob("*/__init__.py")
        if path.parent.name != "__pycache__"
    }
    unplaced = sorted(apps - set(LAYERS))
    assert not unplaced, f"Place these apps in tests/test_layers.py LAYERS (ADR 0040): {unplaced}"


def test_no_app_imports_an_app_above_it() -> None:
    problems = [
        str(found)
        for relative in _modules()
        for found in upward_imports(relative, (ROOT / relative).read_text(encoding="utf-8"))
        if (found.module, found.imported_app) not in EXCEPTIONS
    ]
    assert not problems, (
        "These modules import an app above their own (ADR 0040). Send an event, or move "
        "the code up:\n" + "\n".join(problems)
    )


def test_no_app_s_templates_load_tags_from_an_app_above_it() -> None:
    # The project's own templates/ (base layout, components) sit above every app, like
    # config/, and are not checked.
    owners = _tag_library_owners()
    problems = [
        problem
        for path in sorted((ROOT / PACKAGE).glob("*/templates/**/*.html"))
        for problem in template_upward_loads(
            path.relative_to(ROOT).parts[1],
            path.relative_to(ROOT),
            path.read_text(encoding="utf-8"),
            owners,
        )
    ]
    assert not problems, "Templates loading a higher app's tags (ADR 0040):\n" + "\n".join(problems)


def test_every_exception_is_still_needed() -> None:
    used = {
        (found.module, found.imported_app)
        for relative in _modules()
        for found in upward_imports(relative, (ROOT / relative).read_text(encoding="utf-8"))
    }
    stale = sorted(set(EXCEPTIONS) - used)
    assert not stale, f"Remove these from EXCEPTIONS, nothing needs them now: {stale}"


def test_public_side_apps_never_import_casework() -> None:
    # The point of issue 14, item 12, stated on its own: not even as an exception.
    for module, imported_app in EXCEPTIONS:
        assert not (_app_of(module) in {"hub", "reporting", "log"} and imported_app == "casework")


# --- The checker itself, on made-up modules -----------------------------------------------


def _check(path: str, source: str) -> list[str]:
    return [str(found) for found in upward_imports(Path(path), source)]


def test_reporting_importing_casework_again_is_caught_with_file_and_line() -> None:
    source = '"""Services."""\n\nfrom waypoint.casework.services import timeline_add\n'
    assert _check("waypoint/reporting/services.py", source) == [
        "waypoint/reporting/services.py:3: reporting (6) imports waypoint.casework.services "
        "from casework (8)"
    ]


def test_an_import_inside_a_function_is_caught() -> None:
    source = "def submit():\n    import waypoint.casework.models as models\n    return models\n"
    assert len(_check("waypoint/reporting/views.py", source)) == 1


def test_from_waypoint_import_app_is_caught() -> None:
    assert len(_check("waypoint/hub/views.py", "from waypoint import casework\n")) == 1


def test_a_relative_import_that_climbs_into_a_higher_app_is_caught() -> None:
    source = "from ...casework.services import intake\n"
    found = _check("waypoint/reporting/services/submit.py", source)
    assert found == [
        "waypoint/reporting/services/submit.py:1: reporting (6) imports "
        "waypoint.casework.services from casework (8)"
    ]


def test_a_module_named_in_a_string_is_caught() -> None:
    source = 'from django.urls import include\n\nurls = include("waypoint.casework.urls")\n'
    assert len(_check("waypoint/reporting/urls.py", source)) == 1


def test_imports_downwards_and_within_the_app_pass() -> None:
    source = (
        "from waypoint.reporting import events\n"
        "from waypoint.privacy.services import audit_record\n"
        "from . import receivers\n"
        "from ..models import Case\n"
    )
    assert _check("waypoint/casework/services/intake.py", source) == []


def test_a_template_loading_a_higher_app_s_tags_is_caught() -> None:
    owners = {"casework_work": "casework", "waypoint_ui": "common"}
    source = "{% extends 'base.html' %}\n{% load waypoint_ui casework_work %}\n"
    path = Path("waypoint/reporting/templates/reporting/sent.html")
    assert template_upward_loads("reporting", path, source, owners) == [
        f"{path}:2: reporting loads casework_work from casework"
    ]
    assert template_upward_loads("safety", path, source, owners) == []


def test_tests_and_migrations_are_not_checked() -> None:
    assert not _is_checked(Path("waypoint/reporting/tests/test_report_flow.py"))
    assert not _is_checked(Path("waypoint/reporting/migrations/0001_initial.py"))
    assert _is_checked(Path("waypoint/reporting/services.py"))
