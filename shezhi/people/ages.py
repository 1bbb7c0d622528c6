"""Whether 长辈模式 is on by default. Pure: no Django."""

from datetime import date

from shezhi.core.ages import age_on

ELDER_MODE_AGE = 70  # residents of 70 and over get 长辈模式 unless they switch it off


def elder_mode_default(birth: date | None, today: date) -> bool:
    return birth is not None and age_on(birth, today) >= ELDER_MODE_AGE
