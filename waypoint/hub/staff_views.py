"""Content management for administrators at /staff/content/ (ADR 0011).

Thin function views: read through hub/staff_selectors.py, bind a form from hub/forms.py,
call one service from hub/services.py, redirect. Every change is a POST; GET never
writes. Pages need the policy action "content.edit" (approving and sending back need
"content.review"); what one may do with a revision is asked of the policy with the
revision as the object, and refused with 403 (administrators may all see revisions, so
there is nothing to hide with a 404).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from waypoint.accounts import policy
from waypoint.accounts.models import User
from waypoint.accounts.policy import staff_user, staff_view
from waypoint.hub import services, staff_selectors
from waypoint.hub.forms import (
    ApproveForm,
    ContentEditor,
    KindSpec,
    ReviewNoteForm,
    content_editor,
    content_spec,
)
from waypoint.hub.markdown import render_markdown
from waypoint.hub.models import ContentRevision

Status = ContentRevision.Status

# The Markdown field of each kind of item that has one: the editor shows its preview
# beside it. (A service's description is plain text with line breaks, not Markdown.)
MARKDOWN_FIELDS: dict[str, str] = {
    ContentRevision.Kind.PAGE: "body",
    ContentRevision.Kind.CAMPAIGN: "body",
}
# A Markdown body longer than this is not previewed (the live preview posts on every pause).
PREVIEW_MAX_CHARS = 100_000
ACTION_PREVIEW = "preview"


def _spec(kind: str) -> KindSpec:
    try:
        return content_spec(kind)
    except ValueError:
        raise Http404("No such kind of content.") from None


def _revision_url(revision: ContentRevision) -> str:
    return reverse("content:revision", kwargs={"revision_id": revision.pk})


def _to_revision(revision: ContentRevision) -> HttpResponseRedirect:
    return redirect(_revision_url(revision))


def _revision_for_author(request: HttpRequest, revision_id: uuid.UUID) -> ContentRevision:
    """The revision, if the signed-in administrator wrote it (403 otherwise)."""
    revision = staff_selectors.revision_get_for_admin(revision_id=revision_id)
    if not policy.can(staff_user(request), "content.edit", revision):
        raise PermissionDenied
    return revision


def _revision_for_reviewer(request: HttpRequest, revision_id: uuid.UUID) -> ContentRevision:
    """The revision, if the signed-in administrator may review it: not their own (403)."""
    revision = staff_selectors.revision_get_for_admin(revision_id=revision_id)
    if not policy.can(staff_user(request), "content.review", revision):
        raise PermissionDenied
    return revision


# --- Lists -----------------------------------------------------------------------------------


@staff_view("content.edit")
@require_safe
def content_list_view(request: HttpRequest) -> HttpResponse:
    overview = staff_selectors.content_overview_for_admin(user=staff_user(request))
    return render(request, "hub/staff/list.html", {"overview": overview})


@staff_view("content.review")
@require_safe
def review_queue_view(request: HttpRequest) -> HttpResponse:
    queue = staff_selectors.revision_queue_for_reviewer(user=staff_user(request))
    return render(request, "hub/staff/queue.html", {"queue": queue})


@staff_view("content.edit")
@require_safe
def item_history_view(request: HttpRequest, kind: str, object_id: uuid.UUID) -> HttpResponse:
    history = staff_selectors.item_history(kind=_spec(kind).kind, object_id=object_id)
    edit_url = staff_selectors.item_url(history.spec.kind, object_id, "edit")
    return render(request, "hub/staff/history.html", {"history": history, "edit_url": edit_url})


# --- Writing drafts ----------------------------------------------------------------------------


def _save_draft(
    request: HttpRequest,
    *,
    editor: ContentEditor,
    user: User,
    object_id: uuid.UUID | None,
    draft: ContentRevision | None,
) -> ContentRevision | None:
    """Create or update the draft from a valid editor; None (errors added) if refused."""
    summary = str(editor.summary.cleaned_data.get("summary", ""))
    try:
        if draft is None:
            return services.revision_create(
                kind=editor.spec.kind,
                object_id=object_id,
                data=editor.data(),
                author=user,
                summary=summary,
            )
        return services.revision_update_draft(
            revision=draft, author=user, data=editor.data(), summary=summary
        )
    except services.ContentDataError as error:
        editor.add_errors(error.errors)
    except services.ContentError as error:
        editor.form.add_error(None, str(error))
    return None


def _after_save(request: HttpRequest, revision: ContentRevision, user: User) -> HttpResponse:
    if request.POST.get("action") == "submit":
        try:
            services.revision_submit(revision=revision, author=user)
        except services.ContentError as error:
            messages.error(request, f"Your draft is saved, but it was not submitted. {error}")
        else:
            messages.success(request, "Submitted. Another administrator will review it.")
        return _to_revision(revision)
    messages.success(
        request,
        "Draft saved. Nothing is public yet: check the changes and the preview, "
        "then submit it for approval.",
    )
    return _to_revision(revision)


def _preview_html(text: str) -> SafeString:
    """The hub's own renderer, so the preview is exactly what the public page shows."""
    return render_markdown(text[:PREVIEW_MAX_CHARS])


