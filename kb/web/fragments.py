"""Parts of members' pages (and figures) kept while nothing they show has changed.

A region of a catalogue page that is the same for every reader (the coverage matrix) is
kept under the catalogue's version alone (`catalogue_region`): anonymous readers get the
whole page from kb.web.cache, members the page around the kept region.

A fragment (the register's rows, a dashboard's body) is kept under the organisation's
revision (kb.revisions: it changes with every committed change to the organisation's
records), the catalogue's version, the day, the reader's role and what the page names
(its assessment, filters). The page around it (who is logged in, messages, the badge
of overdue evidence) is rendered for each request. A fragment's forms carry the
reader's own CSRF token: the token is kept as a placeholder and put back per request.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from kb.models import Organisation
from kb.services.accounts import Access
from kb.web.cache import SharedLRU, catalogue_version

CSRF_SLOT = "\x00csrf-token\x00"
_kept = SharedLRU(512)
_catalogue_regions = SharedLRU(64)  # few: a matrix region of a large catalogue is MBs


def kept(org: Organisation, name: Hashable, compute: Callable[[], Any]) -> Any:
    """`compute()`, computed once while the organisation's records, the catalogue and
    the day stay as they are."""
    key = (org.id, org.revision, catalogue_version(), date.today(), name)
    value = _kept.get(key)
    if value is None:
        value = compute()
        _kept.put(key, value)
    return value


def fragment(access: Access, name: Hashable, render: Callable[[], str]) -> Markup:
    """The HTML of `render()` for this reader, rendered once per state of `name`."""
    token = generate_csrf()
    html = kept(
        access.org, (access.role, name), lambda: render().replace(token, CSRF_SLOT)
    )
    return Markup(html.replace(CSRF_SLOT, token))


def catalogue_region(name: Hashable, render: Callable[[], str]) -> Markup:
    """The HTML of `render()`, rendered once per catalogue version; it must hold no
    form and nothing of the reader."""
    key = (current_app.config["INDEX_DIR"], catalogue_version(), name)
    html = _catalogue_regions.get(key)
    if html is None:
        html = render()
        _catalogue_regions.put(key, html)
    return Markup(html)


def whole_page(access: Access, name: Hashable, render: Callable[[], str]) -> str:
    """A member's whole page, kept like a fragment and also under the reader and the
    revisions of all their organisations (the header's overdue badge counts them); a
    page with a message to show is rendered afresh."""
    if session.get("_flashes"):
        return render()
    everyone = tuple((org.id, org.revision) for org, _role in g.organisations)
    return fragment(access, ("page", g.user.id, everyone, name), render)
