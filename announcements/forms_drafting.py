"""Forms of the drafting pages (create, edit, import, attachments). No form has a `state` field."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import District

from .enums import PublishMode
from .models import Announcement
from .uploads import check_attachment

FIRST_REPORT_YEAR = 2021  # 46号 asks for the previous year's data from 2022 on


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by type, content and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        cleaned = [single(f, initial) for f in files]
        errors = []
        for upload in cleaned:
            try:
                check_attachment(upload)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def attachments_field():
    return MultipleFileField(
        label=_("Attachments"),
        help_text=_(
            "Optional. Each file at most 50 MB; types: pdf, ofd, doc, docx, xls, xlsx, jpg, png, zip."
        ),
    )


class PublishFieldsMixin:
    """发布类型: 审核完成发布 (default) or 定时发布 with a date and time in the future."""

    def clean(self):
        data = super().clean()
        if data.get("publish_mode") == PublishMode.SCHEDULED:
            when = data.get("scheduled_at")
            if when is None and "scheduled_at" not in self.errors:
                self.add_error("scheduled_at", _("Enter the date and time of the scheduled publication."))
            elif when is not None and when <= timezone.now():
                self.add_error("scheduled_at", _("The scheduled publication time must be in the future."))
        else:
            data["scheduled_at"] = None
        return data


def publish_mode_field():
    return forms.ChoiceField(
        label=_("Publication type"),
        choices=PublishMode.choices,
        initial=PublishMode.ON_APPROVAL,
        widget=forms.RadioSelect,
    )


def scheduled_at_field():
    return forms.DateTimeField(
        label=_("Scheduled publication time"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Only for scheduled publication."),
    )


class DistrictMixin:
    """行政区划: preset to the institution's district; any other district is refused."""

    def _setup_district(self, user):
        self.user = user
        self.fields["district"].initial = user.institution.district_id

    def clean_district(self):
        district = self.cleaned_data["district"]
        if district.pk != self.user.institution.district_id:
            raise ValidationError(
                _("A notice is published in your institution's district (%(district)s)."),
                params={"district": self.user.institution.district},
            )
        return district


def year_choices():
    last = timezone.localdate().year - 1
    return [(y, str(y)) for y in range(last, FIRST_REPORT_YEAR - 1, -1)]


class SmeCreateForm(DistrictMixin, PublishFieldsMixin, forms.Form):
    district = forms.ModelChoiceField(
        label=_("Administrative division"), queryset=District.objects.all(), empty_label=None
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, help_text=_("The reporting year."))
    publish_mode = publish_mode_field()
    scheduled_at = scheduled_at_field()
    attachments = attachments_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_district(user)
        self.fields["year"].choices = year_choices()
        self.fields["year"].initial = timezone.localdate().year - 1


class ManualCreateForm(DistrictMixin, PublishFieldsMixin, forms.Form):
    district = forms.ModelChoiceField(
        label=_("Administrative division"), queryset=District.objects.all(), empty_label=None
    )
    title = forms.CharField(label=_("Notice title"), max_length=200)
    body_html = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "rich-text"}),
        help_text=_(
            "Paragraphs, headings, lists, tables and links are kept; scripts and styles are removed."
        ),
    )
    publish_mode = publish_mode_field()
    scheduled_at = scheduled_at_field()
    attachments = attachments_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_district(user)


class NoticeEditForm(PublishFieldsMixin, forms.ModelForm):
    """Title and publication type of a draft, with the version the form was opened on."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    scheduled_at = scheduled_at_field()

    class Meta:
        model = Announcement
        fields = ["title", "publish_mode", "scheduled_at"]
        widgets = {"publish_mode": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["publish_mode"].choices = PublishMode.choices

    def _post_clean(self):
        # The service writes with a conditional update; the instance must not change before it.
        pass


class ManualEditForm(NoticeEditForm):
    body_html = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "rich-text"}),
    )

    class Meta(NoticeEditForm.Meta):
        fields = ["title", "body_html", "publish_mode", "scheduled_at"]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
    mode = forms.ChoiceField(
        label=_("Import mode"),
        choices=[("append", _("Append to the existing rows")), ("replace", _("Replace the existing rows"))],
        initial="append",
        widget=forms.RadioSelect,
    )


class AttachmentForm(forms.Form):
    attachments = attachments_field()

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        if not files:
            raise ValidationError(_("Choose at least one file."))
        return files
