"""Who is logged in, kept by each server process between requests.

Every member's page needs the user and their organisations: whether the account is
active, the roles, and each organisation's revision, under which pages are kept
rendered (kb.web.fragments). Reading them is one query a request, which costs about
as much as the rest of a kept page, on PostgreSQL the more for its round trip
(docs/benchmarks.md (14)). So the views marked `reads_only` take them from this memo.

It keeps them only while the process hears of every change, and forgets all it keeps
at each one:
- On PostgreSQL, triggers on the tables of users, memberships and organisations
  announce each committed change on `MEMBERS_CHANNEL` (an organisation's revision moves
  with every change to its records, so that covers them all). A thread of the process
  listens. While it is not listening (starting, or its connection lost), nothing is
  kept and every request reads the database. An announcement arrives within
  milliseconds of the commit; so that nobody misses their own change for those
  milliseconds (the next page may be served by another process), a person's requests
  read the database for a moment after each one that may write.
- On SQLite, before each lookup, `PRAGMA data_version` on a connection of the
  process's own says whether any other connection has committed since.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable
from threading import Lock, Thread
from typing import Protocol

import psycopg
from flask import Flask, current_app, request, session

from kb.db import get_session, reading
from kb.models import Organisation, User
from kb.models.accounts import MEMBERS_CHANNEL
from kb.services.accounts import user_and_organisations

Found = tuple[User, list[tuple[Organisation, str]]]
EXTENSION = "kb.member_memo"
WROTE_AT = "kb_wrote_at"  # in the session cookie: when the person last sent a write
OWN_WRITES_SECONDS = 1.0
CHECK_SECONDS = 10.0  # a quiet listening connection is checked this often
RETRY_SECONDS = 1.0  # after the listening connection is lost
log = logging.getLogger(__name__)


class Watcher(Protocol):
    def watch(self, memo: MemberMemo) -> None:
        """Called before each lookup: tell `memo` to forget on a change."""


class MemberMemo:
    """The users found lately, each with their organisations and roles, for as long as
    no change has been seen since they were read."""

    def __init__(self, watcher: Watcher) -> None:
        self._watcher = watcher
        self._lock = Lock()
        self._found: dict[int, Found] = {}
        self._generation = 0  # moves whenever what was read before may be stale
        self._watching = False

    @property
    def watching(self) -> bool:
        """Whether every change is seen now, so that what is read may be kept."""
        return self._watching

    def find(self, user_id: int, load: Callable[[], Found | None]) -> Found | None:
        """The user kept for `user_id`, else `load()`, kept unless a change was seen
        while it loaded. What it keeps is shared between requests and threads: `load`
        must return objects outside any session."""
        self._watcher.watch(self)
        with self._lock:
            kept = self._found.get(user_id) if self._watching else None
            generation = self._generation
        if kept is not None:
            return kept
        found = load()
        with self._lock:
            if found and self._watching and generation == self._generation:
                self._found[user_id] = found
        return found

    def forget(self, watching: bool | None = None) -> None:
        """Forget everything kept (and start or stop keeping)."""
        with self._lock:
            self._generation += 1
            self._found.clear()
            if watching is not None:
                self._watching = watching


class Announcements:
    """PostgreSQL: a thread of each process listens on `MEMBERS_CHANNEL`."""

    def __init__(self, connect: Callable[[], psycopg.Connection]) -> None:
        self._connect = connect
        self._lock = Lock()
        self._pid: int | None = None

    def watch(self, memo: MemberMemo) -> None:
        """Start this process's listener once; a forked server worker starts its own."""
        pid = os.getpid()
        if self._pid == pid:
            return
        with self._lock:
            if self._pid == pid:
                return
            memo.forget(watching=False)  # before any lookup may pass the check above
            self._pid = pid
        Thread(
            target=self._listen, args=(memo,), name="kb-member-memo", daemon=True
        ).start()

    def _listen(self, memo: MemberMemo) -> None:
        while True:
            try:
                with self._connect() as connection:
                    connection.execute(f"LISTEN {MEMBERS_CHANNEL}")
                    memo.forget(watching=True)
                    while True:
                        for _announced in connection.notifies(timeout=CHECK_SECONDS):
                            memo.forget()
                        connection.execute("SELECT 1")  # raises if the link died
            except Exception as error:  # whatever stops it, an announcement may be lost
                memo.forget(watching=False)
                log.warning("not listening for changes (%s); retrying", error)
            time.sleep(RETRY_SECONDS)


class DataVersion:
    """SQLite: each lookup first asks whether the database changed (a few µs)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = Lock()
        self._pid: int | None = None
        self._connection: sqlite3.Connection | None = None
        self._seen: int | None = None

    def watch(self, memo: MemberMemo) -> None:
        with self._lock:  # held while forgetting, so no lookup passes a change
            try:
                if self._pid != os.getpid():  # a connection never crosses a fork
                    self._connection = sqlite3.connect(
                        self._path, check_same_thread=False
                    )
                    self._pid, self._seen = os.getpid(), None
                (version,) = self._connection.execute("PRAGMA data_version").fetchone()
            except sqlite3.Error:
                self._pid = None  # open a new connection next time
                memo.forget(watching=False)
                return
            if version != self._seen:
                self._seen = version
                memo.forget(watching=True)


def find_member(user_id: int) -> Found | None:
    """The user and their organisations for this request (None: no such user): from
    the memo for a view that only reads, else read in the request's session."""
    memo: MemberMemo | None = current_app.extensions.get(EXTENSION)
    wrote_at = session.get(WROTE_AT, 0.0)
    if memo is None or not reading() or time.time() - wrote_at < OWN_WRITES_SECONDS:
        return user_and_organisations(get_session(), user_id)
    return memo.find(user_id, lambda: _read_apart(user_id))


def _read_apart(user_id: int) -> Found | None:
    """Read in a session of its own, closed at once: what it returns belongs to no
    session, so that later requests may share it."""
    with current_app.extensions["kb.read_sessions"]() as apart:
        return user_and_organisations(apart, user_id)


def _note_writes(response):
    if request.method not in ("GET", "HEAD", "OPTIONS") and "_user_id" in session:
        session[WROTE_AT] = time.time()
    return response


def init_app(app: Flask) -> None:
    """Keep who is logged in, unless MEMBER_MEMO is off or the database is in memory."""
    if not app.config["MEMBER_MEMO"]:
        return
    engine = app.extensions["kb.db"]
    if engine.dialect.name == "sqlite":
        if not engine.url.database or engine.url.database == ":memory:":
            return
        watcher: Watcher = DataVersion(engine.url.database)
    else:
        args, options = engine.dialect.create_connect_args(engine.url)

        def connect() -> psycopg.Connection:
            return psycopg.connect(
                *args,
                **options,
                autocommit=True,
                connect_timeout=5,
                tcp_user_timeout=int(CHECK_SECONDS * 1000),  # a dead link fails
            )

        watcher = Announcements(connect)
        app.after_request(_note_writes)  # SQLite sees a change at the next lookup
    app.extensions[EXTENSION] = MemberMemo(watcher)
