"""Who may do what: the one module that decides staff access.

Every staff view, selector and admin page asks this module, and nothing else, whether a
person may perform an action (optionally on an object). Access is denied by default:
an unknown action, an anonymous or inactive user, and a user with no role (an
"outsider") get False for everything.

Multi-factor authentication is not decided here: StaffSessionMiddleware refuses every
staff page to a session that has not passed MFA, before any view asks this module.

Role x action table (docs/decisions/0006-roles-and-policy.md explains the choices)

=================  =======  =========  =======  ========  =============  ========
action             adviser  case_lead  partner  insights  administrator  outsider
=================  =======  =========  =======  ========  =============  ========
staff.home         yes      yes        yes      yes       yes            no
account.security   yes      yes        yes      yes       yes            no
admin.site         no       no         no       no        yes            no
admin.users        no       no         no       no        yes            no
admin.content      no       no         no       no        yes            no
audit.view         no       no         no       no        yes            no
content.edit       no       no         no       no        yes            no
content.review     no       no         no       no        yes            no
case.list          yes      yes        no       no        grant          no
case.view          yes      yes        no       no        grant          no
case.message       yes      yes        no       no        grant          no
case.note          yes      yes        no       no        grant          no
case.task          yes      yes        no       no        grant          no
case.close         yes      yes        no       no        grant          no
case.claim         yes      yes        no       no        grant          no
case.assign        no       yes        no       no        grant          no
case.match         no       yes        no       no        grant          no
case.walk_in       yes      yes        no       no        no             no
task.department    no       no         yes      no        no             no
safety.assess      yes      yes        no       no        grant          no
safety.plan        yes      yes        no       no        grant          no
safety.refer       yes      yes        no       no        grant          no
safety.process     yes      yes        no       no        grant          no
measure.department no       no         yes      no        no             no
work.mine          yes      yes        yes      no        no             no
case.preview       yes      yes        no       no        grant          no
case.search        yes      yes        no       no        grant          no
case.bulk          no       yes        no       no        grant          no
lead.overview      no       yes        no       no        grant          no
notifications.mine yes      yes        yes      yes       yes            no
case.chronology    yes      yes        no       no        grant          no
case.police_bundle yes      yes        no       no        grant          no
insights.view      no       yes        no       yes       yes            no
=================  =======  =========  =======  ========  =============  ========

- staff.home: the staff landing page at /staff/.
- account.security: a person's own sign-in settings (MFA pages, password change,
  re-authentication). Enrolling in MFA and signing out stay open to every signed-in
  account so that nobody is stuck half-enrolled.
- admin.site: the Django admin at /staff/admin/ (also needs an MFA-verified session).
- admin.users: staff accounts and roles in the admin.
- admin.content: the institution and departments in the admin. Hub content is edited
  with approval at /staff/content/ (content.edit); the admin shows support categories
  read only.
- audit.view: reading the audit log.
- content.edit: the content pages at /staff/content/ (pages, campaigns, support
  directory): see every version, write drafts, preview, submit, restore. With a
  revision as the object: only its author may change, submit or withdraw it.
- content.review: the review queue; approving or sending back a submitted revision.
  With a revision as the object: never its author (the four-eyes rule, ADR 0011).
- case.view: opening a case and reading what the reporter said. With a case as the
  object: an adviser only when assigned to it; a case lead any case that is not
  restricted, and a restricted one only when assigned. "grant": an administrator acts
  as a case lead only when `case_access_granted` is set.
- case.message: writing to the reporter in the case's two-way channel (same rule).
- case.list: the triage inbox (which then lists only the cases case.view allows).
- case.note, case.task, case.close: notes and the contact log, status changes and tasks,
  closing and reopening (same rule as case.view).
- case.claim: an adviser (or lead) taking an unassigned, unrestricted case. With a case:
  only while nobody is assigned (the institution may switch claiming off).
- case.assign: assigning and unassigning, restricting, naming staff on a restricted
  case: case leads (same object rule as case.view for leads).
- case.match: match alerts and linking cases (leads; linking also needs case.view on
  both cases).
- case.walk_in: opening a case for someone who came to the office.
- task.department: a partner department's view of the tasks assigned to it, with the
  minimum the department needs to act. With a task: only one of their department's.
- work.mine: the "my work" page.
- safety.assess, safety.plan, safety.refer, safety.process: risk assessments, the safety
  plan and university measures, referrals and disclosures, police and conduct processes
  and protective orders of a case (same rule as case.view).
- measure.department: a partner department's view of the safety measures it owns, with
  only the brief written for it. With a measure: only one of their department's.
- case.preview: the non-identifying facts of a case a person may claim but not yet open
  (route, who reported, behaviour and place categories, urgency, age), so an adviser can
  choose what to claim without reading the report. With a case: the claim rule.
- case.search: searching across cases (the results are only cases case.view allows).
- case.bulk: acting on several cases at once (assign, close); each case still asks
  case.assign or case.close.
- lead.overview: the lead's overview of open measures, tasks and caseloads.
- notifications.mine: a person's own notifications and their email choice.
- case.chronology: the case's chronology (incidents from the report, its additions and
  the entries the person shared from their incident log) and recording an incident on
  the person's behalf (same rule as case.view).
- insights.view: the insights pages and their downloads (/staff/insights/): counts of
  reports and their handling, through the disclosure control (insights/disclosure.py),
  never a case. Administrators without a case grant too: nothing there identifies anyone.
- case.police_bundle: making the police-ready bundle of the chronology (a watermarked,
  signed PDF, and chosen evidence files with a digest manifest), which is a disclosure
  and goes in the referral register (same rule as case.view).
- Every case rule refuses a member of staff with a conflict of interest on the case,
  whatever their role (CaseConflict).

Features add their actions here ("case.view", "case.assign", ...), with a rule function
`(user, obj) -> bool` and a row in the table above and in ADR 0006. An administrator
reads case content only when `case_access_granted` is also set (rules that need it check
`user.case_access_granted`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from types import MappingProxyType
from typing import Any, Final, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.views.decorators.cache import never_cache

from waypoint.accounts.models import User
from waypoint.accounts.roles import Role

Rule = Callable[[User, object | None], bool]
_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def _roles(*roles: Role) -> Rule:
    allowed = frozenset(roles)

    def rule(user: User, obj: object | None) -> bool:
        return user.role in allowed

    rule.roles = allowed  # type: ignore[attr-defined]  # read by roles_allowed()
    return rule


def _administrator_and(check: Callable[[User, object], bool]) -> Rule:
    """An administrator-only rule that, given an object, also asks `check(user, obj)`."""
    allowed = frozenset({Role.ADMINISTRATOR})

    def rule(user: User, obj: object | None) -> bool:
        return user.role in allowed and (obj is None or check(user, obj))

    rule.roles = allowed  # type: ignore[attr-defined]  # read by roles_allowed()
    return rule


def _is_author(user: User, obj: object) -> bool:
    # Content revisions carry author_id; an object without one (a live page) is open.
    return getattr(obj, "author_id", user.pk) == user.pk


def _is_not_author(user: User, obj: object) -> bool:
    return getattr(obj, "author_id", None) != user.pk


def _case_rule(user: User, obj: object | None) -> bool:
    # An administrator reads case content only when also granted (ARCHITECTURE.md).
    lead_like = user.role == Role.CASE_LEAD or (
        user.role == Role.ADMINISTRATOR and user.case_access_granted
    )
    if not lead_like and user.role != Role.ADVISER:
        return False
    if obj is None:
        return True
    assigned = getattr(obj, "has_assignee", None)
    conflicted = getattr(obj, "has_conflict", None)
    named = getattr(obj, "is_named", None)
    if assigned is None or conflicted is None or named is None:
        return False  # not a case: deny
    if conflicted(user.pk):
        return False  # a conflict of interest outranks every role and grant
    if lead_like:
        return not getattr(obj, "restricted", True) or bool(named(user.pk))
    return bool(assigned(user.pk))


_case_rule.roles = frozenset({Role.ADVISER, Role.CASE_LEAD})  # type: ignore[attr-defined]


def _lead_case_rule(user: User, obj: object | None) -> bool:
    lead_like = user.role == Role.CASE_LEAD or (
        user.role == Role.ADMINISTRATOR and user.case_access_granted
    )
    return lead_like and _case_rule(user, obj)


_lead_case_rule.roles = frozenset({Role.CASE_LEAD})  # type: ignore[attr-defined]


def _claim_rule(user: User, obj: object | None) -> bool:
    if obj is None:
        return _case_rule(user, None)
    conflicted = getattr(obj, "has_conflict", None)
    if conflicted is None or getattr(obj, "restricted", True) or conflicted(user.pk):
        return False
    has_assignees = getattr(obj, "has_assignees", None)
    return _case_rule(user, None) and has_assignees is not None and not has_assignees()


_claim_rule.roles = frozenset({Role.ADVISER, Role.CASE_LEAD})  # type: ignore[attr-defined]


def _department_task_rule(user: User, obj: object | None) -> bool:
    if user.role != Role.PARTNER:
        return False
    if obj is None:
        return True  # the list shows only their department's tasks (none without one)
    department = getattr(obj, "department_id", None)
    if department is None or department != user.department_id:
        return False
    # A conflict of interest on the case outranks the department's role too.
    case = getattr(obj, "case", None)
    conflicted = getattr(case, "has_conflict", None)
    return conflicted is not None and not conflicted(user.pk)


_department_task_rule.roles = frozenset({Role.PARTNER})  # type: ignore[attr-defined]

_EVERY_ROLE: Final = tuple(Role)

RULES: Final[Mapping[str, Rule]] = MappingProxyType(
    {
        "staff.home": _roles(*_EVERY_ROLE),
        "account.security": _roles(*_EVERY_ROLE),
        "admin.site": _roles(Role.ADMINISTRATOR),
        "admin.users": _roles(Role.ADMINISTRATOR),
        "admin.content": _roles(Role.ADMINISTRATOR),
        "audit.view": _roles(Role.ADMINISTRATOR),
        # Content changes go live only when a second administrator approves (ADR 0011).
        "content.edit": _administrator_and(_is_author),
        "content.review": _administrator_and(_is_not_author),
        "case.list": _case_rule,
        "case.view": _case_rule,
        "case.message": _case_rule,
        "case.note": _case_rule,
        "case.task": _case_rule,
        "case.close": _case_rule,
        "case.claim": _claim_rule,
        "case.assign": _lead_case_rule,
        "case.match": _lead_case_rule,
        "case.walk_in": _roles(Role.ADVISER, Role.CASE_LEAD),
        "task.department": _department_task_rule,
        "safety.assess": _case_rule,
        "safety.plan": _case_rule,
        "safety.refer": _case_rule,
        "safety.process": _case_rule,
        "measure.department": _department_task_rule,
        "work.mine": _roles(Role.ADVISER, Role.CASE_LEAD, Role.PARTNER),
        "case.preview": _claim_rule,
        "case.search": _case_rule,
        "case.bulk": _lead_case_rule,
        "lead.overview": _lead_case_rule,
        "notifications.mine": _roles(*_EVERY_ROLE),
        "case.chronology": _case_rule,
        "case.police_bundle": _case_rule,
        "insights.view": _roles(Role.INSIGHTS, Role.CASE_LEAD, Role.ADMINISTRATOR),
    }
)

# Django admin permissions ("app_label.codename") are answered by these actions; an app
# that is not listed cannot be managed in the admin by anyone.
_ADMIN_APP_ACTIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "accounts": "admin.users",
        "institution": "admin.content",
        "hub": "admin.content",
        "reporting": "admin.content",  # the report form's option lists only
        "safety": "admin.content",  # risk instruments only
        "privacy": "audit.view",
        "casework": "admin.content",  # reply templates only: no case data is registered
        "worker": "admin.site",  # outgoing emails' bookkeeping, never their content
    }
)
# Apps whose records the admin may show but never change (the audit log).
_ADMIN_READ_ONLY_APPS: Final = frozenset({"privacy"})


def actions() -> frozenset[str]:
    """Every action this module knows."""
    return frozenset(RULES)


def roles_allowed(action: str) -> frozenset[str]:
    """The roles a plain role rule lets through (for documentation and tests)."""
    rule = RULES.get(action)
    return frozenset(getattr(rule, "roles", frozenset()))


def _as_staff(user: object) -> User | None:
    """The user if they may be asked about at all: signed in, active, with a known role."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return None
    if user.role not in Role.values:
        return None
    return user


