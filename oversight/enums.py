from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UnitStatus(models.TextChoices):
    """A unit's filing status in a campaign, derived from its notices (never stored)."""

    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", pgettext_lazy("state", "Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", pgettext_lazy("state", "Published")
    REVOKED = "revoked", _("Publication revoked")


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Before the deadline")
    AFTER = "after", _("Overdue")


class SampleSize(models.TextChoices):
    COUNT = "count", _("Number of notices")
    PERCENT = "percent", _("Percentage of notices")


class CheckResult(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    NON_COMPLIANT = "non_compliant", _("Non-compliant")
    RECTIFY = "rectify", _("Rectification required")
