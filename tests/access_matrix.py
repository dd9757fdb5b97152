"""Who gets what from every URL: the declarations tests/test_access_matrix.py checks.

One row per URL name ("namespace:name"), or per route string for the few unnamed
patterns. EXPECTATION_PATTERNS holds shell-style patterns ("admin:*_changelist") for URL
families, so a new ModelAdmin is covered (and checked) without a new row; an exact row
always wins over a pattern.

In a row, each principal maps to one of:

    OK                   2xx
    REDIRECT_LOGIN       302 to the sign-in page
    REDIRECT_MFA_SETUP   302 to TOTP activation (an account with no second factor)
    DENIED               302 to sign-in or to MFA setup, 403 or 404; never 2xx
    an int               exactly that status
    (status, url name)   a redirect to that named URL

A principal missing from a row is expected DENIED. Sample URLs are built with made-up
path parameters (int 1, a random uuid, "sample"), so object pages answer as they do for
an object that does not exist.

Principals: anonymous, one persona per role, outsider (signed in with MFA, no role) and
staff_without_mfa (an adviser who has not enrolled a second factor).
"""

from __future__ import annotations

from typing import Final, Literal

OK: Final = "ok"
REDIRECT_LOGIN: Final = "redirect_login"
REDIRECT_MFA_SETUP: Final = "redirect_mfa_setup"
DENIED: Final = "denied"
Expectation = (
    Literal["ok", "redirect_login", "redirect_mfa_setup", "denied"] | int | tuple[int, str]
)
Row = dict[str, Expectation]

ROLES: Final = ("adviser", "case_lead", "partner", "insights_viewer", "administrator")
SIGNED_IN: Final = (*ROLES, "outsider", "staff_without_mfa")
PRINCIPALS: Final = ("anonymous", *SIGNED_IN)

TO_REAUTHENTICATE: Final = (302, "account_reauthenticate")
TO_STAFF_HOME: Final = (302, "staff:home")
TO_ADMIN_INDEX: Final = (302, "admin:index")
TO_PASSWORD_CHANGE: Final = (302, "account_change_password")
TO_REPORT_START: Final = (302, "reporting:start")
TO_REPORT_SIGN_IN: Final = (302, "reporting:return")
CONTENT_KINDS: Final = ("page", "campaign", "service")  # content:<kind>_create, ...


def everyone(expectation: Expectation) -> Row:
    return dict.fromkeys(PRINCIPALS, expectation)


def each(principals: tuple[str, ...], expectation: Expectation) -> Row:
    return dict.fromkeys(principals, expectation)


def staff_page(row: Row | None = None, **cells: Expectation) -> Row:
    """A page that needs a signed-in, MFA-verified session; everyone not named is denied."""
    return {
        "anonymous": REDIRECT_LOGIN,
        "staff_without_mfa": REDIRECT_MFA_SETUP,
        **(row or {}),
        **cells,
    }


def admin_page(administrator: Expectation) -> Row:
    """The Django admin: nobody but an administrator ever gets past the gate."""
    return staff_page(administrator=administrator)