def can(user: object, action: str, obj: object | None = None) -> bool:
    """May `user` perform `action` (on `obj`)? False for anything not explicitly allowed."""
    rule = RULES.get(action)
    staff = _as_staff(user)
    if rule is None or staff is None:
        return False
    return bool(rule(staff, obj))


def require(user: object, action: str, obj: object | None = None) -> None:
    """Raise unless `can(user, action, obj)`.

    Without an object: PermissionDenied (403). With an object: Http404, so that a person
    who may not see a record cannot learn that it exists.
    """
    if can(user, action, obj):
        return
    if obj is not None:
        raise Http404
    raise PermissionDenied


def staff_view(action: str) -> Callable[[_View], _View]:
    """Decorate a function view: the signed-in user must be allowed `action`.

    Anonymous visitors are sent to sign in; everyone else who may not gets a 403. The
    response is never cached. Object-level checks belong in the view's selector, which
    calls `require(user, action, obj)`.
    """
    if action not in RULES:
        raise ImproperlyConfigured(f"Unknown policy action {action!r}.")

    def decorator(view: _View) -> _View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require(request.user, action)
            return view(request, *args, **kwargs)

        wrapped.policy_action = action  # type: ignore[attr-defined]
        return cast(_View, never_cache(wrapped))

    return decorator


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff user of `request` (403 if there is none)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def can_use_admin_permission(user: object, perm: str) -> bool:
    """Answers User.has_perm for Django admin permissions ("hub.change_supportservice")."""
    app_label, _, codename = perm.partition(".")
    action = _ADMIN_APP_ACTIONS.get(app_label)
    if action is None or not codename:
        return False
    if app_label in _ADMIN_READ_ONLY_APPS and not codename.startswith("view_"):
        return False
    return can(user, action)


def can_use_admin_app(user: object, app_label: str) -> bool:
    """Answers User.has_module_perms: may the user see this app in the admin at all?"""
    action = _ADMIN_APP_ACTIONS.get(app_label)
    return action is not None and can(user, action)
