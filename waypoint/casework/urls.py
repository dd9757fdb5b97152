"""The specialist team's work area under /staff/ (every view asks accounts.policy).

Object ids in addresses are random UUIDs; a case, task or match a person may not see
answers 404, exactly as one that does not exist.
"""

from django.urls import path

from waypoint.casework import urls_drafts, urls_list, urls_sections
from waypoint.casework.views import case, inbox, matching, walk_in, work

app_name = "casework"
urlpatterns = [
    # Triage inbox (views/inbox.py)
    path("cases/", inbox.inbox_view, name="inbox"),
    # Walk-in disclosure (views/walk_in.py)
    path("cases/new/", walk_in.walk_in_view, name="walk_in"),
    path("cases/new/receipt/", walk_in.walk_in_receipt_view, name="walk_in_receipt"),
    # One case (views/case.py)
    path("cases/<uuid:case_id>/", case.case_view, name="case"),
    path("cases/<uuid:case_id>/timeline/", case.timeline_view, name="timeline"),
    path("cases/<uuid:case_id>/status/", case.status_view, name="status"),
    path("cases/<uuid:case_id>/claim/", case.claim_view, name="claim"),
    path("cases/<uuid:case_id>/assign/", case.assign_view, name="assign"),
    path("cases/<uuid:case_id>/unassign/", case.unassign_view, name="unassign"),
    path("cases/<uuid:case_id>/access/", case.access_view, name="access"),
    path("cases/<uuid:case_id>/conflict/", case.conflict_view, name="conflict"),
    path("cases/<uuid:case_id>/notes/", case.note_view, name="note"),
    path("cases/<uuid:case_id>/contacts/", case.contact_view, name="contact"),
    path("cases/<uuid:case_id>/close/", case.close_view, name="close"),
    path("cases/<uuid:case_id>/reopen/", case.reopen_view, name="reopen"),
    path(
        "cases/<uuid:case_id>/evidence/<uuid:evidence_id>/",
        case.evidence_view,
        name="evidence",
    ),
    # Messages and tasks (views/work.py)
    path("cases/<uuid:case_id>/messages/", work.message_send_view, name="message_send"),
    path("cases/<uuid:case_id>/tasks/", work.task_create_view, name="task_create"),
    path("tasks/<uuid:task_id>/", work.task_view, name="task"),
    path("work/", work.my_work_view, name="my_work"),
    # Matching and links (views/matching.py)
    path("matches/", matching.match_list_view, name="matches"),
    path("matches/<uuid:match_id>/", matching.match_decide_view, name="match_decide"),
    path("cases/<uuid:case_id>/links/", matching.link_view, name="link"),
]
urlpatterns += urls_sections.urlpatterns
urlpatterns += urls_list.urlpatterns
urlpatterns += urls_drafts.urlpatterns