def _previewing(request: HttpRequest) -> bool:
    """The "Preview" button (for browsers without JavaScript): show, do not save."""
    return request.method == "POST" and request.POST.get("action") == ACTION_PREVIEW


def _editor_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    editor: ContentEditor = context["editor"]
    previewing = _previewing(request)
    status = 400 if request.method == "POST" and not previewing else 200
    has_errors = (request.method == "POST" or previewing) and bool(
        editor.form.errors
        or editor.summary.errors
        or any(formset.total_error_count() for formset in editor.formsets)
    )
    markdown_field = MARKDOWN_FIELDS.get(editor.spec.kind, "")
    preview = None
    if markdown_field and markdown_field in editor.form.fields:
        bound = editor.form[markdown_field]
        bound.field.widget.attrs.update(
            {
                "data-markdown-preview": reverse("content:markdown_preview"),
                "aria-controls": "content-preview",
            }
        )
        preview = _preview_html(str(bound.value() or ""))
    return render(
        request,
        "hub/staff/edit.html",
        {
            **context,
            "spec": editor.spec,
            "has_errors": has_errors and not previewing,
            "preview_errors": has_errors and previewing,
            "previewing": previewing,
            "markdown_field": markdown_field,
            "preview": preview,
        },
        status=status,
    )


@staff_view("content.edit")
@require_http_methods(["GET", "POST"])
def item_create_view(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _spec(kind)
    user = staff_user(request)
    if request.method == "POST":
        editor = content_editor(kind=spec.kind, object_id=None, post=request.POST)
        if not _previewing(request) and editor.is_valid():
            revision = _save_draft(request, editor=editor, user=user, object_id=None, draft=None)
            if revision is not None:
                return _after_save(request, revision, user)
    else:
        editor = content_editor(kind=spec.kind, object_id=None)
    return _editor_page(request, {"editor": editor, "title": f"New {spec.label.lower()}"})


@staff_view("content.edit")
@require_http_methods(["GET", "POST"])
def item_edit_view(request: HttpRequest, kind: str, object_id: uuid.UUID) -> HttpResponse:
    """Start a draft of a live item (or carry on with one's own draft of it)."""
    spec = _spec(kind)
    user = staff_user(request)
    live = services.content_live_get(spec.kind, object_id)
    if live is None:
        raise Http404("No such item.")
    if request.method == "GET":
        draft = staff_selectors.revision_draft_of(kind=spec.kind, object_id=object_id, author=user)
        if draft is not None:
            messages.info(request, "You already have a draft of this: carry on with it here.")
            return redirect("content:revision_edit", revision_id=draft.pk)
        editor = content_editor(
            kind=spec.kind,
            object_id=object_id,
            initial=services.content_snapshot(spec.kind, live),
        )
    else:
        editor = content_editor(kind=spec.kind, object_id=object_id, post=request.POST)
        if not _previewing(request) and editor.is_valid():
            revision = _save_draft(
                request, editor=editor, user=user, object_id=object_id, draft=None
            )
            if revision is not None:
                return _after_save(request, revision, user)
    others = staff_selectors.revisions_open_for_item(kind=spec.kind, object_id=object_id)
    return _editor_page(
        request,
        {
            "editor": editor,
            "title": f"Edit {getattr(live, spec.title_field)}",
            "object_id": object_id,
            "others": others,
        },
    )


@staff_view("content.edit")
@require_http_methods(["GET", "POST"])
def revision_edit_view(request: HttpRequest, revision_id: uuid.UUID) -> HttpResponse:
    """Change one's own draft."""
    revision = _revision_for_author(request, revision_id)
    user = staff_user(request)
    if revision.status != Status.DRAFT:
        messages.info(request, "Only a draft can be changed. Start a new draft from it instead.")
        return _to_revision(revision)
    if request.method == "POST":
        editor = content_editor(kind=revision.kind, object_id=revision.object_id, post=request.POST)
        if not _previewing(request) and editor.is_valid():
            saved = _save_draft(
                request, editor=editor, user=user, object_id=revision.object_id, draft=revision
            )
            if saved is not None:
                return _after_save(request, saved, user)
    else:
        editor = content_editor(
            kind=revision.kind,
            object_id=revision.object_id,
            initial=revision.data,
            summary=revision.summary,
        )
    return _editor_page(
        request,
        {
            "editor": editor,
            "title": f"Edit draft: {staff_selectors.revision_title(revision)}",
            "revision": revision,
            "object_id": revision.object_id,
            "out_of_date": services.revision_is_out_of_date(revision),
        },
    )


# --- One revision ------------------------------------------------------------------------------


@staff_view("content.edit")
@require_safe
def revision_view(request: HttpRequest, revision_id: uuid.UUID) -> HttpResponse:
    """A revision against what is live: what changes, its status, and what one may do."""
    revision = staff_selectors.revision_get_for_admin(revision_id=revision_id)
    user = staff_user(request)
    comparison = staff_selectors.revision_compare_with_live(revision)
    revision.is_live = (  # type: ignore[attr-defined]
        comparison.live_revision is not None and comparison.live_revision.pk == revision.pk
    )
    revision.out_of_date = comparison.out_of_date  # type: ignore[attr-defined]
    is_author = policy.can(user, "content.edit", revision)
    may_review = policy.can(user, "content.review", revision)
    context = {
        "revision": revision,
        "spec": content_spec(revision.kind),
        "title": staff_selectors.revision_title(revision),
        "comparison": comparison,
        "is_author": is_author,
        "can_edit": is_author and revision.status == Status.DRAFT,
        "can_submit": is_author and revision.status == Status.DRAFT and not comparison.out_of_date,
        "can_withdraw": is_author and revision.status in services.OPEN_STATUSES,
        "can_review": may_review and revision.status == Status.SUBMITTED,
        # A closed version, or an open one overtaken by a newer live version; restoring
        # what is live now would change nothing.
        "can_restore": (revision.status not in services.OPEN_STATUSES or comparison.out_of_date)
        and comparison.diff.has_changes,
        "can_approve": may_review
        and revision.status == Status.SUBMITTED
        and not comparison.out_of_date,
        "history_url": staff_selectors.item_url(revision.kind, revision.object_id, "history")
        if revision.object_id
        else "",
        "approve_form": ApproveForm(prefix="approve"),
        "send_back_form": ReviewNoteForm(prefix="send_back"),
    }
    return render(request, "hub/staff/revision.html", context)


@staff_view("content.edit")
@require_safe
def revision_preview_view(request: HttpRequest, revision_id: uuid.UUID) -> HttpResponse:
    """The revision as its public page would show it, marked as a preview (never cached)."""
    revision = staff_selectors.revision_get_for_admin(revision_id=revision_id)
    template, context = staff_selectors.revision_preview(revision)
    context.update(
        {
            "preview_revision": revision,
            "preview_revision_url": _revision_url(revision),
            "preview_title": staff_selectors.revision_title(revision),
        }
    )
    return render(request, template, context)


def _run(request: HttpRequest, action: Any, success: str, **kwargs: Any) -> bool:
    try:
        action(**kwargs)
    except services.ContentError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, success)
    return True


