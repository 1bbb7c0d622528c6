#!/usr/bin/env bash
# The backup drill: on a throwaway PostgreSQL cluster, load the demo community, issue proofs and
# upload a file; `shezhi backup`; destroy the database and the uploaded files; `shezhi restore`;
# then check against the state before: rows of every table, the audit log's digest, every
# proof's signature and file hash, and the uploaded file's bytes. A damaged copy of the backup
# must be refused. Exits non-zero on any difference.
# Usage: scripts/backup_drill.sh   (PY=path/to/python to use another interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SHEZHI_DRILL_INSIDE:-}" ]; then
  exec env SHEZHI_DRILL_INSIDE=1 bash scripts/with-postgres.sh bash "$0" "$@"
fi
PY=${PY:-.venv/bin/python}
work=$(mktemp -d /tmp/shezhi-drill.XXXXXX)
trap 'rm -rf "$work"' EXIT
export SHEZHI_VAR_DIR=$work/var SHEZHI_BACKUP_DIR=$work/backups
export SHEZHI_PG_BIN=${SHEZHI_PG_BIN:-/usr/lib/postgresql/15/bin}
export PYTHONPATH=$PWD DJANGO_SETTINGS_MODULE=shezhi.settings
shezhi() { "$PY" manage.py "$@" 2> >(grep -v -e 'W04[07]' -e HINT -e '^WARNINGS:$' -e '^System check' -e '^$' >&2); }
step() { echo "==> $*"; }

step "demo community on PostgreSQL"
shezhi migrate -v0
shezhi seed --scale demo --seed 2026 >/dev/null
step "proofs for five volunteers, one uploaded file"
shezhi shell -c '
from django.utils import timezone
from shezhi.proofs.services import proof_issue
from shezhi.volunteers.models import ServiceRecord, Volunteer
counted = ServiceRecord.objects.filter(status=ServiceRecord.Status.COUNTED)
today = timezone.localdate()
ids = counted.filter(service_date__lte=today, volunteer__user__isnull=False).values("volunteer")
for v in Volunteer.objects.filter(pk__in=ids).select_related("user").order_by("pk")[:5]:
    first = counted.filter(volunteer=v).order_by("service_date").first().service_date
    print(proof_issue(actor=v.user, date_from=first, date_to=today).proof_no)
'
mkdir -p "$SHEZHI_VAR_DIR/media/activities/summaries"
head -c 200000 /dev/urandom > "$SHEZHI_VAR_DIR/media/activities/summaries/drill.jpg"
photo_sum=$(sha256sum < "$SHEZHI_VAR_DIR/media/activities/summaries/drill.jpg")
shezhi backup_state --without-restores > "$work/before.json"

step "backup"
start=$(date +%s)
shezhi backup
echo "    ($(($(date +%s) - start)) s)"
folder=$(ls -d "$SHEZHI_BACKUP_DIR"/shezhi-backup-*)

step "destroy the database and the uploaded files"
PGOPTIONS="-c client_min_messages=warning" "$SHEZHI_PG_BIN/psql" -q "$DATABASE_URL" -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
rm -rf "$SHEZHI_VAR_DIR/media"

step "a damaged copy is refused"
cp -r "$folder" "$work/damaged"
printf 'X' | dd of="$work/damaged/database.dump" bs=1 seek=1000 conv=notrunc status=none
if shezhi restore --force "$work/damaged" 2>"$work/damaged.err"; then
  echo "FAIL: a damaged backup was restored"; exit 1
fi
grep -q "database.dump：SHA-256 校验值不符" "$work/damaged.err" && echo "    refused: $(tail -1 "$work/damaged.err")"

step "restore"
start=$(date +%s)
shezhi restore --by admin "$folder"
echo "    ($(($(date +%s) - start)) s)"

step "compare with the state before"
shezhi backup_state --without-restores > "$work/after.json"
"$PY" - "$work/before.json" "$work/after.json" <<'PYEOF'
import json, sys
before, after = (json.load(open(p)) for p in sys.argv[1:])
assert before["proofs"] >= 1, "the drill issued no proof"
problems = [f"{t}: {before['tables'].get(t)} -> {after['tables'].get(t)}"
            for t in sorted(set(before["tables"]) | set(after["tables"]))
            if before["tables"].get(t) != after["tables"].get(t)]
if before["audit_digest"] != after["audit_digest"]:
    problems.append("audit log digest differs")
if after["restores"] != before["restores"] + 1:
    problems.append("the restore wrote no audit event of its own")
if after["proof_failures"] or after["proofs"] != before["proofs"]:
    problems.append(f"proofs: {before['proofs']} verified before, {after['proofs']} after, "
                    f"failing {after['proof_failures']}")
if problems:
    sys.exit("FAIL:\n" + "\n".join(problems))
rows = sum(after["tables"].values())
print(f"    {len(after['tables'])} tables, {rows} rows, audit log identical (and the restore "
      "audited), "
      f"{after['proofs']} proofs verified")
PYEOF
[ "$(sha256sum < "$SHEZHI_VAR_DIR/media/activities/summaries/drill.jpg")" = "$photo_sum" ]
echo "    uploaded file restored byte for byte"
echo "backup drill passed"
