"""The named people of every ownership test.

Community A: Alice is its social worker, Bob and Erin its volunteers (Erin in the repair team),
Dora a resident with an account, Gina its grid worker, Sam the street's supervisor.
Community B (another street): Charlie is its social worker, the outsider who must be refused.
"""

import fcntl
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import management
from django.db import connection
from django.test import override_settings
from django.utils import translation

from shezhi.accounts.models import Role, User
from shezhi.accounts.tests.factories import UserFactory
from shezhi.org.models import OrgUnit, PartnerOrganisation
from shezhi.org.tests.factories import PartnerFactory, make_tree
from shezhi.people.models import Resident
from shezhi.people.tests.factories import ResidentFactory
from shezhi.volunteers.models import SkillTag, Team, Volunteer
from shezhi.volunteers.tests.factories import TeamFactory, VolunteerFactory, add_member


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A transactional test must restore the migrated data it flushes (serialized_rollback):
    otherwise the next test that does restore it finds rows (content types) already there.
    Also restores the schemathesis tests' ids (below), and applies xdist_group under --dist
    loadgroup, which pytest-xdist 3.8 fails to do with pytest 9 (it sets `item._nodeid`, which
    pytest 9 no longer reads): the group's name is appended to each test's id
    (`…::test@group`), as xdist would, so its tests share a worker."""
    for item in items:
        # schemathesis names each operation's test `test…[GET /api/v1/…]`, but under pytest 9
        # its id drops the bracket, so all of them share one id: xdist's loadgroup scheduler
        # (keyed by id) then ran one operation and silently dropped the rest. Give the id back.
        params = item.name.partition("[")[2].removesuffix("]")
        if params and "[" not in item.nodeid:
            item._id = item._id.with_params(params)
    shared = [nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1]
    if shared:
        raise pytest.UsageError(f"tests share an id, so xdist would run only one: {shared[:3]}")
    if getattr(config.option, "loadgroup", False):
        for item in items:
            names = {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
            if names and "@" not in item.nodeid:
                item._id = type(item._id).parse(f"{item.nodeid}@{'_'.join(sorted(names))}")
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(f"{item.nodeid}: add serialized_rollback=True to django_db")


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a page served in English to an earlier test
    leaves English active in this thread, which would leak into text rendered outside a request."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _tasks_done_within_their_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The runs a test queued finish within it (retries waiting out a backoff excepted): a
    stand-in runs them in the sending thread where a thread could not (see StandInRunner), and
    the threads of a transactional test on PostgreSQL are waited for before the next test."""
    from shezhi.core import tasks
    from shezhi.core.tests.runners import StandInRunner

    monkeypatch.setattr(tasks, "in_process", StandInRunner(tasks.in_process))
    yield
    tasks.in_process.wait_idle(timeout=30, retries=False)


@pytest.fixture(autouse=True)
def _postgres_only(request):
    """Tests marked postgres_only need real concurrent transactions; SQLite serialises writers."""
    if request.node.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are exercised on PostgreSQL")


def pytest_configure(config: pytest.Config) -> None:
    """With --reuse-db the SQLite test database lives in a file under var/ (one per xdist worker,
    suffixed _gw0, _gw1 …) so the next run skips the migrations; without it, as in CI, it stays
    in memory and is built fresh. Two runs at once in one checkout must not pass --reuse-db.
    Under xdist the controller names the run, so that its workers share one migrated template."""
    if config.getoption("reuse_db", default=False):
        db = django_settings.DATABASES["default"]
        if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
            db.setdefault("TEST", {})["NAME"] = str(django_settings.VAR_DIR / "test.sqlite3")
    controller = not hasattr(config, "workerinput")
    if controller and config.getoption("numprocesses", default=None):
        config.option.testrunuid = config.getoption("testrunuid", default=None) or uuid.uuid4().hex
        if _in_memory_sqlite() and not config.getoption("collectonly", default=False):
            _start_template_build(_template_path(config.option.testrunuid), config.rootpath)


def _in_memory_sqlite() -> bool:
    db = django_settings.DATABASES["default"]
    return db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME")


def _template_path(run: str) -> Path:
    return Path(tempfile.gettempdir()) / f"shezhi-test-db-{run}.sqlite3"


# Run by the xdist controller in a process of its own: migrate an in-memory database exactly as a
# worker's test database is migrated, and leave a copy at argv[1] (or the error at .failed).
_BUILD_TEMPLATE = """
import sqlite3, sys, traceback
from contextlib import closing
from pathlib import Path

template = Path(sys.argv[1])
try:
    import django
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = ":memory:"
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    part = template.with_suffix(".part")
    with closing(sqlite3.connect(part)) as target:
        connection.connection.backup(target)
    part.rename(template)
except BaseException:
    template.with_suffix(".failed").write_text(traceback.format_exc())
    raise
"""


_builders: list[subprocess.Popen] = []


