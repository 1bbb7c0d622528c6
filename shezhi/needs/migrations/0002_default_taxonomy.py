"""The default taxonomy: skills, need categories and urgency levels (all editable later)."""

from django.db import migrations

SKILLS = [
    ("daily_care", "生活照料"), ("meal_delivery", "助餐送餐"), ("medical", "医疗护理"),
    ("counselling", "心理咨询"), ("legal", "法律服务"), ("policy", "政策咨询"),
    ("repair", "家电维修"), ("cleaning", "清洁卫生"), ("mediation", "调解"),
    ("child_care", "儿童陪伴辅导"), ("employment", "就业指导"), ("companionship", "陪伴探访"),
]

# code, name, skill codes
CATEGORIES = [
    ("daily_care", "生活照料", ["daily_care", "companionship"]),
    ("meals", "助餐", ["meal_delivery"]),
    ("health", "医疗健康", ["medical"]),
    ("emotional", "心理慰藉", ["counselling", "companionship"]),
    ("legal_aid", "法律援助", ["legal"]),
    ("policy", "政策咨询", ["policy"]),
    ("repair", "家电维修", ["repair"]),
    ("sanitation", "环境卫生", ["cleaning"]),
    ("mediation", "矛盾调解", ["mediation"]),
    ("child_care", "儿童关爱", ["child_care"]),
    ("employment", "就业帮扶", ["employment"]),
    ("other", "其他", []),
]

# code, name, response hours, resolution hours
URGENCIES = [
    ("immediate", "急难愁盼·马上办", 2, 24),
    ("caring", "困难群众·贴心办", 24, 72),
    ("general", "一般", 48, 168),
]


def add_taxonomy(apps, schema_editor):
    Skill = apps.get_model("volunteers", "SkillTag")
    Category = apps.get_model("needs", "NeedCategory")
    Urgency = apps.get_model("needs", "UrgencyLevel")
    skills = {}
    for code, name in SKILLS:
        skills[code], _ = Skill.objects.get_or_create(code=code, defaults={"name": name})
    for order, (code, name, skill_codes) in enumerate(CATEGORIES):
        category, _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
        category.skills.set([skills[s] for s in skill_codes])
    for order, (code, name, response, resolution) in enumerate(URGENCIES):
        Urgency.objects.get_or_create(
            code=code,
            defaults={"name": name, "response_hours": response,
                      "resolution_hours": resolution, "sort_order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("needs", "0001_initial"), ("volunteers", "0001_initial")]
    operations = [migrations.RunPython(add_taxonomy, migrations.RunPython.noop)]
