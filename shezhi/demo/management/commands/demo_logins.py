"""`shezhi demo_logins`: print the demo accounts, one per role, and where to log in."""

from django.core.management.base import BaseCommand

from shezhi.demo import seeding


class Command(BaseCommand):
    help = "列出演示账号（每个角色一个）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url: str, **options) -> None:
        rows = seeding.demo_logins()
        if not rows:
            self.stdout.write("没有找到演示账号，请先运行 shezhi seed --scale demo")
            return
        headers = ("角色", "用户名", "密码", "所属单元")
        table = [headers, *[(r["role"], r["username"], r["password"], r["unit"]) for r in rows]]
        widths = [max(_width(row[i]) for row in table) for i in range(len(headers))]
        self.stdout.write(f"演示账号（统一密码 {seeding.DEMO_PASSWORD}），登录地址 {url}")
        for row in table:
            cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
            self.stdout.write("  " + "  ".join(cells).rstrip())


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
