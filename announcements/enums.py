from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class State(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("state", "Draft")
    PURCHASER_REVIEW = "purchaser_review", _("Purchaser review")
    FINANCE_REVIEW = "finance_review", _("Finance review")
    PUBLISHED = "published", pgettext_lazy("state", "Published")
    REVOKED = "revoked", _("Publication revoked")


class Kind(models.TextChoices):
    SME_RESERVATION = "sme_reservation", _("SME reserved-project execution notice")
    MANUAL = "manual", _("Manually entered notice")
    # 面向中小企业预留项目执行情况公告(部门汇总): a 主管预算单位 compiles its subordinate units.
    DEPARTMENT = "department", _("SME reserved-project execution notice (department summary)")


class PublishMode(models.TextChoices):
    ON_APPROVAL = "on_approval", _("Publish when review completes")
    SCHEDULED = "scheduled", _("Scheduled publication")


class Action(StrEnum):
    """The workflow's actions (announcements.workflow.TRANSITIONS says what each does)."""

    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    PURCHASER_APPROVE = "purchaser_approve"
    PURCHASER_RETURN = "purchaser_return"
    FINANCE_APPROVE = "finance_approve"
    FINANCE_RETURN = "finance_return"
    REVOKE = "revoke"
    # Not a user action: the cron command publishing an approved, scheduled notice.
    SCHEDULED_PUBLISH = "scheduled_publish"


class ImportState(models.TextChoices):
    """Where an Excel import of rows stands (announcements.imports)."""

    QUEUED = "queued", _("Waiting to start")
    CHECKING = "checking", _("Checking the rows")
    SAVING = "saving", _("Saving the rows")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Nothing imported")


class StepActor(models.TextChoices):
    """Who may act on a review step (announcements.workflow_flows): holders of a position of the
    flow's owner (the institution, or the district's finance bureau), or people named on the step."""

    POSITION = "position", _("Holders of a position")
    NAMED = "named", _("Named people")


class StepMode(models.TextChoices):
    ANY = "any", _("Any one approves")
    ALL = "all", _("Every one approves")


class StepCondition(models.TextChoices):
    ALWAYS = "", _("Always")
    SHORTFALL = "shortfall", _("Only when a threshold is missed")
    TOTAL_EXCEEDS = "total_exceeds", _("Only when the reserved total exceeds an amount")
