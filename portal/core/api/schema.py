"""The OpenAPI schema says what the API really answers (issue 16, API fuzzing).

- `PortalAutoSchema` documents the refusals every operation can give, in the one error format
  of `portal.core.api.exception_handler` (component `Error`): 403 everywhere a user is
  identified (not signed in, a bad token, a role that may not), 400 where there is input to
  refuse, 404 where an id is in the path or a cursor in the query, 429 where a rate limit
  applies. An error a view declares without a body gets the error body.
- `add_links` declares OpenAPI links from an operation that returns objects to the operations
  on one of them (`/x/` → `/x/{id}/…`, `/x/{id}/` → `/x/{id}/…`, a list of `clauses` in the
  body → `/…/clauses/{id}/…`), so clients and the fuzzer reach real objects, not made-up ids;
  and it gives integer path ids the range Django's `<int:…>` converter accepts. A view may
  declare more (`x-portal-links`, see `_declared_links`).

Both apply to every view, so a new endpoint is documented the same way without declaring it.
"""

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

BODY_METHODS = {"POST", "PUT", "PATCH"}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable code: invalid, not_found, "
                                 "permission_denied, not_authenticated, rate_limited, ...")
    message = serializers.CharField(help_text="In the request's language.")
    fields = serializers.DictField(
        required=False,
        help_text="Bad input only: the messages of each field (non_field_errors for the "
                  "input as a whole); a list's or a nested object's messages are nested.")


class ErrorSerializer(serializers.Serializer):
    """The one error format of the API."""

    error = ErrorDetailSerializer()

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    "400": "Bad input, or a step not allowed in the object's current state.",
    "403": "Not signed in, a bad token, or not allowed to you.",
    "404": "No such object, or not one you may see; or a bad page cursor.",
    "429": "Too many requests; try again later.",
}


class PortalAutoSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        codes = []
        # A write may be refused for its input or for the object's state (a step not allowed
        # now); a read for its query.
        write = self.method in BODY_METHODS or self.method == "DELETE"
        query = any(p.get("in") == "query" for p in self._get_parameters())
        if write or query:
            codes.append("400")
        anyone = all(isinstance(p, AllowAny) for p in self.view.get_permissions())
        if not anyone or self.view.get_authenticators():
            codes.append("403")
        paginated = self._is_list_view() and self._get_paginator() is not None
        if "{" in self.path or paginated:
            codes.append("404")
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code]})
        for code, entry in list(responses.items()):
            if code[0] in "45" and "content" not in entry:
                description = entry.get("description") or ERROR_DESCRIPTIONS.get(code, "")
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description), code,
                    media_types=["application/json"], direction=direction)
        return responses


# --- links -----------------------------------------------------------------------------------

PARAM = re.compile(r"\{([^}]+)\}")
MAX_INT_ID = 2**63 - 1  # bigint primary keys


def _resolve(schema: dict, components: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema or {}


def _id_pointers(schema: dict, components: dict) -> list[tuple[str, str]]:
    """(pointer to an id, collection word) pairs the body of a response offers.

    The word is "" for the object itself (or the first of a list or page of them), and the
    property's name for a list of objects inside it ("clauses")."""
    schema = _resolve(schema, components)
    props = schema.get("properties", {})
    if schema.get("type") == "array":
        item = _resolve(schema.get("items", {}), components)
        return [("/0/id", "")] if "id" in item.get("properties", {}) else []
    if "results" in props and "next" in props:
        item = _resolve(props["results"].get("items", {}), components)
        return [("/results/0/id", "")] if "id" in item.get("properties", {}) else []
    pointers = [("/id", "")] if "id" in props else []
    for name, prop in props.items():
        prop = _resolve(prop, components)
        if prop.get("type") == "array":
            item = _resolve(prop.get("items", {}), components)
            if "id" in item.get("properties", {}):
                pointers.append((f"/{name}/0/id", name))
    return pointers


def _object_prefixes(source_path: str, word: str) -> list[str]:
    """Regexes of the path of the object whose id the pointer gives, as a prefix."""
    any_param = r"\{[^}/]+\}/"
    if word:
        root = PARAM.split(source_path)[0]
        bases = {source_path, root} if source_path.endswith("}/") else {root}
        return [re.escape(base + word + "/") + any_param for base in sorted(bases)]
    if source_path.endswith("}/"):
        return [re.escape(source_path)]
    return [re.escape(source_path) + any_param]


def _link_parameters(source_path: str, target_path: str, prefix: str,
                     pointer: str) -> dict | None:
    """How each path parameter of the target is filled, or None if the source cannot fill
    them all: those of the source's own path from its request, the new one from its body."""
    match = re.match(prefix, target_path)
    if not match or target_path == source_path:
        return None
    if PARAM.search(target_path[match.end():]):
        return None  # a deeper object (a case's file) the body does not name
    params, new = {}, 0
    for found in PARAM.finditer(target_path[:match.end()]):
        name = found.group(1)
        if source_path.startswith(target_path[:found.end()]):
            params[f"path.{name}"] = f"$request.path.{name}"
        else:
            params[f"path.{name}"] = f"$response.body#{pointer}"
            new += 1
    if new > 1 or (new == 0 and pointer != "/id"):
        return None
    return params


def add_links(result, generator, request, public):
    """drf-spectacular postprocessing hook: links between operations, path id ranges."""
    components = result.get("components", {}).get("schemas", {})
    paths = result.get("paths", {})
    for operations in paths.values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["schema"].get("type") == "integer":
                    parameter["schema"].setdefault("minimum", 0)
                    parameter["schema"].setdefault("maximum", MAX_INT_ID)
    for path, operations in paths.items():
        for operation in operations.values():
            for code, response in operation.get("responses", {}).items():
                body = response.get("content", {}).get("application/json", {}).get("schema")
                if not code.startswith("2") or not body:
                    continue
                links = {}
                for pointer, word in _id_pointers(body, components):
                    for prefix in _object_prefixes(path, word):
                        for target in paths:
                            params = _link_parameters(path, target, prefix, pointer)
                            if params is None:
                                continue
                            for target_op in paths[target].values():
                                links[target_op["operationId"]] = {
                                    "operationId": target_op["operationId"],
                                    "parameters": params,
                                }
                if links:
                    response["links"] = links
    _declared_links(paths)
    return result


LINKS_EXTENSION = "x-portal-links"


def _declared_links(paths: dict) -> None:
    """Links a view declares itself, where the ids are deeper in the body than the rules
    above look: `extend_schema(extensions={"x-portal-links": {"200": {operationId:
    {"path.x": "$response.body#/…"}}}})`."""
    for operations in paths.values():
        for operation in operations.values():
            for code, links in operation.pop(LINKS_EXTENSION, {}).items():
                response = operation["responses"][code].setdefault("links", {})
                for target, params in links.items():
                    response[target] = {"operationId": target, "parameters": params}
