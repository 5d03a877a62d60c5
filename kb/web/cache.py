"""An in-process cache of rendered catalogue responses for anonymous readers.

The catalogue changes only when `kb load` runs, which rewrites the search index's digest
file; each cached response is valid while that file is unchanged. Only requests without a
session cookie are served from it (so it runs first, before the login machinery), and
responses that set a cookie, carry an error, or come from a view not marked `@cached` are
never stored.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from pathlib import Path
from threading import Lock
from typing import Any

from cachetools import LRUCache
from flask import Flask, Response, current_app, g, request

from kb.search import DIGEST_FILE
from kb.web.htmx import is_fragment_request

MAX_ENTRIES = 2000


class SharedLRU:
    """A least-recently-used cache that the threads of a threaded server may share."""

    def __init__(self, maxsize: int) -> None:
        self._entries: LRUCache = LRUCache(maxsize=maxsize)
        self._lock = Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def catalogue_version() -> int | None:
    """Changes whenever `kb load` loads the catalogue (the index digest's mtime)."""
    try:
        return os.stat(Path(current_app.config["INDEX_DIR"]) / DIGEST_FILE).st_mtime_ns
    except OSError:
        return None


class PageCache:
    def __init__(self) -> None:
        self.entries = SharedLRU(MAX_ENTRIES)
        self.version: int | None = None

    def key(self) -> tuple | None:
        view = current_app.view_functions.get(request.endpoint or "")
        if request.method != "GET" or not getattr(view, "kb_cached", False):
            return None
        if (
            current_app.config["SESSION_COOKIE_NAME"] in request.cookies
            or "Authorization" in request.headers
        ):
            return None  # someone with a session or a token: check and render for them
        # the host too: OSCAL documents carry absolute addresses
        return (request.host, request.full_path, is_fragment_request())

    def lookup(self) -> Response | None:
        key = self.key()
        if key is None:
            return None
        version = catalogue_version()
        if version != self.version:
            self.entries.clear()
            self.version = version
        hit = self.entries.get(key)
        if hit is None:
            g.kb_cache_key = key
            return None
        body, status, headers = hit
        return Response(body, status, headers)

    def store(self, response: Response) -> Response:
        key = g.pop("kb_cache_key", None)
        if (
            key is None
            or response.status_code != 200
            or "Set-Cookie" in response.headers
            or response.direct_passthrough
        ):
            return response
        self.entries.put(
            key,
            (response.get_data(), response.status_code, list(response.headers.items())),
        )
        return response


def cached(view: Callable) -> Callable:
    """Mark a catalogue view whose response depends only on the URL and the content."""
    view.kb_cached = True  # type: ignore[attr-defined]
    return view


def init_app(app: Flask) -> None:
    cache = PageCache()
    app.extensions["kb.page_cache"] = cache
    app.before_request(cache.lookup)
    app.after_request(cache.store)
