"""Check digits for the codes people type: USCC (GB 32100-2015)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def normalize_uscc(value: str) -> str:
    return stdnum_uscc.compact(value or "")


def validate_uscc(value: str) -> None:
    """Raise a message that says exactly what is wrong and where (1-based positions)."""
    code = normalize_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; “%(code)s” has %(n)d.") % {"code": code, "n": len(code)},
            code="uscc_length",
        )
    for position, char in enumerate(code, start=1):
        if char not in USCC_ALPHABET:
            raise ValidationError(
                _("Character %(pos)d (“%(char)s”) is not allowed in a unified social credit code "
                  "(digits and capital letters except I, O, S, V, Z).") % {"pos": position, "char": char},
                code="uscc_character",
            )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3–8 of a unified social credit code are the registration region code and must be digits."),
            code="uscc_region",
        )
    expected = stdnum_uscc.calc_check_digit(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("Character 18 is the check character: it should be “%(expected)s”, not “%(given)s” — "
              "one of the first 17 characters is probably mistyped.") % {"expected": expected, "given": code[17]},
            code="uscc_checksum",
        )