EXPECTATIONS: Final[dict[str, Row]] = {
    # --- Public ---------------------------------------------------------------------------
    # --- For load balancers: no session, nothing revealed ----------------------------------
    "healthz": everyone(OK),
    "readyz": everyone(OK),
    "hub:home": everyone(OK),
    "hub:check": everyone(OK),
    "hub:tell_us": everyone(OK),
    "hub:about": everyone(OK),
    "hub:campaigns": everyone(OK),
    "hub:support": everyone(OK),
    # Object pages: the sample slug names nothing, so everyone gets the same 404.
    "hub:awareness_page": everyone(404),
    "hub:campaign": everyone(404),
    "hub:service": everyone(404),
    # --- Reporting (/report/, /my-report/): public, no account --------------------------
    # Without a draft in the session every step goes back to the start page; without a
    # receipt sign-in every /my-report/ page goes to the sign-in form. Changes are POST.
    "reporting:start": everyone(OK),
    # Quick exit: forgets the visit (drafts, a /my-report/ sign-in, a staff session too) and
    # redirects to the institution's neutral site, for anyone (ADR 0025).
    "reporting:quick_exit": everyone(302),
    "reporting:discard": everyone(405),
    "reporting:step": everyone(TO_REPORT_START),
    "reporting:evidence": everyone(TO_REPORT_START),
    "reporting:review": everyone(TO_REPORT_START),
    "reporting:submit": everyone(405),
    "reporting:receipt": everyone(TO_REPORT_START),
    "reporting:receipt_download": everyone((302, "reporting:receipt")),
    "reporting:receipt_check": everyone(TO_REPORT_START),
    "reporting:sent": everyone(OK),
    "reporting:return": everyone(OK),
    "reporting:return_message": everyone(TO_REPORT_SIGN_IN),
    "reporting:return_add": everyone(TO_REPORT_SIGN_IN),
    "reporting:return_evidence": everyone(TO_REPORT_SIGN_IN),
    "reporting:return_withdraw": everyone(TO_REPORT_SIGN_IN),
    "reporting:return_delete": everyone(TO_REPORT_SIGN_IN),
    "reporting:return_sign_out": everyone(405),
    "reporting:return_log": everyone(TO_REPORT_SIGN_IN),
    "reporting:signed_out": everyone(OK),
    # The report form's option lists: administrators edit them, nobody deletes them.
    "admin:reporting_reportoption_delete": admin_page(403),
    # --- Casework: triage inbox --------------------------------------------------------------
    # case.list: advisers and case leads; an administrator only with case access granted
    # (the persona has none), partners and insights viewers never.
    "casework:inbox": staff_page(adviser=OK, case_lead=OK),
    # --- Casework: the case page and its workflow ---------------------------------------------
    # Gated by case.list (assign, unassign, access: case.assign, leads only); the sample uuid
    # names no case, so those past the gate get the 404 any case they may not see gets.
    "casework:case": staff_page(adviser=404, case_lead=404),
    "casework:timeline": staff_page(adviser=404, case_lead=404),
    "casework:evidence": staff_page(adviser=404, case_lead=404),
    "casework:close": staff_page(adviser=404, case_lead=404),
    "casework:access": staff_page(case_lead=404),
    # Changes are POST only: GET is refused with 405 once past the gate.
    **{
        f"casework:{name}": staff_page(adviser=405, case_lead=405)
        for name in ("status", "claim", "conflict", "note", "contact", "reopen")
    },
    "casework:assign": staff_page(case_lead=405),
    "casework:unassign": staff_page(case_lead=405),
    # --- Casework: messages, tasks, my work -----------------------------------------------------
    # case.message / case.task: the case team (an administrator only with case access
    # granted). The sample uuid names no case: 404 for those past the gate.
    "casework:message_send": staff_page(adviser=404, case_lead=404),
    "casework:task_create": staff_page(adviser=404, case_lead=404),
    # Every role passes the gate (staff.home); the task decides who sees it (the case team,
    # its department's partners, its assignee), so a task nobody names is 404 for all.
    "casework:task": staff_page(each(ROLES, 404)),  # outsider: 403
    # work.mine: advisers, case leads and partners.
    "casework:my_work": staff_page(adviser=OK, case_lead=OK, partner=OK),
    # --- Casework: matching, links, walk-in -----------------------------------------------------
    # case.match: case leads (an administrator only with case access granted). Deciding a
    # match and linking cases are POST only: GET is refused with 405 once past the gate.
    "casework:matches": staff_page(case_lead=OK),
    "casework:match_decide": staff_page(case_lead=405),
    "casework:link": staff_page(case_lead=405),
    # case.walk_in: advisers and case leads. With no receipt waiting, the receipt page says so.
    "casework:walk_in": staff_page(adviser=OK, case_lead=OK),
    "casework:walk_in_receipt": staff_page(adviser=OK, case_lead=OK),
    # --- Safety: risk assessments ---------------------------------------------------------------
    # safety.assess: the case team; an administrator only with case access granted (the
    # persona has none). The sample case, instrument and assessment name nothing: 404.
    "safety:assessments": staff_page(adviser=404, case_lead=404),
    "safety:assessment_new": staff_page(adviser=404, case_lead=404),
    "safety:assessment": staff_page(adviser=404, case_lead=404),
    # Instruments in the admin: a version is never edited or deleted, and an instrument
    # comes with its first version (safety/admin.py).
    # Case access requests are asked for by editing an account and are never deleted.
    "admin:accounts_accessrequest_add": admin_page(403),
    "admin:accounts_accessrequest_delete": admin_page(403),
    "admin:safety_riskinstrument_add": admin_page(403),
    "admin:safety_riskinstrument_delete": admin_page(403),
    "admin:safety_instrumentversion_delete": admin_page(403),
    # --- Safety: plans and university measures ---------------------------------------------------
    # safety.plan: the case team (the sample case names nothing: 404); sharing is POST only.
    "safety:plan": staff_page(adviser=404, case_lead=404),
    "safety:plan_share": staff_page(adviser=405, case_lead=405),
    "safety:measure_new": staff_page(adviser=404, case_lead=404),
    # measure.department: a partner's own department's measures.
    "safety:department_measures": staff_page(partner=OK),
    # One measure: every role passes the gate, the measure decides (404 as missing).
    "safety:measure": staff_page(each(ROLES, 404)),
    # The reporter's shared plan: without a receipt sign-in, to the sign-in form.
    "safety:reporter_plan": everyone(TO_REPORT_SIGN_IN),
    # --- Safety: referrals and formal processes --------------------------------------------------
    # safety.refer / safety.process: the case team; an administrator only with case access
    # granted (the persona has none). The sample case and referral name nothing: 404.
    "safety:referrals": staff_page(adviser=404, case_lead=404),
    "safety:referral": staff_page(adviser=404, case_lead=404),
    "safety:processes": staff_page(adviser=404, case_lead=404),
    "safety:process_save": staff_page(adviser=405, case_lead=405),  # POST only
    # --- Staff work area ------------------------------------------------------------------
    "staff:home": staff_page(each(ROLES, OK)),  # outsider: 403
    # --- Content management (content.edit / content.review: administrators only) ----------
    "content:list": staff_page(administrator=OK),
    "content:queue": staff_page(administrator=OK),
    **{f"content:{kind}_create": staff_page(administrator=OK) for kind in CONTENT_KINDS},
    # The sample uuid names no item or revision.
    **{f"content:{kind}_edit": staff_page(administrator=404) for kind in CONTENT_KINDS},
    **{f"content:{kind}_history": staff_page(administrator=404) for kind in CONTENT_KINDS},
    "content:revision": staff_page(administrator=404),
    "content:revision_edit": staff_page(administrator=404),
    "content:revision_preview": staff_page(administrator=404),
    # Changes are POST only: GET is refused with 405 once access is granted.
    "content:revision_submit": staff_page(administrator=405),
    "content:revision_withdraw": staff_page(administrator=405),
    "content:revision_restore": staff_page(administrator=405),
    "content:revision_approve": staff_page(administrator=405),
    "content:revision_send_back": staff_page(administrator=405),
    # The admin shows support categories read only (hub/admin.py): no adding or deleting.
    "admin:hub_supportcategory_add": admin_page(403),
    "admin:hub_supportcategory_delete": admin_page(403),
    # --- allauth: signing in and out --------------------------------------------------------
    "account_login": {"anonymous": OK, **each(SIGNED_IN, TO_STAFF_HOME)},
    # GET shows the confirmation form; signing out is a POST.
    "account_logout": {"anonymous": REDIRECT_LOGIN, **each(SIGNED_IN, OK)},
    "account_inactive": everyone(OK),
    # The TOTP step of signing in: only reachable half-way through a sign-in.
    "mfa_authenticate": {"anonymous": REDIRECT_LOGIN, **each(SIGNED_IN, TO_STAFF_HOME)},
    "account_reset_password": everyone(OK),
    "account_reset_password_done": everyone(OK),
    "account_reset_password_from_key": everyone(OK),  # sample key: the "bad link" page
    "account_reset_password_from_key_done": everyone(OK),
    "socialaccount_login_cancelled": everyone(OK),
    "socialaccount_login_error": staff_page(each(ROLES, 401)),  # the error page says 401
    # --- Single sign-on (docs/sso.md): the provider apps are always routed; with no ------
    # provider configured their pages are 404. SSO_CONFIGURED below holds the rows for a
    # deployment with OpenID Connect and SAML (the matrix test runs both ways).
    **{key: everyone(404) for key in ("openid_connect_login", "openid_connect_callback")},
    **{key: everyone(404) for key in ("saml_login", "saml_finish_acs")},
    **{key: everyone(404) for key in ("saml_metadata", "saml_sls")},
    "saml_acs": everyone(302),  # keeps the request for "finish", which then says 404
    # Waypoint's page for a refused SSO sign-in; the sample reason is not one: 404.
    "sso_refused": everyone(404),
    # --- allauth: a person's own sign-in settings (policy action account.security) ---------
    # Re-authentication is open to every signed-in account: TOTP activation may need it.
    "account_reauthenticate": {"anonymous": REDIRECT_LOGIN, **each(SIGNED_IN, OK)},
    "account_change_password": staff_page(each(ROLES, OK)),
    "account_set_password": staff_page(each(ROLES, TO_PASSWORD_CHANGE)),  # has a password
    "mfa_index": staff_page(each(ROLES, OK), staff_without_mfa=OK),
    "mfa_reauthenticate": staff_page(each(ROLES, OK)),
    # Changing MFA asks to re-authenticate first, except for a first enrolment just after
    # signing in (staff_without_mfa).
    "mfa_activate_totp": staff_page(
        each((*ROLES, "outsider"), TO_REAUTHENTICATE), staff_without_mfa=OK
    ),
    "mfa_deactivate_totp": staff_page(each(ROLES, TO_REAUTHENTICATE)),
    "mfa_view_recovery_codes": staff_page(
        each((*ROLES, "outsider"), TO_REAUTHENTICATE), staff_without_mfa=404
    ),
    "mfa_generate_recovery_codes": staff_page(each(ROLES, TO_REAUTHENTICATE), staff_without_mfa=OK),
    "mfa_download_recovery_codes": staff_page(
        each(ROLES, TO_REAUTHENTICATE), staff_without_mfa=404
    ),
    # --- Django admin (administrators only) --------------------------------------------------
    "admin:index": admin_page(OK),
    "admin:app_list": admin_page(OK),
    "admin:jsi18n": admin_page(OK),
    # Signed in and allowed: on to the admin; anyone else signed in: 403 (no sign-in loop).
    "admin:login": {"anonymous": REDIRECT_LOGIN, "administrator": TO_ADMIN_INDEX},
    "admin:logout": admin_page(405),  # POST only
    "admin:password_change": admin_page(TO_PASSWORD_CHANGE),  # allauth's page, not the admin's
    "admin:password_change_done": admin_page(TO_PASSWORD_CHANGE),
    "admin:autocomplete": admin_page(403),  # refuses a request without its parameters
    "admin:view_on_site": admin_page(404),  # no such object
    "staff/admin/(?P<url>.*)$": admin_page(404),  # the admin's catch-all
    # Accounts and the institution are never deleted from the admin.
    "admin:accounts_user_delete": admin_page(403),
    "admin:institution_institution_delete": admin_page(403),
}

