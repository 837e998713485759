"""The row form is the single validation of a reserved-project row: the web formset and the
Excel import both go through it, so a rule cannot differ between the two."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .columns import ROW_COLUMNS, ROW_FIELDS
from .enums import ProjectCategory, ReservationOption
from .models import Report
from .money import format_wan
from .validators import validate_contract_link

MONEY_DIGITS = {"max_digits": 18, "decimal_places": 6}
WHOLE_RATIO = Decimal("100")

LABELS = dict(ROW_COLUMNS)


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
    category = forms.ChoiceField(
        label=LABELS["category"], choices=[("", "—")] + ProjectCategory.choices, required=False
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
        label=LABELS["ratio"], max_digits=5, decimal_places=2, required=False, widget=_money_input()
    )
    budget_amount = EchoDecimalField(
        label=LABELS["budget_amount"], required=False, widget=_money_input(), **MONEY_DIGITS
    )
    sme_amount = EchoDecimalField(
        label=LABELS["sme_amount"], widget=_money_input(), error_messages=REQUIRED, **MONEY_DIGITS
    )
    small_micro_amount = EchoDecimalField(
        label=LABELS["small_micro_amount"], widget=_money_input(), error_messages=REQUIRED, **MONEY_DIGITS
    )
    contract_url = forms.CharField(
        label=LABELS["contract_url"],
        max_length=500,
        validators=[validate_contract_link],
        error_messages=REQUIRED,
        widget=forms.URLInput(attrs={"placeholder": "https://www.zfcg.sh.gov.cn/…"}),
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

    def clean_budget_amount(self):
        budget = self.cleaned_data.get("budget_amount")
        if budget is not None and budget <= 0:
            raise forms.ValidationError(_("The project budget must be above 0."), code="budget_positive")
        return budget

    def clean_sme_amount(self):
        amount = self.cleaned_data.get("sme_amount")
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("The SME procurement amount must be above 0."), code="sme_positive")
        return amount

    def clean_small_micro_amount(self):
        amount = self.cleaned_data.get("small_micro_amount")
        if amount is not None and amount < 0:
            raise forms.ValidationError(
                _("The small/micro amount cannot be negative."), code="small_micro_negative"
            )
        return amount

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
        if data.get("contract_url"):
            data["contract_url"] = data["contract_url"].strip()
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
        return [{k: form.cleaned_data.get(k) for k in ROW_FIELDS} for form in self.ordered_forms]

    def page_changes(self) -> dict:
        """What a saved page changes: `rows` in the chosen order (each with its stored `id` or
        None for a new row) and the ids ticked for deletion. Call after `is_valid()`."""
        deleted = [f.cleaned_data["id"] for f in self.deleted_forms if f.cleaned_data.get("id")]
        rows = [
            {"id": form.cleaned_data.get("id"), **{k: form.cleaned_data.get(k) for k in ROW_FIELDS}}
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
    values = {"id": row.pk, **{name: getattr(row, name) for name in ROW_FIELDS}}
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
