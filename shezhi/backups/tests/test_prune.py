"""`shezhi backup --prune` deletes what the retention knobs no longer keep, and nothing else."""

from shezhi.backups import manifest
from shezhi.backups.services import backup_prune


def test_prune_keeps_what_the_retention_knobs_say(settings, tmp_path):
    settings.SHEZHI_BACKUP_KEEP_DAILY, settings.SHEZHI_BACKUP_KEEP_WEEKLY = 2, 0
    settings.SHEZHI_BACKUP_KEEP_MONTHLY = 0
    names = [f"shezhi-backup-202612{d:02d}T020000Z" for d in (1, 2, 3)]
    for name in [*names, "not-a-backup"]:
        (tmp_path / name).mkdir()
        (tmp_path / name / manifest.MANIFEST).write_text("{}")
    pruned = backup_prune(within=tmp_path)
    assert [p.name for p in pruned] == [names[0]]
    assert {p.name for p in tmp_path.iterdir()} == {*names[1:], "not-a-backup"}
