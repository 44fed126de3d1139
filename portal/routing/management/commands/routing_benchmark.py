"""Measure routing on generated cases: training time, held-out accuracy, suggestion latency.

    manage.py routing_benchmark [--cases 20000] [--calls 1000] [--compare]

Everything it writes (units, cases, rules, the model, ledger entries) is inside one transaction
that is rolled back at the end, so it can run against any migrated database and leaves nothing
behind. Its long transaction holds the rows it writes (and a reference-number counter) until it
rolls back: do not run it on a busy production database. `--compare` also trains both classifiers on the same documents and prints accuracy,
calibration (mean confidence against accuracy, Brier score) and timings.
"""

from __future__ import annotations

import random
import statistics
import time

import numpy as np
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from sklearn.model_selection import train_test_split

from portal.appeals.constants import KIND as APPEAL_KIND
from portal.appeals.constants import AppealType
from portal.cases.constants import Status
from portal.cases.models import Case, Category
from portal.orgs.models import Enterprise, Industry, Unit
from portal.orgs.validators import CHARSET, credit_code_check_char, org_code_check_char

from ... import learning, services, synthetic
from ...constants import Classifier
from ...models import RoutingRule


class _Rollback(Exception):
    pass


def _credit_code(rnd: random.Random) -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while True:
        body = "".join(rnd.choice(chars) for _ in range(8))
        check = org_code_check_char(body)
        if check in CHARSET:
            first17 = "91440112" + body + check
            return first17 + credit_code_check_char(first17)


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


