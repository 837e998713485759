"""Forms of 机构信息 and 部门管理."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Department, Institution

CONTACT_PHONE = re.compile(r"[0-9+\-()（） 转]+")


class InstitutionInfoForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = ["name", "credit_code", "address", "contact_person", "contact_phone"]
        labels = {
            "name": _("Institution name"),
            "credit_code": _("Unified social credit code"),
            "address": _("Address"),
            "contact_person": _("Contact person"),
            "contact_phone": _("Contact phone"),
        }
        help_texts = {"credit_code": _("18 characters; the last one is a check character.")}
        error_messages = {
            "name": {"required": _("Enter the institution's name.")},
            "credit_code": {"unique": _("Another institution already has this code.")},
        }

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"].strip()
        # A landline with area code and extension (021-6666 8888 转 123) or a mobile: digits with
        # the separators people type, and at least 7 digits.
        if phone and (not CONTACT_PHONE.fullmatch(phone) or sum(c.isdigit() for c in phone) < 7):
            raise forms.ValidationError(
                _("Enter a telephone number: digits, spaces, “-”, “+” and brackets only, e.g. 021-66668888."),
                code="contact_phone",
            )
        return phone

    def _post_clean(self):
        # The service validates the model and records the change; the form checks only its fields.
        pass


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "sort_order"]
        labels = {"name": _("Department name"), "sort_order": _("Order")}
        help_texts = {"sort_order": _("Smaller numbers come first.")}
        error_messages = {"name": {"required": _("Enter the department's name.")}}

    def _post_clean(self):
        # The service saves and reports a duplicate name next to the field.
        pass
