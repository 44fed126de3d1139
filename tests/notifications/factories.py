import factory
from django.utils import timezone

from portal.notifications.models import Notification
from tests.factories import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    subject = factory.Sequence(lambda n: f"Notification {n}")
    body = "Your case has a new reply."
    url = ""

    class Params:
        read = factory.Trait(read_at=factory.LazyFunction(timezone.now))
        email_pending = factory.Trait(
            email_status=Notification.EmailStatus.PENDING,
            email_due_at=factory.LazyFunction(timezone.now),
        )
