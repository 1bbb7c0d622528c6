"""A volunteer's training records and honours."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models

from shezhi.core.models import TimeStampedModel
from shezhi.volunteers.models.volunteer import Volunteer


class TrainingRecord(TimeStampedModel):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="trainings")
    name = models.CharField("培训名称", max_length=100)
    content = models.TextField("培训内容", max_length=2000, validators=[MaxLengthValidator(2000)])
    minutes = models.PositiveIntegerField("培训时长（分钟）")
    organiser = models.CharField("组织单位", max_length=100)
    day = models.DateField("培训日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = verbose_name
        ordering = ["-day", "-id"]


class Honour(TimeStampedModel):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="honours")
    name = models.CharField("荣誉名称", max_length=100)
    day = models.DateField("获得日期")
    grantor = models.CharField("授予单位", max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "荣誉"
        verbose_name_plural = verbose_name
        ordering = ["-day", "-id"]
