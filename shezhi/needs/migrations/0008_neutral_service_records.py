"""Records of completed orders carried the resident's words (the need's title) and the worker's
note; they leave the platform on proofs and in exports. Rewrite them to the category and the
neutral description that need_complete now writes (the formulas of shezhi.core.neutral, frozen
here), and the place to the community instead of the resident's address."""

from django.db import migrations

BATCH = 500


def _title(category: str) -> str:
    name = (category or "").strip()
    if not name or name == "其他":
        return "社区志愿服务"
    return name if name.endswith("服务") else f"{name}服务"


def neutralise(apps, schema_editor):
    Need = apps.get_model("needs", "Need")
    ServiceRecord = apps.get_model("volunteers", "ServiceRecord")
    records = ServiceRecord.objects.filter(source__startswith="need:").order_by("pk")
    last = 0
    while True:
        batch = list(records.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        ids = {int(r.source[5:]) for r in batch if r.source[5:].isdigit()}
        needs = {
            n.pk: (n.category.name, n.community.name)
            for n in Need.objects.filter(pk__in=ids).select_related("category", "community")
        }
        for record in batch:
            found = needs.get(int(record.source[5:])) if record.source[5:].isdigit() else None
            category, community = found or ("", record.place)
            record.category = category
            record.title = _title(category)
            record.content = f"为社区居民提供{_title(category)}"
            record.place = community
        ServiceRecord.objects.bulk_update(batch, ["category", "title", "content", "place"])


class Migration(migrations.Migration):
    dependencies = [
        ("needs", "0007_resident_service_catalogue"),
        ("volunteers", "0007_service_record_category"),
    ]

    operations = [migrations.RunPython(neutralise, migrations.RunPython.noop)]
