from django.db import models
from django.utils.translation import gettext_lazy as _


class DistrictLevel(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    MUNICIPAL_LEVEL = "municipal_level", _("Municipal level")
    DISTRICT = "district", _("District")


class UnitPublishing(models.TextChoices):
    """Per district (set by its finance bureau): who publishes the subordinate units' data."""

    OWN = "own", _("Subordinate units publish their own notices")
    DEPARTMENT = "department", _("Subordinate units file to their department only; the department publishes")


class InstitutionKind(models.TextChoices):
    BUDGET_UNIT = "budget_unit", _("Budget unit")
    FINANCE_BUREAU = "finance_bureau", _("Finance bureau")
    SUPERVISION = "supervision", _("Supervision")


class Position(models.TextChoices):
    """The positions (岗位); each is a Django group of the same name (the Chinese label)."""

    HANDLER = "handler", _("Project procurement handler")
    PURCHASER_REVIEWER = "purchaser_reviewer", _("Purchaser reviewer")
    FINANCE_REVIEWER = "finance_reviewer", _("Finance reviewer")
    SUPERVISOR = "supervisor", _("Supervision inspector")
    INSTITUTION_ADMIN = "institution_admin", _("Institution administrator")


class Perm(models.TextChoices):
    """Model permissions (app label `accounts`) that the later apps check.

    They live on the accounts app because positions do: one checkbox tree (岗位权限设置)
    grants them to groups and, one by one, to users.
    """

    SUBMIT_NOTICE = "submit_notice", _("Create and submit notices")
    PURCHASER_REVIEW = "purchaser_review", _("Purchaser review of notices")
    FINANCE_REVIEW = "finance_review", _("Finance review, publish and revoke notices")
    OVERSEE = "oversee_filing", _("Oversee filing and spot checks")
    MANAGE_STAFF = "manage_staff", _("Manage staff and positions")


# Group name (stored, Chinese as the seed names them) → permissions it carries.
POSITION_GROUP_NAMES = {
    Position.HANDLER: "项目采购经办岗",
    Position.PURCHASER_REVIEWER: "采购人审核岗",
    Position.FINANCE_REVIEWER: "财政审核岗",
    Position.SUPERVISOR: "监督检查岗",
    Position.INSTITUTION_ADMIN: "机构管理员",
}
POSITION_PERMS = {
    Position.HANDLER: [Perm.SUBMIT_NOTICE],
    Position.PURCHASER_REVIEWER: [Perm.PURCHASER_REVIEW],
    Position.FINANCE_REVIEWER: [Perm.FINANCE_REVIEW],
    Position.SUPERVISOR: [Perm.OVERSEE],
    Position.INSTITUTION_ADMIN: [Perm.MANAGE_STAFF],
}
# Which institution kinds may hold which position (a budget unit cannot grant 财政审核岗).
POSITION_KINDS = {
    Position.HANDLER: {InstitutionKind.BUDGET_UNIT},
    Position.PURCHASER_REVIEWER: {InstitutionKind.BUDGET_UNIT},
    Position.FINANCE_REVIEWER: {InstitutionKind.FINANCE_BUREAU},
    Position.SUPERVISOR: {InstitutionKind.SUPERVISION},
    Position.INSTITUTION_ADMIN: set(InstitutionKind),
}
# Single permissions a user may get outside a position follow the same fit.
PERM_KINDS = {perm: kinds for position, kinds in POSITION_KINDS.items() for perm in POSITION_PERMS[position]}


class StaffAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Edited")
    ENABLE = "enable", _("Enabled")
    DISABLE = "disable", _("Disabled")
    DELETE = "delete", _("Deleted")
    RESTORE = "restore", _("Restored")
    SET_POSITIONS = "set_positions", _("Positions set")
    RESET_PASSWORD = "reset_password", _("Password reset")
    CHANGE_PASSWORD = "change_password", _("Password changed")
    FORGOT_PASSWORD = "forgot_password", _("Forgotten password reset")
    BIND_PHONE = "bind_phone", _("Mobile bound")
    INVITE = "invite", _("Invited")
    ACCEPT_INVITATION = "accept_invitation", _("Invitation accepted")
    ENROL_OTP = "enrol_otp", _("Second factor enrolled")
    RESET_OTP = "reset_otp", _("Second factor reset")
