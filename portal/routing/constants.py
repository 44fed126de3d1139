"""Numbers and choices of routing; the reasons are in docs/adr/0006-routing-suggestions.md."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.cases.constants import Action, Status


class Source(models.TextChoices):
    RULE = "rule", _("Routing rule")
    MODEL = "model", _("Learned from past assignments")


class Classifier(models.TextChoices):
    LOGISTIC_REGRESSION = "logistic_regression", _("Logistic regression")
    COMPLEMENT_NB = "complement_nb", _("Complement naive Bayes")


# The classifier the nightly retrain uses (chosen by `manage.py routing_benchmark --compare`).
DEFAULT_CLASSIFIER = Classifier.LOGISTIC_REGRESSION

# A case teaches the model which unit handles it once that unit has signed for it (签收) and
# kept it: returned (退单) and transferred (转办) cases count for the unit that kept them, or
# not at all while they wait for another unit.
KEPT_STATUSES = frozenset({
    Status.SIGNED_FOR, Status.IN_PROGRESS, Status.INFO_REQUESTED, Status.EXTENSION_REQUESTED,
    Status.ANSWERED, Status.REOPENED, Status.CLOSED,
})
# Timeline steps that change which unit keeps a case: any of them since the last model means
# there is something new to learn.
ROUTING_ACTIONS = frozenset({Action.ASSIGN, Action.TRANSFER, Action.RETURN, Action.SIGN_FOR})

# A unit with fewer kept cases than this is left out of the model (rules still reach it).
MIN_SAMPLES_PER_UNIT = 10
# The model needs at least two units to choose between.
MIN_UNITS = 2
# Train on the most recent kept cases only: enough to learn from, bounded time and memory.
MAX_TRAINING_SAMPLES = 100_000
# Share of the samples held out to measure accuracy before the final fit on all of them.
HELD_OUT_SHARE = 0.2
# The model's best unit is suggested only when its probability is at least this, and at least
# CHANCE_MARGIN times a blind guess among the units that could take the case (1 / their number).
MIN_MODEL_CONFIDENCE = 0.2
CHANCE_MARGIN = 1.5
# Trained models kept in the database (older ones are deleted by the retrain).
MODELS_KEPT = 5
# pg_try_advisory_xact_lock key: one retrain at a time.
RETRAIN_LOCK_KEY = 0x50_7E_4A_11
