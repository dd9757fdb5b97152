"""/my-report/: a reporter returns with their receipt. Posters point here.

The views read and write the case, so they live in casework, which imports reporting and
never the other way (ADR 0040). config/urls.py mounts these patterns together with
reporting/urls.py under the one "reporting" namespace: the reporter's pages keep their
names ("reporting:return", ...), and the request log keeps treating them as reporter
routes (common/request_log.py: the time is kept to the hour).
"""

from django.urls import URLPattern, path

from waypoint.casework.views import reporter

urlpatterns: list[URLPattern] = [
    path("my-report/", reporter.return_view, name="return"),
    path("my-report/message/", reporter.message_view, name="return_message"),
    path("my-report/add/", reporter.add_view, name="return_add"),
    path("my-report/evidence/", reporter.evidence_view, name="return_evidence"),
    path("my-report/withdraw/", reporter.withdraw_view, name="return_withdraw"),
    path("my-report/delete/", reporter.delete_view, name="return_delete"),
    path("my-report/sign-out/", reporter.sign_out_view, name="return_sign_out"),
    path("my-report/record/", reporter.log_view, name="return_log"),
    path("my-report/signed-out/", reporter.signed_out_view, name="signed_out"),
]
