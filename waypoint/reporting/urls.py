"""/report/ (make a report: posters point here) and /exit/ (the quick exit).

/my-report/ (return with a receipt) reads and writes the case, so its views live in
casework (casework/urls_reporter.py, ADR 0040). config/urls.py mounts both lists under
this one "reporting" namespace, so every reporter page keeps its name.
"""

from django.urls import path

from waypoint.reporting import quick_exit, views

app_name = "reporting"
urlpatterns = [
    path("exit/", quick_exit.quick_exit_view, name="quick_exit"),
    path("report/", views.start_view, name="start"),
    path("report/start-again/", views.discard_view, name="discard"),
    path("report/evidence/", views.evidence_view, name="evidence"),
    path("report/review/", views.review_view, name="review"),
    path("report/submit/", views.submit_view, name="submit"),
    path("report/receipt/", views.receipt_view, name="receipt"),
    path("report/receipt/download/", views.receipt_download_view, name="receipt_download"),
    path("report/receipt/check/", views.receipt_check_view, name="receipt_check"),
    path("report/sent/", views.sent_view, name="sent"),
    path("report/<slug:step>/", views.step_view, name="step"),
]
