"""Reads of referrals and formal processes, with the access rules applied.

A case, referral or process record that a person may not see answers Http404, exactly
as one that does not exist (accounts.policy decides; the actions are "safety.refer" and
"safety.process", with the same rule as "case.view"). Each read here is a fixed number of
queries however many rows a case has; sealed fields are opened with the row's key,
fetched in the same query (select_related("data_key")).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Count, F, Prefetch, Q
from django.http import Http404

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.casework.models import Case
from waypoint.casework.selectors import case_get_for_staff
from waypoint.safety.models import (
    CivilRoute,
    ConductProcess,
    ConductStage,
    OrderKind,
    PoliceProcess,
    PoliceStage,
    PrecautionaryMeasure,
    ProtectiveOrder,
    Referral,
    ReferralStatus,
)
from waypoint.safety.services.processes import ProcessKind, ProcessRow


def _as_uuid(value: uuid.UUID | str | None) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise Http404 from None


def case_get_for_action(*, user: User, case_id: uuid.UUID | str, action: str) -> Case:
    """The case, if `user` may open it and perform `action` on it; otherwise Http404."""
    case = case_get_for_staff(user=user, case_id=case_id)
    policy.require(user, action, case)
    return case


# --- Referrals ----------------------------------------------------------------------------------


def referrals_for_case(*, case: Case) -> list[Referral]:
    """Every referral of the case, newest first (the caller has checked access)."""
    return list(
        Referral.objects.filter(case=case)
        .select_related("service", "department", "sent_by", "data_key")
        .order_by("-sent_at")
    )


def referral_get_for_staff(*, user: User, referral_id: uuid.UUID | str) -> Referral:
    """The referral, if `user` may refer its case ("safety.refer"); otherwise Http404."""
    referral = (
        Referral.objects.select_related(
            "case", "case__report", "service", "department", "sent_by", "data_key"
        )
        .filter(pk=_as_uuid(referral_id))
        .first()
    )
    if referral is None:
        raise Http404
    policy.require(user, "case.view", referral.case)
    policy.require(user, "safety.refer", referral.case)
    return referral


def referral_recipient_name(referral: Referral) -> str:
    """Who a referral went to, in words (the organisation's name is sealed)."""
    if referral.service is not None:
        return referral.service.name
    if referral.department is not None:
        return referral.department.name
    return str(referral.recipient or "Another organisation")


# --- Formal processes -------------------------------------------------------------------------


@dataclass(frozen=True)
class ConductRecord:
    process: ConductProcess
    measures: list[PrecautionaryMeasure]


@dataclass(frozen=True)
class ProcessOverview:
    police: list[PoliceProcess]
    orders: list[ProtectiveOrder]
    conduct: list[ConductRecord]
    civil: list[CivilRoute]
    advisers: list[User]

    @property
    def count(self) -> int:
        return (
            len(self.police)
            + len(self.orders)
            + len(self.civil)
            + sum(1 + len(record.measures) for record in self.conduct)
        )


def _orders_soonest_first() -> Any:
    return [F("expires_on").asc(nulls_last=True), "created_at"]


def case_advisers_for_conduct(*, case: Case, keep: list[uuid.UUID] | None = None) -> list[User]:
    """Staff who can be recorded as the reporting student's adviser: those assigned to
    the case or named on it, and anyone already recorded (`keep`), in one query.

    Only a list to choose from: process_save asks accounts.policy whether the person
    chosen may see the case, and refuses anyone who may not.
    """
    condition = Q(case_assignments__case=case) | Q(case_grants__case=case)
    if keep:
        condition |= Q(pk__in=keep)
    return list(
        User.objects.filter(condition, is_active=True)
        .exclude(case_conflicts__case=case)
        .distinct()
        .order_by("display_name", "email")
    )


def process_overview_for_case(*, case: Case) -> ProcessOverview:
    """Everything recorded about the case's formal processes (access already checked)."""
    police = list(
        PoliceProcess.objects.filter(case=case).select_related("data_key").order_by("-updated_at")
    )
    orders = list(
        ProtectiveOrder.objects.filter(case=case)
        .select_related("data_key")
        .order_by(*_orders_soonest_first())
    )
    processes = list(
        ConductProcess.objects.filter(case=case)
        .select_related("data_key", "reporting_student_adviser")
        .prefetch_related(
            Prefetch(
                "measures",
                queryset=PrecautionaryMeasure.objects.select_related("data_key").order_by(
                    "imposed_on", "id"
                ),
            )
        )
        .order_by("-updated_at")
    )
    civil = list(
        CivilRoute.objects.filter(case=case).select_related("data_key").order_by("-updated_at")
    )
    recorded = [p.reporting_student_adviser_id for p in processes if p.reporting_student_adviser_id]
    return ProcessOverview(
        police=police,
        orders=orders,
        conduct=[ConductRecord(process=p, measures=list(p.measures.all())) for p in processes],
        civil=civil,
        advisers=case_advisers_for_conduct(case=case, keep=recorded),
    )


_MODELS: Final[dict[str, Any]] = {
    ProcessKind.POLICE: PoliceProcess,
    ProcessKind.ORDER: ProtectiveOrder,
    ProcessKind.CONDUCT: ConductProcess,
    ProcessKind.PRECAUTION: PrecautionaryMeasure,
    ProcessKind.CIVIL: CivilRoute,
}


def process_row_for_case(*, case: Case, kind: str, row_id: uuid.UUID | str) -> ProcessRow:
    """One process record of `kind` that belongs to `case`; Http404 for anything else
    (a malformed id, an unknown one, or one of another case: all the same answer)."""
    model = _MODELS.get(kind)
    if model is None:
        raise Http404
    rows = model._default_manager.select_related("data_key")
    if kind == ProcessKind.PRECAUTION:
        rows = rows.select_related("process").filter(process__case=case)
    else:
        rows = rows.filter(case=case)
    row = rows.filter(pk=_as_uuid(row_id)).first()
    if row is None:
        raise Http404
    result: ProcessRow = row
    return result


def conduct_for_case(*, case: Case, conduct_id: uuid.UUID | str) -> ConductProcess:
    """A conduct process of `case` (Http404 otherwise), to add a precautionary measure to."""
    conduct = ConductProcess.objects.filter(case=case, pk=_as_uuid(conduct_id)).first()
    if conduct is None:
        raise Http404
    return conduct


# --- The case page's panel ----------------------------------------------------------------------


@dataclass(frozen=True)
class OrderLine:
    label: str
    expires_on: datetime.date | None


@dataclass(frozen=True)
class ProcessPanel:
    case_id: uuid.UUID
    may_refer: bool
    may_process: bool
    referrals: list[tuple[str, int]] = field(default_factory=list)
    referral_total: int = 0
    police_stage: str = ""
    orders: list[OrderLine] = field(default_factory=list)
    conduct_stage: str = ""


def process_panel_for(*, user: User, case: Case) -> ProcessPanel | None:
    """The case page's summary of referrals and formal processes, or None for a viewer
    who may see neither. At most seven queries, however much is recorded."""
    may_refer = policy.can(user, "safety.refer", case)
    may_process = policy.can(user, "safety.process", case)
    if not (may_refer or may_process):
        return None
    referrals: list[tuple[str, int]] = []
    total = 0
    if may_refer:
        counts = dict(
            Referral.objects.filter(case=case)
            .order_by()
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        for status in ReferralStatus:
            if counts.get(status.value):
                referrals.append((str(status.label), counts[status.value]))
        total = sum(counts.values())
    police_stage = conduct_stage = ""
    orders: list[OrderLine] = []
    if may_process:
        stage = (
            PoliceProcess.objects.filter(case=case)
            .order_by("-updated_at")
            .values_list("stage", flat=True)
            .first()
        )
        police_stage = str(PoliceStage(stage).label) if stage in PoliceStage.values else ""
        orders = [
            OrderLine(label=str(OrderKind(kind).label), expires_on=expires_on)
            for kind, expires_on in ProtectiveOrder.objects.filter(case=case)
            .order_by(*_orders_soonest_first())
            .values_list("kind", "expires_on")
            if kind in OrderKind.values
        ]
        conduct = (
            ConductProcess.objects.filter(case=case)
            .order_by("-updated_at")
            .values_list("stage", flat=True)
            .first()
        )
        conduct_stage = str(ConductStage(conduct).label) if conduct in ConductStage.values else ""
    return ProcessPanel(
        case_id=case.pk,
        may_refer=may_refer,
        may_process=may_process,
        referrals=referrals,
        referral_total=total,
        police_stage=police_stage,
        orders=orders,
        conduct_stage=conduct_stage,
    )