def _start_template_build(template: Path, root: Path) -> None:
    """Workers spend their first ~15 s collecting; meanwhile a process of the controller's
    migrates the template they copy, instead of one worker migrating after its collection while
    the others wait with a core idle (see django_db_modify_db_settings)."""
    template.with_suffix(".building").touch()
    _builders.append(
        subprocess.Popen(
            [sys.executable, "-c", _BUILD_TEMPLATE, str(template)],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )


def _await_template(template: Path, timeout: float = 600) -> bool:
    """True once the controller's build has left the template; False if none was started or
    it failed (the caller then migrates itself, as before)."""
    if not template.with_suffix(".building").exists():
        return template.exists()
    deadline = time.monotonic() + timeout
    while not template.exists():
        if template.with_suffix(".failed").exists() or time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def pytest_unconfigure(config: pytest.Config) -> None:
    """The controller removes the run's template database (see django_db_modify_db_settings)."""
    for builder in _builders:  # still running only if the run ended early
        builder.kill()
        builder.wait()
    run = config.getoption("testrunuid", default=None)
    if run and not hasattr(config, "workerinput"):
        for suffix in (".sqlite3", ".lock", ".building", ".failed", ".part"):
            _template_path(run).with_suffix(suffix).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings: None) -> Iterator[None]:
    """Migrations cost ~18 s of CPU; under xdist each worker would run them on its own in-memory
    SQLite database. Instead the controller's build (_start_template_build) leaves a migrated
    copy (a file named after the run), or, if it failed, the first worker migrates and leaves
    it; the workers copy that file into their own in-memory database. Only the test database's
    migrate is replaced, and only for in-memory SQLite under xdist."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not (run and _in_memory_sqlite()):
        yield
        return
    original = management.call_command
    template = _template_path(run)

    def migrate_once_per_run(name, *args, **kwargs):
        if name != "migrate":
            return original(name, *args, **kwargs)
        management.call_command = original  # later migrate calls (tests) run for real
        connection.ensure_connection()
        with open(template.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # the others wait while the first one migrates
            if _await_template(template):
                with closing(sqlite3.connect(template)) as source:
                    source.backup(connection.connection)
                return None
            result = original(name, *args, **kwargs)
            part = template.with_suffix(".part")
            with closing(sqlite3.connect(part)) as target:
                connection.connection.backup(target)
            part.rename(template)
            return result

    management.call_command = migrate_once_per_run
    try:
        yield
    finally:
        management.call_command = original


@pytest.fixture(scope="session", autouse=True)
def _fast_and_private_test_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Once per session (per xdist worker): a fast password hasher (the real one spends ~0.1 s a
    user) and uploads in this worker's own temporary folder, not in the developer's var/media."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
    ):
        yield


@dataclass
class World:
    a: dict[str, OrgUnit]
    b: dict[str, OrgUnit]
    alice: User
    charlie: User
    gina: User
    sam: User
    admin: User
    bob: User
    bob_volunteer: Volunteer
    erin: User
    erin_volunteer: Volunteer
    team: Team
    dora: User
    dora_resident: Resident
    resident_b: Resident
    partner: PartnerOrganisation
    partner_user: User


@pytest.fixture
def world(db) -> World:
    a, b = make_tree("A"), make_tree("B")
    repair = SkillTag.objects.get(code="repair")
    bob_v = VolunteerFactory(community=a["community"], skills=[repair], name="鲍勃")
    erin_v = VolunteerFactory(community=a["community"], name="艾琳")
    team = TeamFactory(community=a["community"], name="维修服务队", leader=erin_v)
    add_member(team, erin_v)
    dora = UserFactory(role=Role.RESIDENT, unit=a["community"], username="dora")
    dora_resident = ResidentFactory(grid=a["grid"], user=dora, name="朵拉")
    partner = PartnerFactory(unit=a["street"])
    return World(
        a=a,
        b=b,
        alice=UserFactory(role=Role.SOCIAL_WORKER, unit=a["community"], username="alice"),
        charlie=UserFactory(role=Role.SOCIAL_WORKER, unit=b["community"], username="charlie"),
        gina=UserFactory(role=Role.GRID_WORKER, unit=a["grid"], username="gina"),
        sam=UserFactory(role=Role.SUPERVISOR, unit=a["street"], username="sam"),
        admin=UserFactory(role=Role.SYSTEM_ADMIN, username="root"),
        bob=bob_v.user,
        bob_volunteer=bob_v,
        erin=erin_v.user,
        erin_volunteer=erin_v,
        team=team,
        dora=dora,
        dora_resident=dora_resident,
        resident_b=ResidentFactory(grid=b["grid"]),
        partner=partner,
        partner_user=UserFactory(role=Role.PARTNER, unit=a["street"], partner=partner),
    )


@pytest.fixture(autouse=True)
def _declared_errors_only():
    """Every domain error an API test provokes must be one its operation declares in the
    OpenAPI schema (`@raises(...)` on the handler): an undeclared code fails the test."""
    from shezhi.api.errors import UNDECLARED

    UNDECLARED.clear()
    yield
    undeclared = sorted(set(UNDECLARED))
    UNDECLARED.clear()
    assert not undeclared, f"operations answered error codes they do not declare: {undeclared}"
