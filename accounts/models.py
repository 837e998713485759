from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import DistrictLevel, InstitutionKind, Perm, StaffAction, UnitPublishing
from .useragent import describe as describe_user_agent
from .validators import (
    credit_code_validator,
    district_code_validator,
    mobile_validator,
    validate_credit_code_check,
)


class District(models.Model):
    """行政区划 (GB/T 2260): 上海市, 市本级 and the 16 districts, loaded by a data migration."""

    code = models.CharField(_("code"), max_length=6, unique=True, validators=[district_code_validator])
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=20, choices=DistrictLevel.choices)
    unit_publishing = models.CharField(
        _("who publishes subordinate units' data"),
        max_length=20,
        choices=UnitPublishing.choices,
        default=UnitPublishing.OWN,
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name


class Institution(models.Model):
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[credit_code_validator, validate_credit_code_check],
    )
    district = models.ForeignKey(District, verbose_name=_("district"), on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=20, choices=InstitutionKind.choices)
    # 主管预算单位: empty means the institution is its own competent unit.
    competent_unit = models.ForeignKey(
        "self",
        verbose_name=_("competent budget unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subordinate_units",
    )
    # 机构信息 that the institution's own admin keeps up to date.
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Test institutions never reach the public site.
    is_test = models.BooleanField(_("test institution"), default=False)

    class Meta:
        ordering = ["district__code", "name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="institution_credit_code_unique",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        parent = self.competent_unit
        if parent is None:
            return
        if self.pk is not None and parent.pk == self.pk:
            raise ValidationError({"competent_unit": _("A unit cannot be its own competent budget unit.")})
        if parent.kind != InstitutionKind.BUDGET_UNIT:
            raise ValidationError({"competent_unit": _("The competent budget unit must be a budget unit.")})
        if self.pk is not None and Institution.objects.filter(competent_unit=self).exists():
            raise ValidationError(
                {
                    "competent_unit": _(
                        "This unit is the competent budget unit of other units, so it has none itself."
                    )
                }
            )
        if parent.competent_unit_id is not None:
            # One level: a department's units report to it, and it reports to finance.
            raise ValidationError(
                {
                    "competent_unit": _(
                        "The chosen unit has a competent budget unit of its own; choose that one."
                    )
                }
            )
        same_district = parent.district_id == self.district_id
        if not same_district and parent.district.level != DistrictLevel.MUNICIPAL_LEVEL:
            raise ValidationError(
                {
                    "competent_unit": _(
                        "The competent budget unit must be in the same district as the unit, "
                        "or at the municipal level."
                    )
                }
            )

    @property
    def competent_unit_or_self(self):
        return self.competent_unit or self


class InstitutionChange(models.Model):
    """Append-only record of a change to 机构信息 (a former name stays readable here)."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    field = models.CharField(_("field"), max_length=30)
    old_value = models.CharField(_("old value"), max_length=200, blank=True)
    new_value = models.CharField(_("new value"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("institution change")
        verbose_name_plural = _("institution changes")

    def __str__(self):
        return f"{self.institution} {self.field}"

    @property
    def field_label(self):
        return Institution._meta.get_field(self.field).verbose_name


class Department(models.Model):
    """A department (部门) of an institution, managed by its admin in 部门管理.

    Disabled departments stay on the accounts that hold them but are no longer offered; a
    department that still has staff cannot be deleted.
    """

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField(_("department name"), max_length=50)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "name", "id"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "name"], name="department_name_unique_per_institution"
            )
        ]

    def __str__(self):
        return self.name


class StaffManager(UserManager):
    pass


class User(AbstractUser):
    """A staff account. `username` is the 账号; `is_active` is the 账号状态 (enabled/disabled)."""

    full_name = models.CharField(_("full name"), max_length=50)
    phone = models.CharField(_("bound mobile"), max_length=11, blank=True, validators=[mobile_validator])
    # True only once the holder entered a code sent to `phone`; typed or imported numbers are not
    # verified, and only a verified number may receive a password-reset code.
    phone_verified = models.BooleanField(_("mobile verified"), default=False)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    title = models.CharField(_("job title"), max_length=50, blank=True)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    must_change_password = models.BooleanField(_("must change password"), default=False)

    objects = StaffManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        permissions = [(perm.value, perm.label) for perm in Perm]

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or self.username


class StaffChange(models.Model):
    """Append-only record of every change an admin makes to a staff account (shown on 详情)."""

    staff = models.ForeignKey(
        User, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="changes"
    )
    actor = models.ForeignKey(
        User, verbose_name=_("changed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=StaffAction.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("staff change")
        verbose_name_plural = _("staff changes")

    def __str__(self):
        return f"{self.staff} {self.get_action_display()}"


class VerificationCode(models.Model):
    """One request for a code or a reset link: the log that rate limits count, and the code itself.

    The code is stored only as a keyed hash. A request for an unknown account is stored too (with
    no user and no code) so that it is answered, counted and checked exactly like a known one.
    """

    class Purpose(models.TextChoices):
        RESET_BY_PHONE = "reset_phone", _("Password reset by mobile code")
        RESET_BY_EMAIL = "reset_email", _("Password reset by e-mail link")
        BIND_PHONE = "bind_phone", _("Mobile binding")

    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    phone = models.CharField(_("mobile"), max_length=11, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [models.Index(fields=["ip", "created_at"], name="verification_ip_time")]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class Message(models.Model):
    """An in-app message (消息通知). Every notification that goes by e-mail is also stored here,
    so a user without an e-mail address still gets it. Written by `accounts.inbox` only."""

    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="inbox"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # A path on this site (the notice or the campaign), never an outside address.
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["recipient", "read_at"], name="message_recipient_unread")]

    def __str__(self):
        return self.title


class SignInRecord(models.Model):
    """One sign-in or failed attempt (登录记录): time, network address, place and browser."""

    user = models.ForeignKey(
        User,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sign_ins",
    )
    username = models.CharField(_("account"), max_length=150, blank=True)
    succeeded = models.BooleanField(_("succeeded"))
    # What failed: the password, or the second factor.
    step = models.CharField(_("step"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    address = models.GenericIPAddressField(_("network address"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sign-in record")
        verbose_name_plural = _("sign-in records")
        indexes = [models.Index(fields=["user", "-created_at"], name="signin_user_time")]

    def __str__(self):
        return f"{self.username} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def browser(self) -> str:
        """The browser in words (“Chrome 131 · Windows”); `user_agent` keeps the raw header."""
        return describe_user_agent(self.user_agent)


class Invitation(models.Model):
    """新增/邀请: a single-use link with which a new staff member sets their own password.

    Only a hash of the token is stored: the link is shown once to the admin (and mailed when the
    person has an address)."""

    staff = models.ForeignKey(
        User, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.staff} {self.created_at:%Y-%m-%d}"


class OutboxMessage(models.Model):
    """One mail or text message to one address, waiting for (or done by) the one send task
    (`accounts.outbox`). The task's arguments carry only this row's id: a body holding a
    password-reset link or a verification code never sits in the task table. A row is one
    recipient, so a task run again (a killed worker's, requeued) skips whom it already reached,
    and the row shows each attempt: its state, how many tries, when the next one is due and the
    last error. An SMS code is blanked once sent or given up."""

    class Channel(models.TextChoices):
        MAIL = "mail", _("e-mail")
        SMS = "sms", _("text message")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    # How long an SMS code stays valid: the provider's template shows it beside the code.
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    # What the message is about (a flow-log entry, a reminder): for the admin and for support.
    topic = models.CharField(_("topic"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [models.Index(fields=["state", "created_at"], name="outbox_state_time")]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient}"
