"""API fuzzing (issue 16): schemathesis against /api/schema/, signed in as an enterprise
administrator, a unit official, department staff (the complaint desk) and anonymous.

Every operation the schema holds when the test runs is fuzzed (a new endpoint is covered
without being named here), with a bounded number of generated requests per operation and
role, half of them aimed at real objects seeded for the test; then a stateful run follows the
schema's OpenAPI links (create → retrieve → steps). Every response must be: no 5xx, a status
the schema documents for the operation, the content type it documents, and a body that
conforms to the documented schema. A failure names the operation, the role and the request.

FUZZ_SHOW_REFUSALS=1 prints each 400 the fuzzer met and the stateful run's requests: where the
schema is looser than the API, the refusals show it.
"""

import collections
import contextlib
import os
import time

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .fuzz_world import ROLES, build_world

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 15          # generated requests per operation and role (the whole run ~ 1-2 min)
NEGATIVE_EXAMPLES = 5  # requests with input the schema refuses, per operation and role
STATEFUL_RUNS = 25     # link-following scenarios per role
STATEFUL_STEPS = 8


def _settings(max_examples: int, **kwargs) -> settings:
    # Derandomized: the same requests on every run and machine, so a failure is reproducible.
    return settings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck), **kwargs)


@pytest.fixture
def wsgi_app():
    """Django's WSGI app in this process, in the test's transaction: like the test client,
    keep the end of a request from closing the connection that holds it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema(app):
    """The schema as the portal serves it. Data that fits the schema only (the role's own
    token, never a generated one), so every refusal is one the schema documents."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    schema.config.generation.update(modes=[GenerationMode.POSITIVE],
                                    with_security_parameters=False)
    return schema


def fuzz_operation(strategy, headers: dict, statuses: set, references: dict,
                   checks=CHECKS, examples=EXAMPLES) -> int:
    """Send EXAMPLES generated requests of one operation; return how many were sent.

    An input naming another object (a unit, a category) gets a real one half of the time, so
    that the request gets past the lookup to the rules behind it."""
    sent = 0

    @given(case=strategy, data=st.data())
    @_settings(examples)
    def fuzz(case, data):
        nonlocal sent
        sent += 1
        for part in (case.body, case.query):
            if isinstance(part, dict):
                for name in part.keys() & references.keys():
                    part[name] = data.draw(st.sampled_from([*references[name], part[name]]))
        response = case.call(headers=headers)
        statuses.add(response.status_code)
        if response.status_code == 400 and os.environ.get("FUZZ_SHOW_REFUSALS"):
            print(" ", case.method, case.formatted_path, case.query, str(case.body)[:150],
                  "->", response.text[:300])
        case.validate_response(response, checks=checks, headers=headers)

    fuzz()
    return sent


def _failure(exc: BaseException) -> str:
    return str(exc).strip()[:1500] or repr(exc)


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented(role, wsgi_app):
    cache.clear()  # rate limits counted by earlier tests
    world = build_world()
    headers = world.headers(role)
    schema = load_schema(wsgi_app)
    started, calls, failures, operations = time.monotonic(), 0, {}, 0
    if os.environ.get("FUZZ_SHOW_REFUSALS"):
        print("real objects:", world.ids, world.references)
    statuses: dict[str, set] = {}

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        label = f"{operation.method.upper()} {operation.path}"
        strategy = operation.as_strategy()
        real = world.path_parameters(operation.path)
        if real:
            strategy = st.one_of(strategy, st.one_of(
                *[operation.as_strategy(path_parameters=params) for params in real]))

        try:
            calls += fuzz_operation(strategy, headers, statuses.setdefault(label, set()),
                                    world.references)
            # Input the schema refuses (wrong types, missing fields, values out of range): a
            # refusal, never a server error. (An operation without input has none.)
            with contextlib.suppress(Unsatisfiable):
                calls += fuzz_operation(operation.as_strategy(GenerationMode.NEGATIVE),
                                        headers, statuses[label], world.references,
                                        checks=[not_a_server_error],
                                        examples=NEGATIVE_EXAMPLES)
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failure, one assert
            failures[label] = _failure(exc)

    elapsed = time.monotonic() - started
    print(f"\nfuzz {role}: {operations} operations, {calls} requests, {elapsed:.1f} s")
    for label, codes in sorted(statuses.items()):
        print(f"  {label}: {sorted(codes)}")
    assert operations >= 30
    assert not failures, "\n\n".join(f"{role} {label}:\n{text}"
                                     for label, text in failures.items())


