"""Upgrades stay safe: no new migration operation rewrites or locks a large table for long,
unless it was reviewed and added to the baseline (shezhi/backups/migration_baseline.txt)."""

from django.db import models
from django.db.migrations import operations as ops
from django.db.migrations.state import ProjectState

from shezhi.backups import migration_risks
from shezhi.backups.migration_risks import (
    WHY_CHECK,
    WHY_DATA,
    WHY_FK,
    WHY_INDEX,
    WHY_NOT_NULL,
    WHY_TYPE,
    find_risks,
    read_baseline,
)


def test_no_risky_migration_operation_outside_the_reviewed_baseline():
    new = [str(r) for r in find_risks() if r.key not in read_baseline()]
    assert not new, (
        "These migration operations would rewrite or lock an existing table for long on "
        "PostgreSQL. Use the safe form named after each (e.g. AddIndexConcurrently in a "
        "migration with atomic = False), or, once reviewed, add the line to "
        "shezhi/backups/migration_baseline.txt:\n" + "\n".join(new)
    )


def test_the_baseline_names_only_operations_that_exist():
    """A stale line would let a new operation of the same name through unseen."""
    assert read_baseline() <= {r.key for r in find_risks()}


# --- the rules, on a made-up model ----------------------------------------------------------


def _state() -> ProjectState:
    state = ProjectState()
    ops.CreateModel(
        "Visit",
        [
            ("id", models.BigAutoField(primary_key=True)),
            ("note", models.CharField(max_length=20, null=True)),
            ("hours", models.DecimalField(max_digits=5, decimal_places=1)),
        ],
    ).state_forwards("care", state)
    return state


def _why(op, *, created=()) -> list[str]:
    found = migration_risks.check_operation("care", "0009_x", 0, op, _state(), set(created))
    return [r.why for r in found]


INDEX = models.Index(fields=["note"], name="visit_note")


def test_index_and_constraints_on_an_existing_table_are_named():
    assert _why(ops.AddIndex("visit", INDEX)) == [WHY_INDEX]
    check = models.CheckConstraint(condition=models.Q(hours__gte=0), name="visit_hours")
    assert _why(ops.AddConstraint("visit", check)) == [WHY_CHECK]


def test_the_safe_forms_pass():
    from django.contrib.postgres.operations import AddConstraintNotValid, AddIndexConcurrently

    check = models.CheckConstraint(condition=models.Q(hours__gte=0), name="visit_hours")
    assert _why(AddIndexConcurrently("visit", INDEX)) == []
    assert _why(AddConstraintNotValid("visit", check)) == []


def test_a_table_created_in_the_same_migration_is_empty():
    assert _why(ops.AddIndex("visit", INDEX), created={"care_visit"}) == []


def test_field_changes_that_rewrite_or_scan():
    assert _why(ops.AlterField("visit", "note", models.CharField(max_length=20))) == [WHY_NOT_NULL]
    assert _why(ops.AlterField("visit", "note", models.TextField(null=True))) == [WHY_TYPE]
    assert _why(ops.AlterField("visit", "note", models.CharField(max_length=10, null=True))) == [
        WHY_TYPE
    ]
    new_hours = models.DecimalField(max_digits=7, decimal_places=2)
    assert _why(ops.AlterField("visit", "hours", new_hours)) == [WHY_TYPE]
    fk = models.ForeignKey("care.visit", null=True, on_delete=models.CASCADE)
    assert _why(ops.AddField("visit", "parent", fk)) == [WHY_FK]
    assert _why(ops.RunPython(ops.RunPython.noop)) == [WHY_DATA]


def test_quick_changes_pass():
    wider = models.CharField(max_length=40, null=True)
    assert _why(ops.AlterField("visit", "note", wider)) == []  # widening a varchar: metadata
    plain = models.IntegerField(default=0)
    assert _why(ops.AddField("visit", "count", plain)) == []  # constant default: no rewrite
    assert _why(ops.RemoveField("visit", "note")) == []
