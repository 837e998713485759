"""The row form is the single validation of a reserved-project row: the web formset and the
Excel import both go through it, so a rule cannot differ between the two."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .columns import EDITOR_FIELDS, ROW_COLUMNS
from .enums import ProjectCategory, ReservationOption, ShortfallReason
from .models import Report
from .money import format_wan
from .validators import normalize_contract_link

MONEY_DIGITS = {"max_digits": 18, "decimal_places": 6}
WHOLE_RATIO = Decimal("100")

LABELS = dict(ROW_COLUMNS)
# Django's own messages ("确认小数不超过 6 位.") are jargon with half-width punctuation: ours say what to do.
NUMBER_ERRORS = {
    "invalid": _("Enter a number."),
    "max_decimal_places": _("Enter at most %(max)s decimals (amounts are exact to the fen)."),
    "max_digits": _("The number is too large."),
    "max_whole_digits": _("The number is too large."),
}


class EchoDecimalField(forms.DecimalField):
    """A decimal field whose refusal quotes what was typed ("“12,5”不是有效的数字"), not Django's
    bare "输入一个数字。"."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code == "invalid":
                raise forms.ValidationError(
                    _("“%(value)s” is not a number: type digits and at most one decimal point."),
                    code="invalid",
                    params={"value": str(value).strip()[:40]},
                ) from None
            raise


def _money_input(placeholder=""):
    # A text input: the browser must not reject or rewrite what was typed before the server explains.
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": placeholder})


REQUIRED = {"required": _("Please fill in this field.")}


class ReservedProjectForm(forms.Form):
    # The stored row a page of the editor changes; empty for a new row and in the Excel import.
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=LABELS["name"], max_length=200, error_messages=REQUIRED)
    code = forms.CharField(label=LABELS["code"], max_length=100, required=False)
    # 项目属性 and 项目预算 are what the policy rules need: required on every row typed or imported.
    category = forms.ChoiceField(
        label=LABELS["category"],
        choices=[("", _("Choose…"))] + ProjectCategory.choices,
        error_messages={
            "required": _("Choose the project category (goods, works or services)."),
            "invalid_choice": _("Choose the project category (goods, works or services)."),
        },
    )
    option = forms.ChoiceField(
        label=LABELS["option"],
        choices=[("", _("Choose…"))] + ReservationOption.choices,
        error_messages={
            "invalid_choice": _("Choose one of the four reservation options."),
            "required": _("Choose a reservation option."),
        },
    )
    ratio = EchoDecimalField(
        label=LABELS["ratio"],
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=_money_input(),
        error_messages={**NUMBER_ERRORS, "max_decimal_places": _("Enter the share with at most 2 decimals.")},
    )
    budget_amount = EchoDecimalField(
        label=LABELS["budget_amount"],
        widget=_money_input(),
        error_messages={**NUMBER_ERRORS, "required": _("Enter the project budget (10k yuan).")},
        **MONEY_DIGITS,
    )
    sme_amount = EchoDecimalField(
        label=LABELS["sme_amount"],
        widget=_money_input(),
        error_messages={**NUMBER_ERRORS, **REQUIRED},
        **MONEY_DIGITS,
    )
    small_micro_amount = EchoDecimalField(
        label=LABELS["small_micro_amount"],
        widget=_money_input(),
        error_messages={**NUMBER_ERRORS, **REQUIRED},
        **MONEY_DIGITS,
    )
    contract_url = forms.CharField(
        label=LABELS["contract_url"],
        max_length=500,
        error_messages=REQUIRED,
        widget=forms.URLInput(attrs={"placeholder": "https://www.zfcg.sh.gov.cn/…"}),
    )
    procurement_date = forms.DateField(
        label=LABELS["procurement_date"],
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")},
    )

    # Asked only of a row that misses a threshold (the editor shows it next to the warning);
    # the submit check refuses such a row without it. Not an Excel column.
    shortfall_reason = forms.ChoiceField(
        label=_("Reason for the shortfall"),
        choices=[("", _("Choose…"))] + ShortfallReason.choices,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the listed reasons.")},
    )

    def has_changed(self):
        # The formset's order and delete fields, set by the page's script, do not make an empty row typed.
        return any(name not in ("ORDER", "DELETE", "id") for name in self.changed_data)

    def clean_ratio(self):
        ratio = self.cleaned_data.get("ratio")
        if ratio is not None and not (Decimal("0") < ratio <= WHOLE_RATIO):
            raise forms.ValidationError(
                _("The reserved share must be above 0 and at most 100."), code="ratio_range"
            )
        return ratio

    def _not_in_yuan(self, amount):
        # Amounts are in 万元: a figure this large was typed in 元 (a 500万 project as 5000000).
        limit = settings.RESERVATION_AMOUNT_MAX_WAN
        if amount is not None and amount > limit:
            raise forms.ValidationError(
                _(
                    "%(amount)s (10k yuan) is more than %(limit)s (10k yuan): it looks typed in yuan. "
                    "Amounts are in 10k yuan (5,000,000 yuan is 500)."
                ),
                code="amount_in_yuan",
                params={"amount": format_wan(amount), "limit": limit},
            )
        return amount

    def clean_budget_amount(self):
        budget = self.cleaned_data.get("budget_amount")
        if budget is not None and budget <= 0:
            raise forms.ValidationError(_("The project budget must be above 0."), code="budget_positive")
        return self._not_in_yuan(budget)

    def clean_sme_amount(self):
        amount = self.cleaned_data.get("sme_amount")
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("The SME procurement amount must be above 0."), code="sme_positive")
        return self._not_in_yuan(amount)

    def clean_small_micro_amount(self):
        amount = self.cleaned_data.get("small_micro_amount")
        if amount is not None and amount < 0:
            raise forms.ValidationError(
                _("The small/micro amount cannot be negative."), code="small_micro_negative"
            )
        return self._not_in_yuan(amount)

    def clean_contract_url(self):
        # Stored as the browser would read it (WHATWG URL), so the published link is the one checked.
        return normalize_contract_link(self.cleaned_data.get("contract_url", ""))

    def clean(self):
        data = super().clean()
        option = data.get("option")
        if option == ReservationOption.WHOLE:
            # 采购项目整体预留: the ratio is 100 by definition and never typed.
            self.errors.pop("ratio", None)
            data["ratio"] = WHOLE_RATIO
        elif option and data.get("ratio") is None and "ratio" not in self.errors:
            self.add_error(
                "ratio",
                forms.ValidationError(
                    _("Enter the reserved share: it is required for every option but the whole-project one."),
                    code="ratio_required",
                ),
            )
        sme, small_micro = data.get("sme_amount"), data.get("small_micro_amount")
        if sme is not None and small_micro is not None and small_micro > sme:
            self.add_error(
                "small_micro_amount",
                forms.ValidationError(
                    _("The small/micro amount cannot exceed the SME procurement amount."),
                    code="small_micro_above_sme",
                ),
            )
        budget = data.get("budget_amount")
        if sme is not None and budget is not None and sme > budget:
            # The part reserved for SMEs is part of the project: it cannot be larger.
            self.add_error(
                "sme_amount",
                forms.ValidationError(
                    _("The SME procurement amount cannot exceed the project budget (%(budget)s, 10k yuan)."),
                    code="sme_above_budget",
                    params={"budget": format_wan(budget)},
                ),
            )
        return data


