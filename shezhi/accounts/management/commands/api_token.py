"""`shezhi api_token <username>`: issue an API bearer token and print it once."""

from django.core.management.base import BaseCommand, CommandError

from shezhi.accounts.models import User
from shezhi.accounts.services import api_token_create
from shezhi.core.errors import DomainError


class Command(BaseCommand):
    help = "为用户签发接口令牌（只显示一次）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行签发", help="令牌名称")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"未找到用户：{options['username']}")
        try:
            _token, raw = api_token_create(user=user, name=options["name"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(raw)
