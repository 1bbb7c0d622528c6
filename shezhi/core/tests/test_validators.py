from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shezhi.core.validators import (
    InvalidValue,
    compose_id_number,
    gender_from_id,
    id_check_char,
    validate_id_number,
    validate_mobile,
)

TODAY = date(2026, 12, 3)
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
areas = st.from_regex(r"[1-6]\d{5}", fullmatch=True)
sequences = st.integers(min_value=0, max_value=999)


@pytest.mark.parametrize("value", ["11010519491231002X", "360426199101010071"])
def test_known_good_id_numbers_pass(value):
    assert validate_id_number(value, today=TODAY) == value


def test_lower_case_x_and_spaces_are_normalised():
    assert validate_id_number(" 11010519491231002x ", today=TODAY) == "11010519491231002X"


@given(areas, births, sequences)
def test_every_composed_id_number_validates(area, born, seq):
    number = compose_id_number(area, born, seq)
    assert validate_id_number(number, today=date(2026, 1, 1)) == number
    assert gender_from_id(number) == ("M" if seq % 2 else "F")


@given(areas, births, sequences, st.sampled_from("0123456789X"))
def test_any_wrong_check_character_is_refused(area, born, seq, wrong):
    number = compose_id_number(area, born, seq)
    if wrong == number[-1]:
        return
    with pytest.raises(InvalidValue, match="校验位"):
        validate_id_number(number[:-1] + wrong, today=date(2026, 1, 1))


@given(areas, births, sequences, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_a_single_changed_digit_is_caught(area, born, seq, position, delta):
    number = compose_id_number(area, born, seq)
    changed = str((int(number[position]) + delta) % 10)
    tampered = number[:position] + changed + number[position + 1 :]
    with pytest.raises(InvalidValue):
        validate_id_number(tampered, today=date(2026, 1, 1))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "18位"),
        ("1101051949123100", "18位"),
        ("11010519491231002A", "前17位应为数字"),
        ("110105194902300021", "出生日期不存在"),
        ("110105209912310028", "出生日期不合理"),
    ],
)
def test_bad_id_numbers_say_what_is_wrong(value, message):
    with pytest.raises(InvalidValue, match=message):
        validate_id_number(value, today=TODAY)


def test_check_char_uses_the_standard_weights():
    assert id_check_char("11010519491231002") == "X"


@pytest.mark.parametrize(
    "value", ["13812345678", "+8613812345678", "138 1234 5678", "8619912345678"]
)
def test_good_mobiles_are_normalised(value):
    assert validate_mobile(value) in {"13812345678", "19912345678"}


@pytest.mark.parametrize("value", ["", "12812345678", "1381234567", "138123456789", "abc"])
def test_bad_mobiles_are_refused(value):
    with pytest.raises(InvalidValue, match="手机号码"):
        validate_mobile(value)
