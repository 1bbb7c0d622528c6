"""Start-up refuses a production configuration without usable case-file keys."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from shezhi.cases import crypto


@register(Tags.security)
def case_keys_are_usable(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    if not settings.DEBUG and settings.SHEZHI_CASE_DEV_KEY_ALLOWED:
        errors.append(
            Error(
                "SHEZHI_CASE_DEV_KEY 不能在生产环境（SHEZHI_DEBUG 关闭）开启：个案档案须用"
                " SHEZHI_CASE_KEYS 中的密钥加密。",
                id="shezhi.cases.E002",
            )
        )
    for problem in crypto.key_problems():
        errors.append(
            Error(
                f"{problem}。平台拒绝启动，以免个案敏感信息以明文写入。",
                hint="生成密钥：python -c 'from cryptography.fernet import Fernet;"
                " print(Fernet.generate_key().decode())'",
                id="shezhi.cases.E001",
            )
        )
    return errors
