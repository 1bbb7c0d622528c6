"""Times said the way a person says them ("明天上午 8:00", "12月4日 周五 08:00", "2 小时 5 分钟").
Pure: no Django import; the caller passes a local (Asia/Shanghai) time and today's local date."""

from datetime import date, datetime

WEEKDAYS = "一二三四五六日"
NEAR_DAYS = {-1: "昨天", 0: "今天", 1: "明天", 2: "后天"}


def day_part(hour: int) -> str:
    if hour < 6:
        return "凌晨"
    if hour < 12:
        return "上午"
    if hour < 13:
        return "中午"
    if hour < 18:
        return "下午"
    return "晚上"


def plain_datetime(local: datetime, today: date) -> str:
    """Near days by name with a 12-hour clock ("明天上午 8:00", "今天下午 2:30"); other days by date
    and weekday with a 24-hour clock ("12月4日 周五 08:00"), the year only when it is not this
    year's."""
    days = (local.date() - today).days
    if days in NEAR_DAYS:
        hour12 = local.hour if local.hour <= 12 else local.hour - 12
        return f"{NEAR_DAYS[days]}{day_part(local.hour)} {hour12}:{local.minute:02d}"
    year = f"{local.year}年" if local.year != today.year else ""
    return (
        f"{year}{local.month}月{local.day}日 周{WEEKDAYS[local.weekday()]} "
        f"{local.hour:02d}:{local.minute:02d}"
    )


def plain_duration(minutes: int) -> str:
    """125 → "2 小时 5 分钟", 120 → "2 小时", 5 → "5 分钟", 0 → "0 分钟"."""
    hours, rest = divmod(max(0, minutes), 60)
    if hours and rest:
        return f"{hours} 小时 {rest} 分钟"
    if hours:
        return f"{hours} 小时"
    return f"{rest} 分钟"
