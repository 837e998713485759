from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import DistrictLevel, InstitutionKind, UnitPublishing
from accounts.models import District, Institution

from .enums import CheckResult, SampleSize
from .models import CampaignUnit
from .rules import DEFAULT_REMIND_DAYS_BEFORE, end_of_day, local_date
from .statistics import COUNT_REVIEWED, COUNTING_CHOICES


def _year_bounds():
    this_year = timezone.localdate().year
    # The reporting year is a past year (domain.md §6); a campaign is declared the year after.
    return 2020, this_year - 1


class CampaignForm(forms.Form):
    year = forms.IntegerField(label=_("Reporting year"))
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Units must publish by 23:59:59 (Shanghai time) of this day."),
    )
    remind_days_before = forms.IntegerField(
        label=_("Remind days before the deadline"),
        min_value=0,
        max_value=60,
        initial=DEFAULT_REMIND_DAYS_BEFORE,
    )
    report_deadline = forms.DateField(
        label=_("Deadline of the departments' written reports"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day by which each competent budget unit submits its written report to you."),
    )

    def __init__(self, *args, campaign=None, **kwargs):
        if campaign is not None:
            kwargs.setdefault(
                "initial",
                {
                    "year": campaign.year,
                    "deadline": local_date(campaign.deadline),
                    "remind_days_before": campaign.remind_days_before,
                    "report_deadline": campaign.report_deadline,
                },
            )
        super().__init__(*args, **kwargs)
        if campaign is not None:
            # The year names the campaign; only its deadline and reminders change.
            del self.fields["year"]
        else:
            low, high = _year_bounds()
            self.fields["year"].min_value = low
            self.fields["year"].max_value = high
            self.fields["year"].initial = high
            self.fields["year"].widget.attrs.update(min=low, max=high)

    def clean_year(self):
        low, high = _year_bounds()
        year = self.cleaned_data["year"]
        if not low <= year <= high:
            raise forms.ValidationError(
                _("The reporting year must be between %(low)s and %(high)s.") % {"low": low, "high": high}
            )
        return year

    def cleaned_deadline(self):
        return end_of_day(self.cleaned_data["deadline"])


class UnitAddForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Budget unit"), queryset=Institution.objects.none(), empty_label=_("Choose a budget unit")
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        listed = CampaignUnit.objects.filter(campaign=campaign).values("institution_id")
        self.fields["institution"].queryset = Institution.objects.filter(
            district_id=campaign.district_id, kind=InstitutionKind.BUDGET_UNIT
        ).exclude(pk__in=listed)


class ExcuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for excusing"), max_length=500)


class SampleDrawForm(forms.Form):
    year = forms.IntegerField(label=_("Reporting year"), min_value=2020)
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.exclude(level=DistrictLevel.MUNICIPALITY),
        required=False,
        empty_label=_("All districts"),
    )
    size_mode = forms.ChoiceField(
        label=_("Sample size by"), choices=SampleSize.choices, initial=SampleSize.COUNT
    )
    size_value = forms.IntegerField(label=_("Sample size"), min_value=1, max_value=10_000, initial=10)
    stratified = forms.BooleanField(label=_("Stratified by district"), required=False)
    seed = forms.IntegerField(
        label=_("Random seed"),
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_("Leave empty for a new random seed; type a recorded seed to repeat a draw."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1

    def clean(self):
        data = super().clean()
        if data.get("size_mode") == SampleSize.PERCENT and (data.get("size_value") or 0) > 100:
            self.add_error("size_value", _("A percentage cannot exceed 100."))
        return data


class CheckRecordForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[("", _("Choose a result")), *CheckResult.choices],
        error_messages={
            "required": _("Choose a result."),
            "invalid_choice": _("Choose one of the results in the list."),
        },
    )
    remarks = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StatisticsForm(forms.Form):
    """The statistics page's filters (GET). A finance bureau sees its own district only, so its
    form offers no district and only its district's departments; a 主管预算单位 its department
    only, so neither. Everyone chooses which notices count."""

    year = forms.IntegerField(label=_("Reporting year"), min_value=2020, max_value=2100)
    counting = forms.ChoiceField(label=_("Notices counted"), choices=COUNTING_CHOICES, required=False)
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False, empty_label=_("All")
    )
    department = forms.ModelChoiceField(
        label=_("Competent budget unit"),
        queryset=Institution.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    category = forms.ChoiceField(label=_("Project category"), required=False)
    option = forms.ChoiceField(label=_("Reservation option"), required=False)

    def __init__(self, *args, user, **kwargs):
        from reservations.enums import ProjectCategory, ReservationOption

        from .rules import is_district_finance, is_supervisor

        super().__init__(*args, **kwargs)
        self.fields["year"].initial = _year_bounds()[1]
        self.fields["counting"].initial = COUNT_REVIEWED
        departments = Institution.objects.filter(
            kind=InstitutionKind.BUDGET_UNIT, competent_unit__isnull=True, subordinate_units__isnull=False
        ).distinct()
        if is_supervisor(user):
            self.fields["district"].queryset = District.objects.filter(
                level=DistrictLevel.DISTRICT
            ) | District.objects.filter(level=DistrictLevel.MUNICIPAL_LEVEL)
        elif is_district_finance(user):
            del self.fields["district"]
            departments = departments.filter(district_id=user.institution.district_id)
        else:
            del self.fields["district"], self.fields["department"]
        if "department" in self.fields:
            self.fields["department"].queryset = departments.order_by("name")
        everything = [("", _("All"))]
        self.fields["category"].choices = everything + list(ProjectCategory.choices)
        self.fields["option"].choices = everything + list(ReservationOption.choices)

    def clean_counting(self):
        return self.cleaned_data.get("counting") or COUNT_REVIEWED

    def defaults(self) -> dict:
        return {"year": self.fields["year"].initial, "counting": COUNT_REVIEWED}


class UnitPublishingForm(forms.Form):
    unit_publishing = forms.ChoiceField(
        label=_("Who publishes subordinate units' data"),
        choices=UnitPublishing.choices,
        widget=forms.RadioSelect,
    )


class CompetentUnitForm(forms.Form):
    """The finance bureau sets a unit's 主管预算单位: units of its own district; the competent unit
    of the same district or at 市本级 (the model validates the rest)."""

    unit = forms.ModelChoiceField(
        label=_("Budget unit"), queryset=Institution.objects.none(), empty_label=_("Choose a unit")
    )
    competent_unit = forms.ModelChoiceField(
        label=_("Competent budget unit"),
        queryset=Institution.objects.none(),
        required=False,
        empty_label=_("None (the unit is its own competent budget unit)"),
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        units = Institution.objects.filter(kind=InstitutionKind.BUDGET_UNIT, is_active=True)
        self.fields["unit"].queryset = units.filter(district=district).order_by("name")
        self.fields["competent_unit"].queryset = units.filter(
            competent_unit__isnull=True,
            district__in=District.objects.filter(pk=district.pk)
            | District.objects.filter(level=DistrictLevel.MUNICIPAL_LEVEL),
        ).order_by("district__code", "name")


class FinalAccountForm(forms.Form):
    """One unit's 部门决算 figures of a year, typed by its finance bureau; the import validates
    each workbook row through this same form."""

    unit = forms.ModelChoiceField(
        label=_("Budget unit"), queryset=Institution.objects.none(), empty_label=_("Choose a budget unit")
    )
    year = forms.IntegerField(label=_("Reporting year"), min_value=2020, max_value=2100)
    procurement_total = forms.DecimalField(
        label=_("Government procurement spending (10k yuan)"), min_value=0, max_digits=18, decimal_places=6
    )
    sme_contract_total = forms.DecimalField(
        label=_("Contracts awarded to SMEs (10k yuan)"), min_value=0, max_digits=18, decimal_places=6
    )

    def __init__(self, *args, district_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = _year_bounds()[1]
        self.fields["unit"].queryset = Institution.objects.filter(
            district_id=district_id, kind=InstitutionKind.BUDGET_UNIT, is_test=False
        ).order_by("name")

    def clean(self):
        data = super().clean()
        total, sme = data.get("procurement_total"), data.get("sme_contract_total")
        if total is not None and sme is not None and sme > total:
            self.add_error(
                "sme_contract_total", _("Contracts awarded to SMEs cannot exceed the procurement spending.")
            )
        return data


class FinalAccountImportForm(forms.Form):
    year = forms.IntegerField(label=_("Reporting year"), min_value=2020, max_value=2100)
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_(
            "One row per unit under a header row: unit name, unified social credit code (optional), "
            "government procurement spending (10k yuan), contracts awarded to SMEs (10k yuan)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = _year_bounds()[1]