class _RootsThatNameObjects:
    """Schemathesis' transition control, with no scenario starting at an operation on one
    object (a made-up id)."""

    def __init__(self, control):
        self._control = control

    def __getattr__(self, name):
        return getattr(self._control, name)

    def allow_root_transition(self, source, bundles):
        return "{" not in source and self._control.allow_root_transition(source, bundles)


@pytest.mark.parametrize("role", ROLES)
def test_following_links_reaches_real_objects(role, wsgi_app):
    cache.clear()
    world = build_world()
    headers = world.headers(role)
    schema = load_schema(wsgi_app)
    reached, calls = collections.Counter(), []

    class Machine(schema.as_state_machine()):
        # Each scenario starts from the same seeded objects: what one scenario did (a join
        # request decided, a case answered) is undone before the next, so a replayed scenario
        # meets the same answers (Hypothesis requires it).
        def setup(self):
            cache.clear()
            self._savepoint = transaction.savepoint()
            super().setup()
            # Start only from operations that name objects (lists, creates): an operation on
            # one object is reached through links, not with a made-up id (the first run is
            # about those; this one is about the links).
            self.control = _RootsThatNameObjects(self.control)

        def teardown(self):
            super().teardown()
            transaction.savepoint_rollback(self._savepoint)

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            calls.append(f"{case.method} {case.formatted_path} {response.status_code}")
            if (response.status_code < 300 or response.status_code == 400) and (
                    "{" in case.operation.path):
                # an operation on one object answered about a real one: done, or refused
                # for the object's state
                reached[f"{case.method} {case.operation.path}"] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)

    Machine.run(settings=_settings(STATEFUL_RUNS, stateful_step_count=STATEFUL_STEPS))
    print(f"\nlinks {role}: {len(calls)} requests, {len(reached)} operations on real objects"
          f" {dict(reached)}")
    if os.environ.get("FUZZ_SHOW_REFUSALS"):
        print(collections.Counter(calls).most_common())
    if role != "anonymous":
        assert reached, "following the links reached no real object"


def test_the_schema_documents_refusals_in_the_error_format_and_links_objects(client):
    """Regression (issue 16): 400/403/404 answered by 6 operations were undocumented, the
    error format appeared nowhere, and 15 operations were reachable only by guessing ids."""
    schema = client.get("/api/schema/", {"format": "json"}).json()
    error = {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            refusals = {code: r for code, r in responses.items() if code[0] == "4"}
            assert "403" in refusals or operation.get("security") == [{}], (method, path)
            if "{" in path:
                assert "404" in refusals, (method, path)
            for code, response in refusals.items():
                assert response["content"]["application/json"]["schema"] == error, (
                    method, path, code)
    # Every operation on one object is reachable from an operation that names the object.
    linked = {target for operations in schema["paths"].values()
              for operation in operations.values()
              for response in operation["responses"].values()
              for target in response.get("links", {})}
    unreachable = [f"{method} {path}" for path, operations in schema["paths"].items()
                   for method, operation in operations.items()
                   if "{" in path and operation["operationId"] not in linked]
    assert not unreachable
    cases = schema["paths"]["/api/v1/cases/"]
    links = cases["get"]["responses"]["200"]["links"]
    assert links["v1_cases_retrieve"]["parameters"] == {"path.id": "$response.body#/results/0/id"}
    created = cases["post"]["responses"]["201"]["links"]
    assert created["v1_cases_answer_create"]["parameters"] == {"path.id": "$response.body#/id"}
    submit = schema["components"]["schemas"]["CaseSubmitInputJsonRequest"]
    assert "files" not in submit["properties"]
    assert set(submit["required"]) >= {"appeal_type", "category", "title", "description"}
