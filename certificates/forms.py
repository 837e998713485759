from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

MAX_CERTIFICATE_BYTES = 64 * 1024


class CertificateUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Certificate file"),
        help_text=_("A .cer, .crt or .pem file (DER or PEM), without the private key."),
        validators=[FileExtensionValidator(["cer", "crt", "pem", "der"])],
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CERTIFICATE_BYTES:
            raise forms.ValidationError(_("The file is too large to be a certificate."))
        return upload.read()
