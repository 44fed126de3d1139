"""get_<field>_display() of the case models: the label in the request's language, without
translating every choice of the field on each call (a timeline of 75 steps did 2,000)."""

from unittest import mock

from django.utils import translation

from portal.cases.constants import Action, Status
from portal.cases.models import Case, CaseEvent


def test_the_label_follows_the_active_language():
    case = Case(status=Status.SIGNED_FOR)
    with translation.override("en"):
        english = case.get_status_display()
    with translation.override("zh-hans"):
        chinese = case.get_status_display()
    assert english == str(Status.SIGNED_FOR.label) == "Signed for"
    assert chinese != english and chinese


def test_an_unknown_value_is_shown_as_it_is():
    assert CaseEvent(action="no_such_action").get_action_display() == "no_such_action"


def test_only_the_label_shown_is_translated():
    event = CaseEvent(action=Action.ANSWER)
    event.get_action_display()  # the choices are read once per field
    with mock.patch("django.utils.translation._trans.gettext",
                    side_effect=lambda message: message) as gettext:
        with translation.override("en"):
            for _ in range(10):
                event.get_action_display()
    assert gettext.call_count == 10  # Django's own: every action, each time
