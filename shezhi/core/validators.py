"""Validators for Chinese identifiers. Pure: no Django import, so they are reusable anywhere.

Each returns the normalised value or raises InvalidValue with a Chinese message.
"""

import re
from datetime import date

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_RE = re.compile(r"^\d{17}[\dX]$")


class InvalidValue(ValueError):
    """A value that cannot be accepted; the message is shown to the person who typed it."""


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def birth_date_from_id(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def gender_from_id(id_number: str) -> str:
    """'M' or 'F': the 17th digit is odd for men."""
    return "M" if int(id_number[16]) % 2 else "F"


def validate_id_number(value: str, *, today: date) -> str:
    """Validate an 18-character resident identity card number (GB 11643-1999); `today` (the
    Asia/Shanghai date) bounds the birth date."""
    normalised = (value or "").strip().upper()
    if len(normalised) != 18:
        raise InvalidValue(f"身份证号码应为18位，当前为{len(normalised)}位")
    if not ID_RE.match(normalised):
        raise InvalidValue("身份证号码前17位应为数字，最后一位为数字或X")
    try:
        born = birth_date_from_id(normalised)
    except ValueError:
        raise InvalidValue("身份证号码中的出生日期不存在") from None
    if born.year < 1900 or born > today:
        raise InvalidValue("身份证号码中的出生日期不合理")
    if id_check_char(normalised[:17]) != normalised[17]:
        raise InvalidValue("身份证号码校验位错误，请核对后重新输入")
    return normalised


def validate_mobile(value: str) -> str:
    """Validate a mainland mobile number; an optional +86 / 86 prefix is dropped."""
    normalised = re.sub(r"[\s-]", "", value or "")
    if normalised.startswith("+86"):
        normalised = normalised[3:]
    elif len(normalised) == 13 and normalised.startswith("86"):
        normalised = normalised[2:]
    if not MOBILE_RE.match(normalised):
        raise InvalidValue("手机号码格式不正确，应为以1开头的11位数字")
    return normalised


def compose_id_number(area_code: str, born: date, sequence: int) -> str:
    """Build a valid ID number (for demo data and tests): the sequence's parity sets the gender."""
    first17 = f"{area_code}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_char(first17)