# One page of the editor (reservations.paging.PAGE_SIZE stored rows) plus the rows added on it.
# A page never comes near DATA_UPLOAD_MAX_NUMBER_FIELDS (about 12 fields a row); the limit below
# is the formset's own guard, with a message in plain words.
MAX_FORMS_PER_PAGE = 150


class BaseRowFormSet(forms.BaseFormSet):
    default_error_messages = {
        "missing_management_form": _(
            "The page was sent incompletely. Reload it; your saved rows are unchanged."
        ),
        "too_many_forms": _("At most %(num)d rows can be saved at once. Save this page, then add more rows."),
        "too_few_forms": _("Add at least %(num)d rows."),
    }

    def rows(self) -> list[dict]:
        """Cleaned rows in the order the user chose, without deleted or untouched empty rows."""
        return [{k: form.cleaned_data.get(k) for k in EDITOR_FIELDS} for form in self.ordered_forms]

    def page_changes(self) -> dict:
        """What a saved page changes: `rows` in the chosen order (each with its stored `id` or
        None for a new row) and the ids ticked for deletion. Call after `is_valid()`."""
        deleted = [f.cleaned_data["id"] for f in self.deleted_forms if f.cleaned_data.get("id")]
        rows = [
            {"id": form.cleaned_data.get("id"), **{k: form.cleaned_data.get(k) for k in EDITOR_FIELDS}}
            for form in self.ordered_forms
        ]
        return {"rows": rows, "deleted": deleted}


RowFormSet = forms.formset_factory(
    ReservedProjectForm,
    formset=BaseRowFormSet,
    extra=0,
    can_order=True,
    can_delete=True,
    max_num=MAX_FORMS_PER_PAGE,
    absolute_max=MAX_FORMS_PER_PAGE,
    validate_max=True,
)


def row_initial(row) -> dict:
    """A stored row as the form's initial data; amounts as typed ("12.5", not "12.500000")."""
    values = {"id": row.pk, **{name: getattr(row, name) for name in EDITOR_FIELDS}}
    if values["procurement_date"] is not None:
        values["procurement_date"] = values["procurement_date"].isoformat()
    for name in ("ratio", "budget_amount", "sme_amount", "small_micro_amount"):
        if values[name] is not None:
            values[name] = format_wan(values[name])
    return values


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["competent_unit_name", "explanation"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "explanation": _(
                "Required before submission when a policy threshold is missed (see the warnings)."
            ),
        }
        error_messages = {"competent_unit_name": REQUIRED}
