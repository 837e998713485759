from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import DistrictLevel, InstitutionKind, Perm, StaffAction, UnitPublishing
from .validators import credit_code_validator, district_code_validator, mobile_validator


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
        _("unified social credit code"), max_length=18, blank=True, validators=[credit_code_validator]
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


class StaffManager(UserManager):
    pass


class User(AbstractUser):
    """A staff account. `username` is the 账号; `is_active` is the 账号状态 (enabled/disabled)."""

    full_name = models.CharField(_("full name"), max_length=50)
    phone = models.CharField(_("bound mobile"), max_length=11, blank=True, validators=[mobile_validator])
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    department = models.CharField(_("department / title"), max_length=100, blank=True)
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
