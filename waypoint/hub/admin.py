from django.contrib import admin

from waypoint.accounts.admin_site import admin_site
from waypoint.hub.models import SupportCategory, SupportPhone, SupportService


class SupportPhoneInline(admin.TabularInline[SupportPhone, SupportService]):
    model = SupportPhone
    fields = ["kind", "number", "note", "position"]
    extra = 0


@admin.register(SupportService, site=admin_site)
class SupportServiceAdmin(admin.ModelAdmin[SupportService]):
    fields = [
        "name",
        "slug",
        "provider",
        "summary",
        "description",
        "audience",
        "categories",
        "hours",
        "is_24_7",
        "is_free",
        "is_confidential",
        "website_url",
        "online_reporting_url",
        "webchat_url",
        "need_words",
        "position",
        "is_published",
    ]
    list_display = ["name", "provider", "audience", "is_24_7", "is_published"]
    list_filter = ["provider", "audience", "categories"]
    search_fields = ["name", "summary", "need_words"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["categories"]
    inlines = [SupportPhoneInline]


@admin.register(SupportCategory, site=admin_site)
class SupportCategoryAdmin(admin.ModelAdmin[SupportCategory]):
    fields = ["name", "slug", "need_words", "position"]
    list_display = ["name", "position"]
    prepopulated_fields = {"slug": ["name"]}
