from django.contrib import admin

from waypoint.accounts.admin_site import admin_site
from waypoint.institution.models import Department, Institution


@admin.register(Institution, site=admin_site)
class InstitutionAdmin(admin.ModelAdmin[Institution]):
    fields = [
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
