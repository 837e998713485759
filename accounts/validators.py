from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

district_code_validator = RegexValidator(r"^\d{6}$", _("Enter a 6-digit administrative division code."))
mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number starting with 1.")
)
# GB 32100-2015: 18 characters from the digits and upper-case letters without I, O, Z, S, V.
credit_code_validator = RegexValidator(
    r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    _("Enter an 18-character unified social credit code."),
)
