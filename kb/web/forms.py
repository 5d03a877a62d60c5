"""Validate submitted values with a pydantic model from kb.schemas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from flask import current_app, request
from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import MultiDict

from kb.errors import InvalidInput, Problem
from kb.storage import Upload, read_upload

M = TypeVar("M", bound=BaseModel)


def problems_of(exc: ValidationError) -> list[Problem]:
    """One Problem per fault, named by its field."""
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        message = error["msg"].removeprefix("Value error, ")
        problems.append(Problem(field or "form", message))
    return problems


def validate(model: type[M], data: Mapping) -> M:
    """The model, or InvalidInput naming each fault."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidInput(problems_of(exc)) from None


def parse(
    model: type[M], form: MultiDict, lists: tuple[str, ...] = ()
) -> M | dict[str, str]:
    """Return the model, or {field: message} naming each fault for the template."""
    data = {key: form.get(key) for key in form if key not in lists}
    data |= {key: form.getlist(key) for key in lists}
    try:
        return validate(model, data)
    except InvalidInput as exc:
        return as_errors(exc.problems)


def as_errors(problems: list[Problem]) -> dict[str, str]:
    """{field: message} for a form template, the first fault of each field."""
    errors: dict[str, str] = {}
    for problem in problems:
        errors.setdefault(problem.where, problem.message)
    return errors


def parse_or_raise(model: type[M], form: MultiDict) -> M:
    """The model, or InvalidInput naming each fault (for forms without a page of their own)."""
    return validate(model, {key: form.get(key) for key in form})


def uploaded_file() -> Upload | None:
    """The uploaded `file`, checked, or None when none was sent.

    Raises InvalidInput for an empty, oversized or badly named file (a request far
    over the limit never gets here: security.py refuses it with a 413).
    """
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    sent = request.files.get("file")
    if sent is None or not sent.filename:  # a form whose file input was left empty
        return None
    return read_upload(sent.stream, sent.filename, sent.mimetype, limit)


def with_vector(form: MultiDict) -> dict:
    """A submitted form with an SL vector (a zone's SL-T, a component's target SL-C) as
    the schemas read it: the written form `sl_t_text`, when given, wins over the seven
    fields `sl_t_1` to `sl_t_7`."""
    values = {key: form.get(key) for key in form if not key.startswith("sl_t")}
    written = (form.get("sl_t_text") or "").strip()
    values["sl_t"] = written or [form.get(f"sl_t_{fr}", "0") for fr in range(1, 8)]
    return values
