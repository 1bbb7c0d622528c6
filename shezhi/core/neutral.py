"""Neutral service descriptions for what leaves the platform (no Django import).

Proofs, the export to the national volunteer system, calendars and messages describe a service
by its category only ("为社区居民提供助餐服务"), never by the resident's words: those carry third
parties' names, ages, health and addresses. A description a worker edits is checked here for the
patterns that betray a person: a mobile or landline number, an ID number, an age, a surname with
a form of address (董阿姨, 王大爷), or a name the caller knows of (the resident's).
"""

import re
from collections.abc import Iterable

DESCRIPTION_CHARS = 100
GENERIC_CATEGORY = "其他"

_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<!\d)\d{15}(?!\d)")
_AGE = re.compile(r"\d{1,3}\s*(岁|周岁)")
_ADDRESS_NO = re.compile(r"\d+\s*(号楼|栋|单元|室|号)")
# A surname (one character) followed by a form of address: 董阿姨, 王大爷, 李奶奶, 张师傅.
_ADDRESSED = re.compile(
    r"[\u4e00-\u9fff](阿姨|大爷|大妈|大娘|奶奶|爷爷|婆婆|叔叔|伯伯|阿婆|阿公|老人家|师傅|女士|先生|同学)"
)


def public_title(category_name: str) -> str:
    """The service as a title that names no one: "助餐服务"."""
    name = (category_name or "").strip()
    if not name or name == GENERIC_CATEGORY:
        return "社区志愿服务"
    return name if name.endswith("服务") else f"{name}服务"


def neutral_description(category_name: str) -> str:
    """ "为社区居民提供助餐服务": what a record of this service says outside the platform."""
    return f"为社区居民提供{public_title(category_name)}"


def personal_data_in(text: str, names: Iterable[str] = ()) -> list[str]:
    """What in `text` looks like someone's personal data, as Chinese reasons (empty: none)."""
    found: list[str] = []
    if _MOBILE.search(text) or _LANDLINE.search(text):
        found.append("电话号码")
    if _ID_NUMBER.search(text):
        found.append("身份证号码")
    if _AGE.search(text):
        found.append("年龄")
    if _ADDRESS_NO.search(text):
        found.append("门牌地址")
    if _ADDRESSED.search(text) or any(n and len(n) >= 2 and n in text for n in names):
        found.append("姓名或称呼")
    return found
