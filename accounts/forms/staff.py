"""Forms of staff management (员工管理): 新增, 编辑, 设置岗位 and the batch bar of the list."""

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..enums import POSITION_GROUP_NAMES, Perm, Position
from ..models import Department, User
from ..selectors import perm_tree_for_institution, positions_for_institution, positions_granting

PROFILE_FIELDS = ["full_name", "phone", "department", "title", "email"]
PROFILE_LABELS = {
    "full_name": _("Full name"),
    "phone": _("Bound mobile"),
    "department": _("Department"),
    "title": _("Job title"),
}
PROFILE_ERRORS = {"full_name": {"required": _("Enter the staff member's full name.")}}


class StaffUpdateForm(forms.ModelForm):
    """编辑: the profile fields only; the account name, state and positions have their own actions."""

    class Meta:
        model = User
        fields = PROFILE_FIELDS
        labels = PROFILE_LABELS
        error_messages = PROFILE_ERRORS
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})}
        help_texts = {"phone": _("A number typed here stays unverified until its holder enters a code.")}

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        # 所属部门: the enabled departments of the admin's own institution (部门管理), plus the
        # account's current one even if it has been disabled since.
        offered = Q(is_active=True)
        if self.instance.department_id:
            offered |= Q(pk=self.instance.department_id)
        field = self.fields["department"]
        field.queryset = Department.objects.filter(offered, institution=institution)
        field.empty_label = _("No department")


class StaffCreateForm(StaffUpdateForm):
    """新增: an account with an initial password that the admin types and hands over; the new user
    must choose their own password at first sign-in."""

    password1 = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Repeat the initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta(StaffUpdateForm.Meta):
        fields = ["username", *PROFILE_FIELDS]
        labels = {"username": _("Account"), **PROFILE_LABELS}
        help_texts = {"username": _("Letters, digits and @/./+/-/_ only; used to sign in.")}
        error_messages = {
            **PROFILE_ERRORS,
            "username": {"unique": _("This account already exists."), "required": _("Enter the account.")},
        }

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("password1")
            and cleaned.get("password2")
            and cleaned["password1"] != cleaned["password2"]
        ):
            self.add_error("password2", _("The two passwords do not match."))
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        # As Django's UserCreationForm: validate once the instance carries the account's attributes.
        password = self.cleaned_data.get("password1")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except ValidationError as error:
                self.add_error("password1", error)


class StaffPositionsForm(forms.Form):
    """设置岗位: the positions (岗位) and, for one account, the single permissions (岗位权限设置).

    Only the positions and permissions that fit the institution's kind are offered.
    """

    positions = forms.MultipleChoiceField(
        label=_("Positions"), required=False, widget=forms.CheckboxSelectMultiple
    )
    perms = forms.MultipleChoiceField(
        label=_("Position permission settings"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, institution, with_perms=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["positions"].choices = [
            (p.value, p.label) for p in positions_for_institution(institution)
        ]
        self.tree = perm_tree_for_institution(institution)
        if with_perms:
            self.fields["perms"].choices = [(p.value, p.label) for _branch, perms in self.tree for p in perms]
        else:
            del self.fields["perms"]

    def perm_branches(self):
        """The permission checkboxes grouped by branch, each with the positions that already include it."""
        widgets = {w.data["value"]: w for w in self["perms"].subwidgets}
        return [
            {
                "label": label,
                "items": [
                    {
                        "widget": widgets[p.value],
                        "via": "、".join(POSITION_GROUP_NAMES[pos] for pos in positions_granting(p)),
                    }
                    for p in perms
                ],
            }
            for label, perms in self.tree
        ]

    def clean_positions(self):
        return [Position(v) for v in self.cleaned_data["positions"]]

    def clean_perms(self):
        return [Perm(v) for v in self.cleaned_data["perms"]]


class StaffBatchForm(forms.Form):
    """The batch bar under the list: the checked rows (name `select`) and the button pressed."""

    ENABLE, DISABLE, SET_POSITIONS = "enable", "disable", "set_positions"
    action = forms.ChoiceField(
        choices=[
            (ENABLE, _("Batch enable")),
            (DISABLE, _("Batch disable")),
            (SET_POSITIONS, _("Batch set positions")),
        ]
    )

    def clean(self):
        cleaned = super().clean()
        ids = self.data.getlist("select")
        if not ids or not all(i.isdigit() for i in ids):
            raise ValidationError(_("Select at least one staff member first."))
        cleaned["ids"] = sorted({int(i) for i in ids})
        return cleaned
