import datetime

import factory

from portal.workdays.models import CalendarDay


class CalendarDayFactory(factory.django.DjangoModelFactory):
    """A correction saved directly (tests of the services go through the services)."""

    class Meta:
        model = CalendarDay
        django_get_or_create = ("date",)

    date = factory.Sequence(lambda n: datetime.date(2030, 1, 1) + datetime.timedelta(days=n))
    kind = CalendarDay.Kind.HOLIDAY
    name = "测试假日"

    class Params:
        workday = factory.Trait(kind=CalendarDay.Kind.WORKDAY, name="调休上班")
