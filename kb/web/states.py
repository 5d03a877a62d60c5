"""Saving how a zone meets one SR or RE, or a component one requirement of 4-2, from
the inline edit row. The zones and components blueprints share it: they differ only in
what they save and in the folder of the row's templates (`row.html`, `_row.html`,
`_row_edit.html`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, request
from werkzeug.wrappers import Response

from kb.errors import StaleEdit
from kb.models import utcnow
from kb.schemas import StateInput
from kb.services import snapshots
from kb.web.forms import parse
from kb.web.htmx import is_fragment_request, render, see_other


def save_state(
    session,
    context: dict,
    folder: str,
    save: Callable[[StateInput], Any],
    row_again: Callable[[], Any],
    page_url: str,
    edit_extra: Callable[[], dict] = dict,
) -> Response:
    """Validate the posted state and `save` it (after the month's automatic snapshot).

    A bad form is 422 and a stale one 409, each with the edit row again (`edit_extra()`
    adds to its context) and nothing saved. After the commit an htmx request gets the
    row as `row_again()` reads it, with an HX-Trigger; a plain form goes back to the page.
    """
    data = parse(StateInput, request.form)
    if isinstance(data, dict):
        return _edit_again(folder, context, request.form, data, 422, edit_extra)
    try:
        snapshots.monthly(session, context["assessment"], g.user, utcnow())
        save(data)
    except StaleEdit as stale:
        session.rollback()
        current = stale.current
        errors = {
            "form": "Someone else saved this after you opened it; what is stored "
            f"now: {current.state if current else 'nothing'}. "
            "Save again to put yours over it."
        }
        form = dict(request.form.items()) | {
            "version": current.version if current else 0
        }
        return _edit_again(folder, context, form, errors, 409, edit_extra)
    session.commit()
    if not is_fragment_request():
        return see_other(f"{page_url}#req-{context['row'].requirement.slug}")
    context["row"] = row_again()
    response = render(f"{folder}/row.html", f"{folder}/_row.html", **context)
    response.headers["HX-Trigger"] = "stateSaved"
    return response


def _edit_again(folder, context, form, errors, status, edit_extra) -> Response:
    return render(
        f"{folder}/row.html",
        f"{folder}/_row_edit.html",
        status=status,
        form=form,
        errors=errors,
        **edit_extra(),
        **context,
    )
