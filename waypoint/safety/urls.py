"""Risk, safety plans, referrals and formal processes: staff pages under /staff/, and the
returning reporter's view of a shared safety plan under /my-report/."""

from django.urls import path

from waypoint.safety import urls_overview
from waypoint.safety.views import chronology, plans, processes, risk

app_name = "safety"
urlpatterns = [
    # Risk assessments (views/risk.py)
    path("staff/cases/<uuid:case_id>/assessments/", risk.assessment_list_view, name="assessments"),
    path(
        "staff/cases/<uuid:case_id>/assessments/new/<slug:instrument>/",
        risk.assessment_new_view,
        name="assessment_new",
    ),
    path("staff/assessments/<uuid:assessment_id>/", risk.assessment_view, name="assessment"),
    # Safety plan and university measures (views/plans.py)
    path("staff/cases/<uuid:case_id>/safety-plan/", plans.plan_view, name="plan"),
    path("staff/cases/<uuid:case_id>/safety-plan/share/", plans.plan_share_view, name="plan_share"),
    path("staff/cases/<uuid:case_id>/measures/new/", plans.measure_new_view, name="measure_new"),
    path("staff/measures/", plans.department_measures_view, name="department_measures"),
    path("staff/measures/<uuid:measure_id>/", plans.measure_view, name="measure"),
    path("my-report/safety-plan/", plans.reporter_plan_view, name="reporter_plan"),
    # Referrals and formal processes (views/processes.py)
    path("staff/cases/<uuid:case_id>/referrals/", processes.referral_list_view, name="referrals"),
    path("staff/referrals/<uuid:referral_id>/", processes.referral_view, name="referral"),
    path("staff/cases/<uuid:case_id>/processes/", processes.process_list_view, name="processes"),
    path(
        "staff/cases/<uuid:case_id>/processes/<slug:kind>/",
        processes.process_save_view,
        name="process_save",
    ),
    # The chronology, recording an incident, the police-ready bundle (views/chronology.py)
    path("staff/cases/<uuid:case_id>/chronology/", chronology.chronology_view, name="chronology"),
    path(
        "staff/cases/<uuid:case_id>/chronology/add/",
        chronology.chronology_add_view,
        name="chronology_add",
    ),
    path("staff/cases/<uuid:case_id>/chronology/bundle/", chronology.bundle_view, name="bundle"),
    path("staff/bundles/<uuid:referral_id>/", chronology.bundle_ready_view, name="bundle_ready"),
    path("staff/bundles/<uuid:referral_id>/pdf/", chronology.bundle_pdf_view, name="bundle_pdf"),
    path("staff/bundles/<uuid:referral_id>/zip/", chronology.bundle_zip_view, name="bundle_zip"),
]
urlpatterns += urls_overview.urlpatterns
