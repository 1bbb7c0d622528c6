"""Password rules beyond Django's own (等级保护 2.0: no guessable passwords)."""

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class NotUsernameValidator:
    """Refuses a password that is, or contains, the account's user name (any case)."""

    def validate(self, password: str, user: Any = None) -> None:
        username = (getattr(user, "username", "") or "").strip().lower()
        if username and username in password.lower():
            raise ValidationError(
                _("密码不能包含用户名，请换一个别人猜不到的密码。"), code="password_has_username"
            )

    def get_help_text(self) -> str:
        return _("密码不能包含用户名。")


class NotAllDigitsValidator:
    """Refuses a password made only of digits (dates, phone numbers, 12345678)."""

    def validate(self, password: str, user: Any = None) -> None:
        if password.isdigit():
            raise ValidationError(
                _("密码不能全是数字，请加入字母或符号。"), code="password_all_digits"
            )

    def get_help_text(self) -> str:
        return _("密码不能全是数字。")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message (Django's own has no Chinese plural form)."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(n)d 个字符。") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少 %(n)d 个字符。") % {"n": self.min_length}
