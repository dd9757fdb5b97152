from django.contrib import admin

admin_site = admin.AdminSite(name="admin")