# With an OpenID Connect provider whose id is "sample" and a SAML organisation "sample"
# configured (the sample URLs then name them). Every page here is public (the provider
# flow starts and ends signed out) and changes nothing on GET.
SSO_CONFIGURED: Final[dict[str, Row]] = {
    # "Continue to the university's sign-in" confirmation pages.
    "openid_connect_login": {"anonymous": OK, **each(SIGNED_IN, OK)},
    "saml_login": {"anonymous": OK, **each(SIGNED_IN, OK)},
    # A callback without the provider's answer: allauth's sign-in error page (401).
    "openid_connect_callback": everyone(401),
    "saml_acs": everyone(302),  # on to allauth's "finish" step, which then refuses it
    "saml_finish_acs": everyone(401),
    "saml_metadata": everyone(OK),  # Waypoint's SP metadata, for the IdP's administrator
    "saml_sls": everyone(400),  # a logout request without its SAML message
}

# With SSO configured, allauth's SAML metadata view answers any method with the same
# public XML (Waypoint's own service-provider description); a POST changes nothing.
SSO_POST_ANSWERED: Final = frozenset({"saml_metadata"})

EXPECTATION_PATTERNS: Final[dict[str, Row]] = {
    "admin:*_changelist": admin_page(OK),
    "admin:*_add": admin_page(OK),
    # The sample object does not exist: the admin says so and goes back to its index.
    "admin:*_change": admin_page(TO_ADMIN_INDEX),
    "admin:*_history": admin_page(TO_ADMIN_INDEX),
    "admin:*_delete": admin_page(TO_ADMIN_INDEX),
    "staff/admin/*/<path:object_id>/": admin_page(302),  # old-style link -> .../change/
}