class Command(BaseCommand):
    help = "Measure routing suggestions on generated cases (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=20_000,
                            help="generated past assignments to train on")
        parser.add_argument("--calls", type=int, default=1000,
                            help="suggestions to time")
        parser.add_argument("--rules", type=int, default=30,
                            help="enabled rules that do not match (their check is timed too)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--compare", action="store_true",
                            help="also compare the classifiers on the same documents")

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                self._run(**options)
                raise _Rollback
        except _Rollback:
            self.stdout.write("(everything the benchmark wrote was rolled back)")

    def _run(self, *, cases: int, calls: int, rules: int, seed: int, compare: bool, **_kw):
        rnd = random.Random(seed)
        now = timezone.now()
        out = self.stdout.write
        units = {}
        for key, (name, _words) in synthetic.PROFILES.items():
            units[key] = Unit.objects.create(code=f"bench-{key}", name=f"{name}（基准测试）")
        category = Category.objects.create(code="bench-routing", name_zh_hans="基准测试",
                                           name_zh_hant="基準測試", name_en="Benchmark")
        industry = Industry.objects.order_by("section").first()
        enterprise = Enterprise.objects.create(credit_code=_credit_code(rnd),
                                               name="基准测试有限公司", industry=industry)
        common = {"kind": APPEAL_KIND, "appeal_type": AppealType.HELP, "category": category,
                  "enterprise": enterprise, "submitted_at": now}

        started = time.perf_counter()
        past = synthetic.generate(cases, seed=seed, noise=0.35, label_noise=0.05)
        Case.objects.bulk_create([
            Case(reference=f"BENCH-{i:09d}", title=a.title, description=a.description,
                 responsible_unit=units[a.profile], status=Status.CLOSED, signed_for_at=now,
                 **common)
            for i, a in enumerate(past)], batch_size=2000)
        fresh = synthetic.generate(calls, seed=seed + 1, noise=0.35)
        Case.objects.bulk_create([
            Case(reference=f"BENCQ-{i:09d}", title=a.title, description=a.description,
                 status=Status.SUBMITTED, **common)
            for i, a in enumerate(fresh)], batch_size=2000)
        unit_list = list(units.values())
        RoutingRule.objects.bulk_create([
            RoutingRule(name=f"bench {i}", priority=i, unit=unit_list[i % len(unit_list)],
                        keywords=[f"基准词{i}甲", f"基准词{i}乙*", f"benchmark{i}"])
            for i in range(rules)])
        out(f"generated {cases} past and {calls} new cases for {len(units)} units, "
            f"{rules} rules, in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        result = services.routing_model_train(min_samples_per_unit=10, force=True)
        model = result.model
        out(f"retrain: {result.status} in {time.perf_counter() - started:.1f} s "
            f"(fit {model.training_seconds:.1f} s), {model.sample_count} samples, "
            f"{model.unit_count} units, held-out accuracy {model.accuracy:.3f}, "
            f"{model.size_bytes / 1024:.0f} KiB, classifier {model.classifier}")

        queue = list(Case.objects.filter(reference__startswith="BENCQ-")
                     .select_related("category__parent", "enterprise").order_by("id"))
        learning.cache_clear()
        started = time.perf_counter()
        services.routing_suggest(case=queue[0])
        out(f"first suggestion in a fresh process (loads the model): "
            f"{(time.perf_counter() - started) * 1000:.0f} ms")
        timings, hits, sources = [], 0, {"rule": 0, "model": 0, "none": 0}
        with CaptureQueriesContext(connection) as queries:
            for case, appeal in zip(queue, fresh, strict=True):
                t0 = time.perf_counter()
                suggestion = services.routing_suggest(case=case)
                timings.append((time.perf_counter() - t0) * 1000)
                sources[suggestion.source if suggestion else "none"] += 1
                hits += bool(suggestion and suggestion.unit.pk == units[appeal.profile].pk)
        out(f"routing_suggest over {len(timings)} calls: p50 {_percentile(timings, 50):.2f} ms, "
            f"p95 {_percentile(timings, 95):.2f} ms, p99 {_percentile(timings, 99):.2f} ms, "
            f"max {max(timings):.2f} ms, mean {statistics.fmean(timings):.2f} ms; "
            f"{len(queries) / len(timings):.1f} queries a call; sources {sources}; "
            f"right unit {hits / len(timings):.1%}")
        pages = []
        for start in range(0, len(queue) - 49, 50):
            t0 = time.perf_counter()
            services.routing_suggest_many(cases=queue[start:start + 50])
            pages.append((time.perf_counter() - t0) * 1000)
        if pages:
            out(f"routing_suggest_many for a page of 50 cases ({len(pages)} pages): "
                f"p50 {_percentile(pages, 50):.1f} ms, max {max(pages):.1f} ms")
        if compare:
            self._compare(past, units, out)

    def _compare(self, past, units, out):
        documents = [learning.document(learning.CaseFacts(
            title=a.title, description=a.description, kind=APPEAL_KIND,
            appeal_type=AppealType.HELP, category_code="bench-routing")) for a in past]
        labels = [units[a.profile].pk for a in past]
        x_train, x_test, y_train, y_test = train_test_split(
            documents, labels, test_size=0.2, random_state=42, stratify=labels)
        y_test = np.asarray(y_test)
        for classifier in Classifier:
            t0 = time.perf_counter()
            pipeline = learning.make_pipeline(classifier).fit(x_train, y_train)
            fit = time.perf_counter() - t0
            proba = pipeline.predict_proba(x_test)
            predicted = pipeline.classes_[proba.argmax(axis=1)]
            truth = (pipeline.classes_[None, :] == y_test[:, None]).astype(float)
            brier = float(((proba - truth) ** 2).sum(axis=1).mean())
            single = []
            for doc in x_test[:500]:
                t0 = time.perf_counter()
                pipeline.predict_proba([doc])
                single.append((time.perf_counter() - t0) * 1000)
            out(f"{classifier.value}: accuracy {np.mean(predicted == y_test):.3f}, mean "
                f"confidence {proba.max(axis=1).mean():.3f}, Brier {brier:.3f}, fit {fit:.2f} s, "
                f"predict p50 {_percentile(single, 50):.2f} ms p99 {_percentile(single, 99):.2f} ms")
