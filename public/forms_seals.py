from django import forms
from django.utils.translation import gettext_lazy as _


class SealedPdfForm(forms.Form):
    MAX_BYTES = 20 * 1024 * 1024

    file = forms.FileField(
        label=_("Sealed PDF"), help_text=_("The 签章版 PDF downloaded from a notice's page.")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        data = upload.read()
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError(_("The file is not a PDF."))
        return data
