"""Encryption at rest for the most sensitive parts of a case file.

Keys are Fernet keys from settings.SHEZHI_CASE_KEYS (the environment variable of the same name,
comma-separated): the first encrypts, every key decrypts, so a rotation adds a new key in front,
runs `shezhi rotate_case_keys`, then drops the old one. Only when
settings.SHEZHI_CASE_DEV_KEY_ALLOWED is on (development and tests) is a key derived from
SECRET_KEY when none is set; a production start without valid keys is refused by the system
check in `shezhi.cases.checks`, and any attempt to write or read an encrypted field without a
usable key raises instead of falling back to plain text.
"""

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class CaseKeyError(ImproperlyConfigured):
    """The case-file keys are missing, malformed or do not open a stored value."""


def _dev_key() -> str:
    digest = hashlib.sha256(b"shezhi-case-dev-key:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def configured_keys() -> list[str]:
    raw = settings.SHEZHI_CASE_KEYS or []
    if isinstance(raw, str):
        raw = raw.split(",")
    keys = [k.strip() for k in raw if k and k.strip()]
    if not keys and settings.SHEZHI_CASE_DEV_KEY_ALLOWED:
        keys = [_dev_key()]
    return keys


def key_problems() -> list[str]:
    """Why the configured keys cannot be used (empty when they can)."""
    keys = configured_keys()
    if not keys:
        return ["未设置个案加密密钥：请在环境变量 SHEZHI_CASE_KEYS 中配置 Fernet 密钥"]
    problems = []
    for i, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            problems.append(
                f"SHEZHI_CASE_KEYS 中第 {i} 个密钥格式错误（应为 32 字节 urlsafe-base64）"
            )
    return problems


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def fernet() -> MultiFernet:
    problems = key_problems()
    if problems:
        raise CaseKeyError("；".join(problems))
    return _fernet(tuple(configured_keys()))


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise CaseKeyError(
            "个案加密数据无法解密：SHEZHI_CASE_KEYS 中没有加密该数据的密钥（密钥错误或已被移除）"
        ) from None


def rotate(token: str) -> str:
    """The same plain text under the current (first) key."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise CaseKeyError(
            "个案加密数据无法解密：请把旧密钥保留在 SHEZHI_CASE_KEYS 中再轮换"
        ) from None


class EncryptedTextField(models.TextField):
    """Text encrypted on save and decrypted on load. The database holds only Fernet tokens;
    an empty value stays empty. It cannot be searched or filtered on, by design."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