# Quick exit's beacon: a POST with no CSRF token that can only end the sender's own visit
# (ADR 0025). It answers 204 to anyone and takes no data.
POST_BEACONS: Final = frozenset({"reporting:quick_exit"})
# GETs that end the session on purpose: the matrix asks for them last.
SIGNS_OUT_ON_GET: Final = frozenset({"reporting:quick_exit"})

# POST from anonymous and outsider is never accepted (never 2xx), except these forms,
# which re-render with errors and sign nobody in.
POST_NOT_DENIED: Final[dict[str, frozenset[str]]] = {
    "anonymous": frozenset(
        {
            "hub:check",  # the self-check is answered by anonymous visitors
            "account_login",
            "account_reset_password",
            "account_reset_password_from_key",
        }
    ),
    "outsider": frozenset(
        {
            "hub:check",
            "account_reauthenticate",
            "account_reset_password",
            "account_reset_password_from_key",
        }
    ),
}


# The staff workspace's rows live beside its parts (tests/matrix_rows/); imported last
# because they use the helpers above.
from tests.matrix_rows import (  # noqa: E402
    case_list,
    case_sections,
    chronology,
    insights,
    log,
    notifications,
    overview_drafts,
    verify,
    worker,
)

for _part in (
    case_sections,
    case_list,
    notifications,
    overview_drafts,
    worker,
    log,
    verify,
    chronology,
    insights,
):
    EXPECTATIONS.update(_part.ROWS)
