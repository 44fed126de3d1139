"""Corrections to the Chinese statutory working-day calendar, edited by the department."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """One date whose status the department sets, overriding the national calendar."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (no work)")
        WORKDAY = "workday", _("Working day (e.g. a make-up Saturday)")

    date = models.DateField(
        _("date"), unique=True,
        help_text=_("One correction per date. It applies to every deadline counted from now on."),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices,
        help_text=_("Holiday: nobody works that day, even if it is a weekday. Working day: "
                    "people work that day, even on a weekend, as on the make-up days the State "
                    "Council announces with each year's holidays."),
    )
    name = models.CharField(
        _("name"), max_length=100, blank=True,
        help_text=_("For example “Spring Festival” or “make-up day for National Day”."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar correction")
        verbose_name_plural = _("calendar corrections")

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"
