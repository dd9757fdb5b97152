"""/report/ (make a report) and /my-report/ (return with a receipt): posters point here."""

from django.urls import path

from waypoint.reporting import quick_exit, return_views, views

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
    path("my-report/", return_views.return_view, name="return"),
    path("my-report/message/", return_views.message_view, name="return_message"),
    path("my-report/add/", return_views.add_view, name="return_add"),
    path("my-report/evidence/", return_views.evidence_view, name="return_evidence"),
    path("my-report/withdraw/", return_views.withdraw_view, name="return_withdraw"),
    path("my-report/delete/", return_views.delete_view, name="return_delete"),
    path("my-report/sign-out/", return_views.sign_out_view, name="return_sign_out"),
    path("my-report/signed-out/", return_views.signed_out_view, name="signed_out"),
]
