"""Migration operations that would rewrite or lock a large table for long on PostgreSQL.

An upgrade runs `shezhi migrate` while (or just before) the platform serves; an operation that
rewrites a table of millions of rows, or holds a lock that blocks writes while it builds an index
or checks every row, stops the ledger for minutes. This walks every migration in order, with the
model state as it was just before each operation, and names those operations on tables that
already existed (a table created in the same migration is empty, so anything on it is quick).

`shezhi migration_risks` prints them; a test compares them with the reviewed baseline
(migration_baseline.txt), so a new risky operation is seen before it ships.
"""

from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import models
from django.db.migrations import operations as ops
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

BASELINE = Path(__file__).with_name("migration_baseline.txt")

# Reference tables that stay small (hundreds of rows at most): anything on them is quick.
SMALL_TABLES = frozenset(
    {
        "org_orgunit",
        "org_station",
        "needs_needcategory",
        "needs_urgencylevel",
        "people_vulnerabilitytag",
        "volunteers_skilltag",
        "volunteers_holiday",
    }
)

WHY_INDEX = "CREATE INDEX blocks writes while it builds: use AddIndexConcurrently (atomic=False)"
WHY_UNIQUE = "a unique index blocks writes while it builds: build it concurrently first"
WHY_CHECK = "checking every row holds an exclusive lock: AddConstraintNotValid + ValidateConstraint"
WHY_NOT_NULL = "SET NOT NULL scans the whole table under an exclusive lock"
WHY_TYPE = "changing the column's type rewrites the whole table under an exclusive lock"
WHY_DATA = "a data migration touches existing rows: time it on a copy of production"
WHY_FK = "a foreign key is validated and indexed on every row"


@dataclass(frozen=True)
class Risk:
    app: str
    migration: str
    index: int  # the operation's position in its migration
    operation: str
    table: str
    why: str

    @property
    def key(self) -> str:
        """How the baseline names it (stable while the migration keeps its name)."""
        return f"{self.app}.{self.migration}#{self.index} {self.operation} {self.table}"

    def __str__(self) -> str:
        return f"{self.key}: {self.why}"


def _table(state: ProjectState, app: str, model: str) -> str:
    model_state = state.models[(app, model.lower())]
    return str(model_state.options.get("db_table") or f"{app}_{model_state.name_lower}")


def _type_changed(old: models.Field, new: models.Field) -> bool:
    """A change PostgreSQL cannot make in place. Widening a varchar is metadata only."""
    if old.get_internal_type() != new.get_internal_type():
        return True
    if isinstance(old, models.CharField) and isinstance(new, models.CharField):
        return (new.max_length or 0) < (old.max_length or 0)
    if isinstance(old, models.DecimalField) and isinstance(new, models.DecimalField):
        return (old.max_digits, old.decimal_places) != (new.max_digits, new.decimal_places)
    return False


def _indexed(field: models.Field) -> bool:
    return bool(field.unique or field.db_index) and not field.primary_key


def _field_risk(op: Operation, state: ProjectState, app: str) -> str | None:
    if isinstance(op, ops.AddField):
        if op.field.is_relation and op.field.many_to_many:
            return None  # a new, empty join table
        if op.field.is_relation:
            return WHY_FK
        if _indexed(op.field):
            return WHY_UNIQUE if op.field.unique else WHY_INDEX
        return None  # PostgreSQL ≥ 11 adds a column with a constant default without a rewrite
    if isinstance(op, ops.AlterField):
        old = state.models[(app, op.model_name_lower)].fields[op.name]
        new = op.field
        if _type_changed(old, new):
            return WHY_TYPE
        if old.null and not new.null:
            return WHY_NOT_NULL
        if new.unique and not old.unique:
            return WHY_UNIQUE
        if _indexed(new) and not _indexed(old):
            return WHY_INDEX
        if new.is_relation and not old.is_relation:
            return WHY_FK
    return None


# django.contrib.postgres's safe forms subclass AddIndex / AddConstraint; named here so that
# this module does not need the PostgreSQL driver.
SAFE_FORMS = frozenset({"AddIndexConcurrently", "AddConstraintNotValid", "ValidateConstraint"})


def _risk(op: Operation, state: ProjectState, app: str) -> str | None:
    if type(op).__name__ in SAFE_FORMS:
        return None
    if isinstance(op, ops.AddIndex):
        return WHY_INDEX
    if isinstance(op, ops.AddConstraint):
        return WHY_UNIQUE if isinstance(op.constraint, models.UniqueConstraint) else WHY_CHECK
    if isinstance(op, ops.AlterUniqueTogether | ops.AlterIndexTogether):
        return WHY_UNIQUE if isinstance(op, ops.AlterUniqueTogether) else WHY_INDEX
    if isinstance(op, ops.RunPython | ops.RunSQL):
        return WHY_DATA
    return _field_risk(op, state, app)


def _model_of(op: Operation) -> str | None:
    name = getattr(op, "model_name", None) or getattr(op, "name", None)
    if isinstance(op, ops.RunPython | ops.RunSQL):
        return None
    return str(name) if name else None


def _plan(loader: MigrationLoader) -> list[tuple[str, str]]:
    plan: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for node in loader.graph.forwards_plan(leaf):
            if node not in seen:
                seen.add(node)
                plan.append(node)
    return plan


def _database_side(op: Operation) -> list[Operation]:
    """What runs on the database: the database side of SeparateDatabaseAndState."""
    if isinstance(op, ops.SeparateDatabaseAndState):
        return list(op.database_operations)
    return [op]


def find_risks(app_prefix: str = "shezhi.") -> list[Risk]:
    """Every risky operation of the project's migrations, in the order they run."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)  # files only
    ours = {
        label
        for label, config in ((c.label, c.name) for c in apps.get_app_configs())
        if config.startswith(app_prefix)
    }
    state = ProjectState(real_apps=loader.unmigrated_apps)
    found: list[Risk] = []
    for app, name in _plan(loader):
        migration = loader.graph.nodes[(app, name)]
        created: set[str] = set()  # tables created in this migration: still empty
        for index, op in enumerate(migration.operations):
            if app in ours:
                for inner in _database_side(op):
                    found += check_operation(app, name, index, inner, state, created)
            op.state_forwards(app, state)
    return found


def check_operation(
    app: str, name: str, index: int, op: Operation, state: ProjectState, created: set[str]
) -> list[Risk]:
    """The risk of one operation against the state just before it (none on a table created in
    the same migration, or on a small reference table)."""
    if isinstance(op, ops.CreateModel):
        created.add(
            f"{app}_{op.name_lower}" if not op.options.get("db_table") else op.options["db_table"]
        )
        return []
    why = _risk(op, state, app)
    if why is None:
        return []
    model = _model_of(op)
    table = _table(state, app, model) if model and (app, model.lower()) in state.models else "*"
    if table in created or table in SMALL_TABLES:
        return []
    return [Risk(app, name, index, type(op).__name__, table, why)]


def read_baseline(path: Path = BASELINE) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return {line.split(": ", 1)[0] for line in lines if line and not line.startswith("#")}
