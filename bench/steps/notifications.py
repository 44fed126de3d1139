"""Inbox messages: the answer notice of every case, and full inboxes for the bench users."""

from __future__ import annotations

import datetime

from bench.registry import Context, copy_rows, set_sequence, step


@step("notifications", after=["cases"])
def load_notifications(ctx: Context) -> None:
    heavy_user = ctx.bench["enterprise_user_id"]
    staff_and_officials = [*ctx.ids["staff"], *(u for ids in ctx.ids["officials"].values()
                                                for u in ids)]
    now, rnd = ctx.now, ctx.rnd
    with ctx.connection.cursor() as cursor:
        # One answer notice per answered case, to its submitter (as case_answer sends); read
        # before the COPY starts, which needs the connection to itself.
        cursor.execute(
            "SELECT e.created_at, c.submitter_id, c.reference, c.title, c.id "
            "FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id "
            "WHERE e.action = 'answer' AND c.submitter_id IS NOT NULL ORDER BY e.id")
        answered = cursor.fetchall()

    def rows():
        number = 0
        for at, recipient, ref, title, case_id in answered:
            number += 1
            read = at + datetime.timedelta(hours=rnd.randint(1, 72))
            yield (number, f"案件 {ref} 已答复", title, f"/cases/{case_id}/", at,
                   read if read < now else None, "sent", None, at, 1, "",
                   f"cases:answer:{case_id}:{number}", recipient)
        for user in [heavy_user, *staff_and_officials]:
            for k in range(600):
                number += 1
                at = now - datetime.timedelta(minutes=37 * k + rnd.randint(0, 30))
                yield (number, f"待办提醒 {k}", "请及时处理待办事项。", "/inbox/", at,
                       None if k < 25 else at + datetime.timedelta(hours=2), "not_wanted", None,
                       None, 0, "", f"bench:{user}:{k}", user)

    copy_rows(ctx, "notifications_notification", [
        "id", "subject", "body", "url", "created_at", "read_at", "email_status", "email_due_at",
        "email_sent_at", "email_attempts", "email_error", "dedup_key", "recipient_id"], rows())
    set_sequence(ctx, "notifications_notification")
