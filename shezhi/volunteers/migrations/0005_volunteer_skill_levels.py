"""Volunteers' skills get a level: the implicit join table becomes the `VolunteerSkill` through
model, keeping its rows (every existing skill gets the default level 3).

The first step only tells Django's state that the existing table `volunteers_volunteer_skills`
(columns id, volunteer_id, skilltag_id, unique together) is the through model; the following
ordinary operations then rename the table and the skill column, swap the unnamed unique-together
for a named constraint and add the level, so the same steps run on SQLite and PostgreSQL.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0004_record_volunteer_date"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="VolunteerSkill",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "volunteer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="skill_levels",
                                to="volunteers.volunteer",
                            ),
                        ),
                        (
                            "skill",
                            models.ForeignKey(
                                db_column="skilltag_id",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="volunteer_skills",
                                to="volunteers.skilltag",
                                verbose_name="技能",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "volunteers_volunteer_skills",
                        "unique_together": {("volunteer", "skill")},
                    },
                ),
                migrations.AlterField(
                    model_name="volunteer",
                    name="skills",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="volunteers",
                        through="volunteers.VolunteerSkill",
                        to="volunteers.skilltag",
                        verbose_name="专业技能",
                    ),
                ),
            ],
            database_operations=[],
        ),
        # From here on, ordinary operations that change the table on either database.
        migrations.AlterUniqueTogether(name="volunteerskill", unique_together=set()),
        migrations.AlterModelTable(name="volunteerskill", table=None),
        migrations.AlterField(
            model_name="volunteerskill",
            name="skill",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="volunteer_skills",
                to="volunteers.skilltag",
                verbose_name="技能",
            ),
        ),
        migrations.AddField(
            model_name="volunteerskill",
            name="level",
            field=models.PositiveSmallIntegerField(
                default=3,
                help_text="1（入门）至5（专家）",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(5),
                ],
                verbose_name="技能等级",
            ),
        ),
        migrations.AlterModelOptions(
            name="volunteerskill",
            options={
                "ordering": ["volunteer_id", "skill_id"],
                "verbose_name": "志愿者技能",
                "verbose_name_plural": "志愿者技能",
            },
        ),
        migrations.AddConstraint(
            model_name="volunteerskill",
            constraint=models.UniqueConstraint(
                fields=("volunteer", "skill"), name="volunteer_skill_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="volunteerskill",
            constraint=models.CheckConstraint(
                condition=models.Q(("level__gte", 1), ("level__lte", 5)),
                name="volunteer_skill_level_range",
            ),
        ),
    ]
