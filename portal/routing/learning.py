"""The learned suggestion: documents, the scikit-learn pipeline, its storage and its cache.

A document is the jieba words of title and description plus tokens for the kind, type,
category (and its parent) and industry section of a case, so the model can lean on those where
the words are vague. Features are TF-IDF (sublinear), the classifier is chosen by
`manage.py routing_benchmark --compare` (see docs/adr/0006-routing-suggestions.md).

Storage: the fitted pipeline is pickled, compressed and signed with an HMAC of the site's
SECRET_KEY; a row is loaded only when the signature and the scikit-learn version match, so a
row written by anyone without the key, or by another library version, is never unpickled. It is
then simply not used (rules still work) until the next retrain.
"""

from __future__ import annotations

import logging
import pickle  # noqa: S403 -- only blobs we signed ourselves are unpickled (see _load)
import threading
import time
import zlib
from dataclasses import dataclass

import numpy as np
import sklearn
from django.utils.crypto import constant_time_compare, salted_hmac
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import Pipeline

from .constants import HELD_OUT_SHARE, Classifier
from .text import Text

logger = logging.getLogger(__name__)

_SIGNING_SALT = "portal.routing.learning.model-blob"


@dataclass(frozen=True)
class CaseFacts:
    """What routing looks at in a case (or in a text typed before there is a case)."""

    title: str
    description: str
    kind: str = ""
    appeal_type: str = ""
    category_id: int | None = None
    category_code: str = ""
    parent_category_id: int | None = None
    parent_category_code: str = ""
    industry: str = ""  # GB/T 4754 section letter
    subject_unit_id: int | None = None


def document(facts: CaseFacts, parsed: Text | None = None) -> str:
    """Return the words the model sees for `facts`, space-separated."""
    parsed = parsed or Text(f"{facts.title}\n{facts.description}")
    tokens = parsed.features()
    if facts.kind:
        tokens.append(f"__kind_{facts.kind}")
    if facts.appeal_type:
        tokens.append(f"__type_{facts.appeal_type}")
    if facts.category_code:
        tokens.append(f"__cat_{facts.category_code}")
    if facts.parent_category_code:
        tokens.append(f"__cat_{facts.parent_category_code}")
    if facts.industry:
        tokens.append(f"__ind_{facts.industry}")
    return " ".join(tokens)


def make_pipeline(classifier: str) -> Pipeline:
    """Return an unfitted pipeline: TF-IDF of the words of `document()`, then the classifier."""
    vectorizer = TfidfVectorizer(
        token_pattern=r"\S+", lowercase=False,  # noqa: S106 -- document() has segmented
        sublinear_tf=True, min_df=2, max_df=0.9, max_features=50_000, dtype=np.float32,
    )
    if classifier == Classifier.COMPLEMENT_NB:
        model = ComplementNB(alpha=0.3)
    elif classifier == Classifier.LOGISTIC_REGRESSION:
        model = LogisticRegression(C=10.0, max_iter=300, solver="lbfgs")
    else:
        raise ValueError(f"unknown classifier {classifier!r}")
    return Pipeline([("tfidf", vectorizer), ("classifier", model)])


@dataclass(frozen=True)
class Trained:
    pipeline: Pipeline
    classifier: str
    sample_count: int
    test_count: int
    accuracy: float
    seconds: float


def train(documents: list[str], labels: list[int], *, classifier: str,
          random_state: int = 42) -> Trained:
    """Measure accuracy on a held-out share, then fit on every sample.

    Each label needs at least two samples (the split keeps the units' shares).
    """
    started = time.perf_counter()
    x_train, x_test, y_train, y_test = train_test_split(
        documents, labels, test_size=HELD_OUT_SHARE, random_state=random_state,
        stratify=labels,
    )
    measured = make_pipeline(classifier).fit(x_train, y_train)
    accuracy = float(np.mean(measured.predict(x_test) == np.asarray(y_test)))
    final = make_pipeline(classifier).fit(documents, labels)
    return Trained(pipeline=final, classifier=classifier, sample_count=len(documents),
                   test_count=len(x_test), accuracy=accuracy,
                   seconds=time.perf_counter() - started)


def ranked_units_many(pipeline: Pipeline, docs: list[str]) -> list[list[tuple[int, float]]]:
    """Return, for each document, (unit id, probability) of every unit, most likely first."""
    classes = pipeline.classes_
    rankings = []
    for probabilities in pipeline.predict_proba(docs):
        order = np.argsort(-probabilities, kind="stable")
        rankings.append([(int(classes[i]), float(probabilities[i])) for i in order])
    return rankings


# --- storage ------------------------------------------------------------------------------

def sign_blob(blob: bytes) -> str:
    """Return the HMAC of `blob` with the site's SECRET_KEY (hex)."""
    return salted_hmac(_SIGNING_SALT, blob, algorithm="sha256").hexdigest()


def dump(pipeline: Pipeline) -> tuple[bytes, str]:
    """Return the pipeline serialized and compressed, and its signature."""
    blob = zlib.compress(pickle.dumps(pipeline, protocol=pickle.HIGHEST_PROTOCOL), 6)
    return blob, sign_blob(blob)


def signature_ok(blob: bytes, signature: str) -> bool:
    """Return True when `blob` carries our signature (written by this site, unchanged)."""
    return constant_time_compare(sign_blob(bytes(blob)), signature or "")


class UnusableModel(Exception):
    """A stored model that must not or cannot be loaded."""


def load(blob: bytes, signature: str, library_version: str) -> Pipeline:
    """Return the pipeline of a stored model; raise UnusableModel when it cannot be trusted."""
    blob = bytes(blob)
    if not signature_ok(blob, signature):
        raise UnusableModel("the signature does not match (another SECRET_KEY, or tampered)")
    if library_version != sklearn.__version__:
        raise UnusableModel(f"trained with scikit-learn {library_version}, this process has "
                            f"{sklearn.__version__}")
    try:
        return pickle.loads(zlib.decompress(blob))  # noqa: S301 -- signed by us, checked above
    except Exception as exc:  # a blob we signed but cannot read: treat it like a bad one
        raise UnusableModel(f"cannot be read: {exc}") from exc


# --- the per-process cache ------------------------------------------------------------------

@dataclass(frozen=True)
class LoadedModel:
    version: int
    pipeline: Pipeline | None  # None: the row is unusable (logged once per version)
    sample_count: int


_cache: LoadedModel | None = None
_cache_lock = threading.Lock()


def cached_model(version: int, fetch) -> LoadedModel:
    """Return the model of `version`, loading it with `fetch(version)` when not cached yet.

    `fetch` returns (blob, signature, library_version, sample_count). Only one version is kept:
    a process follows the latest model and drops the one before.
    """
    global _cache
    current = _cache
    if current is not None and current.version == version:
        return current
    with _cache_lock:
        current = _cache
        if current is not None and current.version == version:
            return current
        blob, signature, library_version, sample_count = fetch(version)
        try:
            pipeline = load(blob, signature, library_version)
        except UnusableModel as exc:
            logger.warning("routing model v%s is not used: %s", version, exc)
            pipeline = None
        _cache = LoadedModel(version=version, pipeline=pipeline, sample_count=sample_count)
        return _cache


def cache_clear() -> None:
    """Forget the cached model (tests; a process that must reload)."""
    global _cache
    with _cache_lock:
        _cache = None
