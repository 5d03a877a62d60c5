"""Parts of members' pages (and figures) kept while nothing they show has changed.

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

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from kb.models import Organisation
from kb.services.accounts import Access
from kb.web.cache import SharedLRU, catalogue_version

CSRF_SLOT = "\x00csrf-token\x00"
_kept = SharedLRU(512)


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
