"""The OpenAPI 3.1 description of /api/v1, generated from the routes themselves: the
URL map gives the paths and methods, each view's docstring its summary, and the pydantic
models it validates requests with and answers in (declared with `@documented`) the
schemas, through pydantic's own JSON Schema. No copy is kept by hand."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from kb.web.api.responses import ProblemOut

REF = "#/components/schemas/{model}"
CONVERTERS = {"int": {"type": "integer"}, "default": {"type": "string"}}
ERRORS = {
    "400": "Malformed request (not JSON, or a bad header)",
    "401": "No valid session or token",
    "403": "The caller's role does not allow it",
    "404": "Not found, or in an organisation the caller does not belong to",
    "409": "Stale: the row changed since the caller read it",
    "413": "The body is over the size limit",
    "422": "Invalid input: each fault in `problems`, at its field path",
    "429": "Over the token's rate limit: see Retry-After",
}


@dataclass(frozen=True)
class Operation:
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200


def documented(
    *,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
):
    """Declare the models a view validates its body with and answers in."""

    def mark(view):
        view.kb_api = Operation(body, response, status)
        return view

    return mark


def _path(rule: str) -> tuple[str, list[dict]]:
    """`/zones/<int:zone_id>` -> (`/zones/{zone_id}`, its path parameters)."""
    parameters = []
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule):
        parameters.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": CONVERTERS.get(converter or "default", CONVERTERS["default"]),
            }
        )
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), parameters


def describe(app: Flask) -> dict:
    """The OpenAPI document of every route under /api/v1."""
    paths: dict[str, dict] = {}
    models: dict[str, type[BaseModel]] = {"ProblemOut": ProblemOut}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1/"):
            continue
        view = app.view_functions[rule.endpoint]
        # decorators built with functools.wraps (login_required) carry the mark along
        operation = getattr(view, "kb_api", Operation())
        doc = inspect.getdoc(view) or ""
        summary, _, description = doc.partition("\n\n")
        path, parameters = _path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            entry: dict = {
                "operationId": f"{rule.endpoint.removeprefix('api.')}_{method.lower()}",
                "summary": " ".join(summary.split()),
                "tags": [view.__module__.rsplit(".", 1)[-1]],
                "parameters": parameters,
                "responses": _responses(operation, models),
            }
            if description:
                entry["description"] = description
            if operation.body:
                models[operation.body.__name__] = operation.body
                entry["requestBody"] = {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "$ref": REF.format(model=operation.body.__name__)
                            }
                        }
                    },
                }
            if getattr(view, "kb_cached", False):
                entry["security"] = []  # the public catalogue
            paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "csms-kb API",
            "version": "1",
            "description": (
                "The IEC 62443 catalogue, assessments, scores, zones, evidence and "
                "offerings of csms-kb. Authenticate with a session (with its CSRF "
                "token on writes) or a personal token: `Authorization: Bearer <token>`."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"token": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": _schemas(models),
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


def _responses(operation: Operation, models: dict) -> dict:
    content = {"schema": {"type": "object"}}
    if operation.response:
        models[operation.response.__name__] = operation.response
        content = {"schema": {"$ref": REF.format(model=operation.response.__name__)}}
    problem = {
        "application/problem+json": {"schema": {"$ref": REF.format(model="ProblemOut")}}
    }
    out: dict = {
        str(operation.status): {
            "description": "Success",
            "content": {"application/json": content},
        }
    }
    out |= {
        code: {"description": text, "content": problem} for code, text in ERRORS.items()
    }
    return out


def _schemas(models: dict[str, type[BaseModel]]) -> dict:
    _keys, schema = models_json_schema(
        [(model, "validation") for model in models.values()], ref_template=REF
    )
    return schema.get("$defs", {})