@staff_view("content.edit")
@require_POST
def revision_submit_view(request: HttpRequest, revision_id: uuid.UUID) -> HttpResponse:
    revision = _revision_for_author(request, revision_id)
    _run(
        request,
        services.revision_submit,
        "Submitted. Another administrator will review it.",
        revision=revision,
        author=staff_user(request),
    )
    return _to_revision(revision)


@staff_view("content.edit")
@require_POST
def revision_withdraw_view(request: HttpRequest, revision_id: uuid.UUID) -> HttpResponse:
    revision = _revision_for_author(request, revision_id)
    _run(
        request,
        services.revision_withdraw,
        "Withdrawn. It stays in the history, and you can start a new draft from it.",
        revision=revision,
        author=staff_user(request),
    )
    return _to_revision(revision)


@staff_view("content.edit")
@require_POST
def revision_restore_view(request: HttpRequest, revision_id: uuid.UUID) -> HttpResponse:
    revision = staff_selectors.revision_get_for_admin(revision_id=revision_id)
    try:
        restored = services.revision_restore(revision=revision, author=staff_user(request))
    except services.ContentError as error:
        messages.error(request, f"This version cannot be restored as it is. {error}")
        return _to_revision(revision)
    messages.success(
        request,
        "A new draft was made from that version. Check it, then submit it: "
        "another administrator approves it before it goes live.",
    )
    return _to_revision(restored)


