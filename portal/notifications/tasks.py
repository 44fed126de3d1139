"""Celery tasks: send the e-mail copy of a notification; re-queue copies that were lost.

Each is safe to run twice: the service locks the row and sends only while it is pending.
"""

from celery import shared_task
from django.utils.translation import gettext_lazy as _

from . import services

# Registered in django-celery-beat by portal.core.schedules.sync_periodic_tasks(); the
# department may change the schedule or disable it in the admin afterwards.
PERIODIC_TASKS = [
    {
        "name": "notifications: re-queue pending e-mails",
        "task": "portal.notifications.tasks.notifications_requeue_pending",
        "interval_seconds": 60,
        "description": _("Queue again the notification e-mails still waiting to be sent, "
                         "for example after the message queue was unavailable."),
    },
]


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None,
             soft_time_limit=60, time_limit=90)
def send_notification_email(self, notification_id: int) -> str:
    """Send one notification's e-mail copy; retry with backoff while the server fails."""
    result = services.notification_email_deliver(notification_id=notification_id)
    if result.outcome is services.Delivery.RETRY:
        # The number of tries is counted in the row (it survives re-queuing by the sweeper),
        # so Celery's own retry limit is off.
        raise self.retry(countdown=result.retry_in)
    return result.outcome.value


@shared_task(acks_late=True, ignore_result=True)
def send_notification_emails(*notification_ids: int) -> int:
    """Queue one e-mail task per notification (a notify() to many people sends one message)."""
    for notification_id in notification_ids:
        send_notification_email.apply_async(args=(notification_id,), retry=False)
    return len(notification_ids)


@shared_task(acks_late=True, ignore_result=True)
def notifications_requeue_pending() -> int:
    """Sweeper: queue again the pending e-mails whose attempt is overdue."""
    return services.notification_email_requeue_pending()
