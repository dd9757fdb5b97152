from django.contrib import admin

from waypoint.accounts.admin_site import admin_site
from waypoint.institution.models import Department, Institution


@admin.register(Institution, site=admin_site)
class InstitutionAdmin(admin.ModelAdmin[Institution]):
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "short_name",
                    "team_name",
                    "team_email",
                    "team_phone",
                    "brand_colour",
                    "emergency_phone",
                    "security_emergency_phone",
                    "security_non_emergency_phone",
                    "quick_exit_url",
                ]
            },
        ),
        (
            "Reporting",
            {
                "fields": [
                    "route_support_enabled",
                    "route_anonymous_enabled",
                    "route_third_party_enabled",
                    "anonymous_free_text",
                    "students_may_report",
                    "staff_may_report",
                    "visitors_may_report",
                    "draft_lifetime_hours",
                    "triage_email",
                ]
            },
        ),
        (
            "Response times",
            {
                "description": (
                    "The team's targets for first contact, counted in the working week "
                    "below (holidays never count). Reporters are told these targets after "
                    "they send a report, and staff see them as clocks in the triage inbox."
                ),
                "fields": [
                    "first_contact_working_days",
                    "urgent_first_contact_hours",
                    "working_weekdays",
                    "working_day_starts",
                    "working_day_ends",
                ],
            },
        ),
        ("Staff sign-in", {"fields": ["staff_password_sign_in", "break_glass_administrators"]}),
    ]
    list_display = ["name", "team_name", "updated_at"]

    def has_add_permission(self, request: object) -> bool:
        # One institution per deployment.
        return not Institution.objects.exists()

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Department, site=admin_site)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    fields = ["name", "slug", "email"]
    list_display = ["name", "slug", "email"]
    prepopulated_fields = {"slug": ["name"]}
