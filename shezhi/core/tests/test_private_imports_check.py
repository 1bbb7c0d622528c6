"""scripts/check_private_imports.py, the static check that no module uses another's private names
(the whole tree is checked by scripts/test.sh; here: that it catches what it must)."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "check_private_imports.py"
spec = importlib.util.spec_from_file_location("check_private_imports", SCRIPT)
assert spec and spec.loader
checker = importlib.util.module_from_spec(spec)
spec.loader.exec_module(checker)


@pytest.fixture
def tree(tmp_path):
    """pkg/a/mod.py defines private and public names; tests write pkg/b/use.py."""
    for package in ("pkg", "pkg/a", "pkg/b"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "pkg/a/mod.py").write_text("def _hidden(): ...\ndef shown(): ...\n")

    def check(source: str, where: str = "pkg/b/use.py") -> list[str]:
        (tmp_path / where).write_text(source)
        return checker.check([tmp_path / "pkg"])

    return check


@pytest.mark.parametrize(
    "source",
    [
        "from pkg.a.mod import _hidden\n",
        "from pkg.a.mod import shown, _hidden as hidden\n",
        "from ..a.mod import _hidden\n",
        "from pkg.a import mod\nmod._hidden()\n",
        "import pkg.a.mod as mod\nmod._hidden()\n",
        "def f():\n    from pkg.a.mod import _hidden\n",
    ],
)
def test_private_names_of_another_module_are_refused(tree, source):
    (problem,) = tree(source)
    assert problem.startswith("pkg/b/use.py:") and "_hidden" in problem


@pytest.mark.parametrize(
    "source",
    [
        "from pkg.a.mod import shown\n",
        "from pkg.a import mod\nmod.shown()\n",
        "from django.utils.translation import gettext as _\n",
        "from pkg.a.mod import __doc__\n",
        "def _mine(): ...\n_mine()\n",
        "class A:\n    def _m(self): ...\n    def n(self):\n        self._m()\n",
    ],
)
def test_public_names_own_private_names_and_dunders_pass(tree, source):
    assert tree(source) == []


def test_a_module_may_use_its_own_private_names_through_its_package(tree):
    assert tree("from pkg.a.mod import _hidden\n", where="pkg/a/mod.py") == []


def test_the_command_fails_and_lists_each_problem(tree, tmp_path, capsys):
    tree("from pkg.a.mod import _hidden\n")
    assert checker.main([str(tmp_path / "pkg")]) == 1
    assert "imports private name _hidden from pkg.a.mod" in capsys.readouterr().out
