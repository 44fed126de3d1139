"""统一社会信用代码 (unified social credit code) validation, GB 32100-2015.

18 characters from 0-9 and A-Y without I, O, S, V, Z. Positions 9-17 are the organisation
code of GB 11714 with its own check character at position 17; position 18 is the check
character of the whole code (weights 3^(i-1) mod 31).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(CHARSET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def _org_code_char_value(c: str) -> int:
    # GB 11714 values letters A..Z as 10..35, unlike the GB 32100 alphabet.
    return int(c) if c.isdigit() else ord(c) - ord("A") + 10


def credit_code_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """Return the GB 11714 check character for an organisation code's first 8 characters."""
    total = sum(_org_code_char_value(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def normalize_credit_code(value: str) -> str:
    return (value or "").strip().upper()


def is_valid_credit_code(value: str) -> bool:
    code = normalize_credit_code(value)
    if len(code) != 18 or any(c not in _VALUE for c in code):
        return False
    if not code[2:8].isdigit():  # administrative division code
        return False
    if org_code_check_char(code[8:16]) != code[16]:
        return False
    return credit_code_check_char(code[:17]) == code[17]


def validate_credit_code(value: str) -> None:
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="invalid_length",
            params={"n": len(code)},
        )
    if not is_valid_credit_code(code):
        raise ValidationError(
            _("“%(code)s” is not a valid unified social credit code: please check it against "
              "the business licence."),
            code="invalid_credit_code",
            params={"code": code},
        )
