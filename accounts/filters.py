"""Filters of the staff list (员工管理): 姓名 / 账号 / 绑定手机 / 所属部门, as in 附件1 1.3."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .departments import departments_for_admin
from .models import Department, User


def _text(label):
    return django_filters.CharFilter(
        lookup_expr="icontains",
        label=label,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Please enter"), "type": "search"}),
    )


class StaffFilter(django_filters.FilterSet):
    full_name = _text(_("Full name"))
    username = _text(_("Account"))
    phone = _text(_("Bound mobile"))
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), empty_label=_("All departments"), queryset=Department.objects.none()
    )

    class Meta:
        model = User
        fields = ["full_name", "username", "phone", "department"]

    def __init__(self, *args, admin, **kwargs):
        super().__init__(*args, **kwargs)
        # Every department of the admin's institution, disabled ones too: their staff stay findable.
        self.filters["department"].queryset = departments_for_admin(admin=admin)
