"""Check digits for the codes people type: USCC (GB 32100-2015) and resident ID numbers (GB 11643-1999).

ID numbers: check character, birth date and gender, with messages that say exactly what is wrong. The
birthplace prefix is not checked: stdnum's list of region codes lacks real counties (431202 鹤城区, 431281
洪江市 …), and a valid person must never be refused for it."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils import timezone
from stdnum.cn import ric
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



def normalize_id_number(value) -> str:
    return str(value or "").replace(" ", "").strip().upper()


def parse_id_number(value) -> tuple[datetime.date, str]:
    """(birth date, gender) of a valid ID number; ValidationError (message for the field) otherwise."""
    number = normalize_id_number(value)
    if len(number) != 18:
        raise ValidationError(_("A resident ID number has 18 characters; “%(number)s” has %(n)d.")
                              % {"number": number, "n": len(number)}, code="id_length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("A resident ID number is 17 digits followed by a digit or X."), code="id_format")
    try:
        birth = ric.get_birth_date(number)
    except Exception as exc:  # noqa: BLE001 - stdnum's InvalidComponent
        raise ValidationError(_("Characters 7–14 of the ID number (“%(date)s”) are not a valid date of birth.")
                              % {"date": number[6:14]}, code="id_birth_date") from exc
    if birth > timezone.localdate() or birth.year < 1900:
        raise ValidationError(_("Characters 7–14 of the ID number (“%(date)s”) are not a possible date of birth.")
                              % {"date": number[6:14]}, code="id_birth_date")
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise ValidationError(
            _("Character 18 is the check character: it should be “%(expected)s”, not “%(given)s” — "
              "one of the first 17 characters is probably mistyped.") % {"expected": expected, "given": number[17]},
            code="id_checksum")
    gender = "male" if int(number[16]) % 2 else "female"
    return birth, gender


def check_person(id_number, birth_date=None, gender=None) -> tuple[datetime.date, str]:
    """Validate an ID number and what was entered with it; {field: message} errors, all at once."""
    try:
        derived_birth, derived_gender = parse_id_number(id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from error
    errors = {}
    if birth_date and birth_date != derived_birth:
        errors["birth_date"] = _("The ID number says the date of birth is %(date)s.") % {"date": derived_birth.isoformat()}
    if gender and gender != derived_gender:
        errors["gender"] = (_("The ID number says this person is male (17th digit odd).") if derived_gender == "male"
                            else _("The ID number says this person is female (17th digit even)."))
    if errors:
        raise ValidationError(errors)
    return derived_birth, derived_gender


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
