"""Validate a submitted form with a pydantic model from kb.schemas."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import MultiDict

from kb.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)


def parse(
    model: type[M], form: MultiDict, lists: tuple[str, ...] = ()
) -> M | dict[str, str]:
    """Return the model, or {field: message} naming each fault for the template."""
    data = {key: form.get(key) for key in form if key not in lists}
    data |= {key: form.getlist(key) for key in lists}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            message = error["msg"].removeprefix("Value error, ")
            if not field and ": " in message:
                field, message = message.split(": ", 1)
            errors.setdefault(field or "form", message)
        return errors


def parse_or_raise(model: type[M], form: MultiDict) -> M:
    """The model, or InvalidInput naming each fault (for forms without a page of their own)."""
    data = parse(model, form)
    if isinstance(data, dict):
        raise InvalidInput([f"{field}: {message}" for field, message in data.items()])
    return data
