"""Staff messages, tasks and "my work" (thin views: selector, form, one service).

The case page shows the messages and tasks panels (templatetags/casework_work.py); their
forms post here. On success each goes back to the case page; a form with a problem is
shown again on a page of its own, with what was typed kept, since nothing typed may
travel in an address. A task a person may not see answers 404, like a missing one.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.policy import staff_user, staff_view
from waypoint.casework.forms_work import (
    ACTION_INSERT,
    StaffMessageForm,
    TaskForm,
    TaskStatusForm,
)
from waypoint.casework.models import Case
from waypoint.casework.placeholders import Sender, placeholder_values
from waypoint.casework.selectors import case_get_for_staff
from waypoint.casework.selectors import work as selectors
from waypoint.casework.services import MessageError, message_send_from_staff
from waypoint.casework.services import work as services
from waypoint.casework.views import sections
from waypoint.institution.selectors import institution_get_current


def _case_url(case: Case, fragment: str) -> str:
    return f"{reverse('casework:case', kwargs={'case_id': case.pk})}#{fragment}"


# --- Messages -----------------------------------------------------------------------------------


@staff_view("case.message")
@require_http_methods(["GET", "HEAD", "POST"])
def message_send_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """POST: send a message (action "send"), or add a reply template to the message box
    (action "insert", for browsers without JavaScript). GET: the Messages section."""
    user = staff_user(request)
    case = case_get_for_staff(user=user, case_id=case_id)
    policy.require(user, "case.message", case)
    if request.method != "POST":
        return sections.messages_section(request, user, case)
    action = str(request.POST.get("action", ""))
    templates = selectors.reply_templates_active()
    fills = placeholder_values(Sender(user=user, institution=institution_get_current()))
    form = StaffMessageForm(request.POST, action=action, templates=templates, fills=fills)
    if form.is_valid():
        if form.action == ACTION_INSERT:
            if not form.cleaned_data.get("body"):
                # Only the template's id goes in the address; the section fills it in.
                template_id = form.cleaned_data["template"].pk
                return redirect(f"{_messages_url(case)}?template={template_id}#reply")
            chosen = form.cleaned_data["template"]
            form = StaffMessageForm(
                initial={"body": form.with_template(), "template": str(chosen.pk)},
                templates=templates,
                fills=fills,
            )
            return _message_page(request, user, case, form, status=200)
        try:
            message_send_from_staff(case=case, author=user, body=form.cleaned_data["body"])
        except MessageError as error:
            # On the message box when it is about the words (a placeholder left, say), so
            # the error sits by the box; what was typed stays in it to be put right.
            form.add_error(error.field, str(error))
        else:
            messages.success(request, "Your message was sent.")
            return redirect(f"{_messages_url(case)}#messages")
    return _message_page(request, user, case, form, status=400)


def _messages_url(case: Case) -> str:
    return reverse("casework:message_send", kwargs={"case_id": case.pk})


def _message_page(
    request: HttpRequest, user: User, case: Case, form: StaffMessageForm, *, status: int
) -> HttpResponse:
    # The Messages section again, with this form (and what was typed) in place of an
    # empty one; a form with errors heads the section with its error summary.
    bound = {"invalid_form": form} if form.errors else {}
    return sections.section_page(
        request, user, case, "messages", extra={"message_form": form, **bound}, status=status
    )


# --- Tasks --------------------------------------------------------------------------------------


def _task_form(case: Case, data: object = None) -> TaskForm:
    return TaskForm(
        data,
        people=selectors.task_owner_people(case=case),
        departments=selectors.departments_all(),
    )


@staff_view("case.task")
@require_http_methods(["GET", "POST"])
def task_create_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """GET: the "add a task" form on a page of its own. POST: add the task."""
    user = staff_user(request)
    case = case_get_for_staff(user=user, case_id=case_id)
    policy.require(user, "case.task", case)
    if request.method == "GET":
        form = _task_form(case)
        return render(request, "casework/staff/task_create.html", {"case": case, "form": form})
    form = _task_form(case, request.POST)
    if form.is_valid():
        try:
            services.task_create(
                case=case,
                actor=user,
                title=form.cleaned_data["title"],
                brief=form.cleaned_data.get("brief") or "",
                assignee=form.cleaned_data["assignee"],
                department=form.cleaned_data["department"],
                due_on=form.cleaned_data.get("due_on"),
            )
        except services.TaskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The task was added.")
            return redirect(_case_url(case, "tasks"))
    return render(
        request, "casework/staff/task_create.html", {"case": case, "form": form}, status=400
    )


# Every member of staff passes the gate; the task itself decides (404 for anyone the
# policy does not let see it: the case team, its department's partners, its assignee).
@staff_view("staff.home")
@require_http_methods(["GET", "POST"])
def task_view(request: HttpRequest, task_id: uuid.UUID) -> HttpResponse:
    user = staff_user(request)
    access = selectors.task_get_for_staff(user=user, task_id=task_id)
    task = access.task
    form = TaskStatusForm(
        request.POST if request.method == "POST" else None,
        statuses=access.statuses,
        initial={"status": task.status},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.task_update(
                    task=task,
                    actor=user,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data.get("note"),
                )
            except services.TaskError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "The task was updated.")
                return HttpResponseRedirect(reverse("casework:task", kwargs={"task_id": task.pk}))
        status = 400
    # Each showing of the task (its title and brief are case data) is audited.
    services.task_record_view(task=task, user=user, full=access.team)
    updates = selectors.task_updates_for_team(user=user, task=task) if access.team else []
    return render(
        request,
        "casework/staff/task.html",
        {"access": access, "task": task, "form": form, "updates": updates},
        status=status,
    )


# --- My work ------------------------------------------------------------------------------------


@staff_view("work.mine")
@require_http_methods(["GET", "HEAD"])
def my_work_view(request: HttpRequest) -> HttpResponse:
    work = selectors.my_work_for_staff(
        user=staff_user(request),
        task_page=request.GET.get("page"),
        case_page=request.GET.get("cases_page"),
        institution=institution_get_current(),
    )
    return render(request, "casework/staff/my_work.html", {"work": work})