@staff_view("content.review")
@require_POST
def revision_approve_view(request: HttpRequest, revision_id: uuid.UUID) -> HttpResponse:
    revision = _revision_for_reviewer(request, revision_id)
    form = ApproveForm(request.POST, prefix="approve")
    note = str(form.cleaned_data["note"]) if form.is_valid() else ""
    _run(
        request,
        services.revision_approve,
        "Approved. The change is live now.",
        revision=revision,
        reviewer=staff_user(request),
        note=note,
    )
    return _to_revision(revision)


@staff_view("content.review")
@require_POST
def revision_send_back_view(request: HttpRequest, revision_id: uuid.UUID) -> HttpResponse:
    revision = _revision_for_reviewer(request, revision_id)
    form = ReviewNoteForm(request.POST, prefix="send_back")
    if not form.is_valid():
        messages.error(request, "Add a note saying what needs to change, then send it back.")
        return _to_revision(revision)
    _run(
        request,
        services.revision_reject,
        "Sent back to the author with your note.",
        revision=revision,
        reviewer=staff_user(request),
        note=str(form.cleaned_data["note"]),
    )
    return _to_revision(revision)


# --- Live preview (content-preview.js) --------------------------------------------------------


@staff_view("content.edit")
@require_POST
def markdown_preview_view(request: HttpRequest) -> HttpResponse:
    """The Markdown in "text" rendered by the hub's own renderer, as an HTML fragment for
    the editor's preview pane. Writes nothing; the text is not kept or logged."""
    text = str(request.POST.get("text", ""))
    if len(text) > PREVIEW_MAX_CHARS:
        return HttpResponse(
            "<p>This is too long to preview here. Save the draft and open its preview.</p>",
            status=400,
        )
    return render(request, "hub/staff/_markdown_preview.html", {"preview": _preview_html(text)})
