"""Age in whole years on a given day. Pure: no Django.

Callers pass the day explicitly; "today" is always the Asia/Shanghai date
(`django.utils.timezone.localdate()`), never the server clock's `date.today()`.
"""

from datetime import date

ADULT_AGE = 18  # 民法典 第十七条: eighteen and over are adults


def age_on(birth_date: date, day: date) -> int:
    """Whole years lived on `day` (a 29 February birthday counts on 1 March)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_minor(birth_date: date, day: date) -> bool:
    return age_on(birth_date, day) < ADULT_AGE
