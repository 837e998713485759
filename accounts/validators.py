import unicodedata

from django.core.exceptions import ValidationError
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

# GB 32100-2015 §4.3: the 18th character is a check over the first 17 (weights 3^i mod 31).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code_check(value: str) -> None:
    """The check character must match (run after the pattern check)."""
    if (
        len(value) == 18
        and all(c in CREDIT_CODE_ALPHABET for c in value)
        and credit_code_check_char(value[:17]) != value[17]
    ):
        raise ValidationError(
            _("The check character of this unified social credit code is wrong: please check the code."),
            code="credit_code_check",
        )


def _script(char: str) -> str:
    # The first word of a letter's Unicode name is its script: LATIN, CYRILLIC, GREEK, CJK…
    return unicodedata.name(char, "").split(" ", 1)[0]


def validate_username_script(value: str) -> None:
    """A new account name uses one script: "dеmo-finance" with a Cyrillic е looks like
    "demo-finance" on every screen (digits and punctuation go with any script)."""
    scripts = {_script(c) for c in value if c.isalpha()}
    if len(scripts) > 1:
        raise ValidationError(
            _("The account mixes letters of different scripts (such as Latin and Cyrillic): use one."),
            code="username_scripts",
        )
