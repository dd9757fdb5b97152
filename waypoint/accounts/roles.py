from django.db import models


class Role(models.TextChoices):
    ADVISER = "adviser", "Adviser"
    CASE_LEAD = "case_lead", "Case lead"
    PARTNER = "partner", "Partner department"
    INSIGHTS = "insights", "Insights viewer"
    ADMINISTRATOR = "administrator", "Administrator"
