"""The residents' service catalogue: 陪诊, 代购, 助洁, 助浴 added beside the existing categories,
and the nine shown as big tiles on the 点单 page, each with its icon. Existing databases and the
demo get them from here; a category an administrator renamed or disabled keeps its name."""

from django.db import migrations

# code, name, skill codes (only new categories are created; the others exist since 0002)
NEW_CATEGORIES = [
    ("escort", "陪诊", ["companionship", "medical"]),
    ("shopping", "代购", ["daily_care"]),
    ("home_cleaning", "助洁", ["cleaning"]),
    ("bathing", "助浴", ["daily_care"]),
]

# code -> icon, in the order of the tiles
TILES = [
    ("escort", "escort"),
    ("shopping", "shopping"),
    ("meals", "meals"),
    ("home_cleaning", "cleaning"),
    ("bathing", "bathing"),
    ("repair", "repair"),
    ("emotional", "heart"),
    ("policy", "policy"),
    ("other", "other"),
]
OTHER_ICONS = {"health": "health", "daily_care": "bathing", "sanitation": "cleaning"}


def add_catalogue(apps, schema_editor):
    Skill = apps.get_model("volunteers", "SkillTag")
    Category = apps.get_model("needs", "NeedCategory")
    taken = set(Category.objects.values_list("name", flat=True))
    for code, name, skill_codes in NEW_CATEGORIES:
        if Category.objects.filter(code=code).exists() or name in taken:
            continue
        category = Category.objects.create(code=code, name=name)
        category.skills.set(Skill.objects.filter(code__in=skill_codes))
    for order, (code, icon) in enumerate(TILES):
        Category.objects.filter(code=code).update(for_residents=True, icon=icon, sort_order=order)
    last = len(TILES)
    for order, category in enumerate(
        Category.objects.filter(for_residents=False).order_by("sort_order", "id"), start=last
    ):
        category.sort_order = order
        category.icon = category.icon or OTHER_ICONS.get(category.code, "")
        category.save(update_fields=["sort_order", "icon"])


def remove_catalogue(apps, schema_editor):
    Category = apps.get_model("needs", "NeedCategory")
    Category.objects.filter(
        code__in=[c for c, _n, _s in NEW_CATEGORIES], need__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("needs", "0006_category_resident_catalogue"),
        ("volunteers", "0001_initial"),
    ]
    operations = [migrations.RunPython(add_catalogue, remove_catalogue)]
