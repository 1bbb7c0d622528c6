from decimal import Decimal

import pytest

from shezhi.core.hours import RoundingRule, service_hours
from shezhi.core.masking import mask_address, mask_id_number, mask_mobile, mask_name


def test_id_number_keeps_first_three_and_last_four():
    assert mask_id_number("11010519491231123X") == "110***********123X"


def test_mobile_keeps_first_three_and_last_four():
    assert mask_mobile("13812345678") == "138****5678"


def test_name_keeps_first_character():
    assert mask_name("张三丰") == "张**"


def test_short_values_are_fully_hidden_and_empty_stays_empty():
    assert mask_mobile("12345") == "*****"
    assert mask_id_number("") == ""


def test_address_hides_the_tail():
    assert mask_address("幸福小区3栋2单元501") == "幸福小区3栋****"


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [
        (0, "0"),
        (14, "0"),
        (15, "0.5"),
        (44, "0.5"),
        (45, "1"),
        (60, "1"),
        (74, "1"),
        (75, "1.5"),
        (105, "2"),
        (600, "10"),
    ],
)
def test_default_rounding_of_the_remainder(minutes, hours):
    assert service_hours(minutes) == Decimal(hours)


def test_regions_can_configure_the_rule():
    quarter_hours = RoundingRule(
        steps=((45, Decimal("0.75")), (30, Decimal("0.5")), (15, Decimal("0.25")))
    )
    assert service_hours(80, quarter_hours) == Decimal("1.25")


def test_negative_minutes_are_refused():
    with pytest.raises(ValueError):
        service_hours(-1)
