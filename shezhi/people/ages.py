"""Age in whole years, and whether 长辈模式 is on by default. Pure: no Django."""

from datetime import date

ELDER_MODE_AGE = 70  # residents of 70 and over get 长辈模式 unless they switch it off


def age_on(birth: date, today: date) -> int:
    """Whole years lived on `today` (a 29 February birthday counts on 1 March)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def elder_mode_default(birth: date | None, today: date) -> bool:
    return birth is not None and age_on(birth, today) >= ELDER_MODE_AGE
