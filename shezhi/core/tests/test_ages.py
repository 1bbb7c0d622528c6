"""Age in whole years on a day (pure: no database)."""

from datetime import date

import pytest

from shezhi.core.ages import ADULT_AGE, age_on, is_minor


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(1956, 12, 4), date(2026, 12, 3), 69),  # the day before the birthday
        (date(1956, 12, 3), date(2026, 12, 3), 70),  # on the birthday
        (date(1956, 2, 29), date(2026, 2, 28), 69),  # a leap-day birthday counts on 1 March
        (date(1956, 2, 29), date(2026, 3, 1), 70),
        (date(2026, 12, 3), date(2026, 12, 3), 0),
    ],
)
def test_age_counts_whole_years_to_the_birthday(born, day, age):
    assert age_on(born, day) == age


def test_a_minor_until_the_eighteenth_birthday():
    born = date(2008, 12, 4)
    assert ADULT_AGE == 18
    assert is_minor(born, date(2026, 12, 3))
    assert not is_minor(born, date(2026, 12, 4))
