"""Who is logged in, kept per server process (kb.web.member_memo): kept while no
change is seen, forgotten at each one, never kept while nobody listens (PostgreSQL),
and a person's own change seen at once."""

from __future__ import annotations

import queue
import time

import psycopg
import pytest
from sqlalchemy import event, update

from kb.models import Membership, Organisation, User
from kb.web import member_memo
from kb.web.member_memo import EXTENSION, Announcements, MemberMemo
from tests import factories
from tests.conftest import Login, make_app, run_cli, session_for

LOST = object()  # put on a fake connection's queue: the link dies
BROKEN = object()  # or something unforeseen fails


def eventually(condition, seconds: float = 10.0) -> bool:
    """Whether `condition()` comes true within `seconds` (announcements and the
    listener's reconnection are asynchronous)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


class FakeConnection:
    """A listening connection whose announcements the test sends."""

    def __init__(self, announcements: queue.Queue) -> None:
        self.announcements = announcements
        self.statements: list[str] = []

    def __enter__(self):
        return self

    def __exit__(self, *_exc) -> None:
        return None

    def execute(self, statement: str) -> None:
        self.statements.append(statement)

    def notifies(self, timeout: float):
        try:
            item = self.announcements.get(timeout=timeout)
        except queue.Empty:
            return
        if item is LOST:
            raise psycopg.OperationalError("server closed the connection")
        if item is BROKEN:
            raise RuntimeError("unforeseen")
        yield item


@pytest.fixture
def memo(monkeypatch):
    monkeypatch.setattr(member_memo, "RETRY_SECONDS", 0.01)
    announcements: queue.Queue = queue.Queue()
    connections: list[FakeConnection] = []

    def connect() -> FakeConnection:
        connections.append(FakeConnection(announcements))
        return connections[-1]

    made = MemberMemo(Announcements(connect))
    made.announce = announcements.put
    made.connections = connections
    return made


def counting(found):
    loads = []

    def load():
        loads.append(1)
        return found

    return loads, load


def test_kept_while_listening_and_forgotten_on_an_announcement(memo):
    memo.find(1, lambda: ("user", []))  # starts the listener
    assert eventually(lambda: memo.watching)
    assert memo.connections[0].statements == ["LISTEN kb_members"]
    loads, load = counting(("user", []))
    memo.forget()
    assert memo.find(1, load) == ("user", [])
    assert memo.find(1, load) == ("user", [])
    assert len(loads) == 1  # the second was kept
    memo.announce("changed")
    assert eventually(lambda: memo.find(1, load) and len(loads) == 2)
    memo.find(1, load)
    assert len(loads) == 2


def test_nothing_is_kept_while_the_link_is_lost_until_it_listens_again(
    memo, monkeypatch
):
    loads, load = counting(("user", []))
    memo.find(1, load)
    assert eventually(lambda: memo.watching)
    memo.find(1, load)
    monkeypatch.setattr(member_memo, "RETRY_SECONDS", 60)
    memo.announce(LOST)
    assert eventually(lambda: not memo.watching)
    before = len(loads)
    memo.find(1, load)
    memo.find(1, load)
    assert len(loads) == before + 2  # read each time: nobody would hear a change


@pytest.mark.parametrize("failure", [LOST, BROKEN], ids=["link lost", "unforeseen"])
def test_stops_keeping_then_listens_again_after_a_failure(memo, monkeypatch, failure):
    memo.find(1, lambda: ("user", []))
    assert eventually(lambda: memo.watching)
    monkeypatch.setattr(member_memo, "RETRY_SECONDS", 0.5)
    memo.announce(failure)
    assert eventually(lambda: not memo.watching)
    assert eventually(lambda: len(memo.connections) == 2 and memo.watching)
    assert memo.connections[1].statements == ["LISTEN kb_members"]


def test_a_read_overtaken_by_an_announcement_is_not_kept(memo):
    memo.find(1, lambda: ("user", []))
    assert eventually(lambda: memo.watching)

    def load_while_announced():
        memo.forget()  # as the listener does when a change is announced meanwhile
        return ("old user", [])

    assert memo.find(2, load_while_announced) == ("old user", [])
    loads, load = counting(("new user", []))
    assert memo.find(2, load) == ("new user", [])
    assert loads == [1]


def test_no_user_is_not_kept(memo):
    memo.find(1, lambda: None)
    assert eventually(lambda: memo.watching)
    assert memo.find(3, lambda: None) is None
    loads, load = counting(("user", []))
    assert memo.find(3, load) == ("user", [])
    assert loads == [1]


# -- on the real database, as a server process runs it ----------------------------------


@pytest.fixture
def served(tmp_path, monkeypatch):
    """An app with the memo on and a committed world (nothing rolled back): Acme with
    its admin logged in, the memo watching and the org list already read once."""
    app = make_app(tmp_path, MEMBER_MEMO=True)
    assert run_cli(app, "load").exit_code == 0
    with session_for(app) as db:
        acme = factories.make_org(db, name="Acme Water")
        admin = factories.make_user(db, email="admin@acme.test", org=acme, role="admin")
        factories.make_assessment(db, org=acme, name="Acme FY26 baseline")
        db.commit()
        ids = {"acme": acme.id, "admin": admin.id}
    client = app.test_client()
    Login(client)("admin@acme.test")
    memo: MemberMemo = app.extensions[EXTENSION]
    monkeypatch.setattr(member_memo, "OWN_WRITES_SECONDS", 0.0)
    assert client.get("/orgs/acme-water/assessments").status_code == 200
    assert eventually(lambda: memo.watching)
    return app, client, memo, ids


def statements_of(app, request):
    """The SQL statements a request sends."""
    sent = []

    def note(_conn, _cursor, statement, *_args):
        sent.append(statement)

    engine = app.extensions["kb.db"]
    event.listen(engine, "before_cursor_execute", note)
    try:
        response = request()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return response, sent


def commit(app, statement) -> None:
    with session_for(app) as db:
        db.exec(statement)
        db.commit()


def test_a_kept_page_is_served_without_the_database(served):
    app, client, _memo, _ids = served
    client.get("/orgs/acme-water/assessments")
    response, sent = statements_of(
        app, lambda: client.get("/orgs/acme-water/assessments")
    )
    assert "Acme FY26 baseline" in response.text
    assert sent == []


def test_a_removed_member_is_refused_once_the_change_is_announced(served):
    app, client, _memo, ids = served
    client.get("/orgs/acme-water/assessments")
    with session_for(app) as db:
        db.delete(db.get(Membership, (ids["admin"], ids["acme"])))
        db.commit()
    assert eventually(
        lambda: client.get("/orgs/acme-water/assessments").status_code == 404
    )


def test_a_deactivated_user_is_logged_out_once_the_change_is_announced(served):
    app, client, _memo, ids = served
    commit(app, update(User).where(User.id == ids["admin"]).values(active=False))
    assert eventually(
        lambda: client.get("/orgs/acme-water/assessments").status_code == 302
    )
    assert "/login" in client.get("/orgs/acme-water/assessments").location


def test_another_persons_change_shows_once_announced(served):
    """A rename by someone else: both read-only pages, rendered afresh from what the
    memo keeps, show it."""
    app, client, _memo, ids = served
    commit(
        app,
        update(Organisation)
        .where(Organisation.id == ids["acme"])
        .values(name="Acme Water Renamed", revision="r-renamed"),
    )
    assert eventually(
        lambda: "Acme Water Renamed" in client.get("/orgs/acme-water/assessments").text
    )
    page = client.get("/orgs/acme-water/assessments")
    register = page.text.split('href="/assessments/')[1].split('"')[0]
    shown = client.get(f"/assessments/{register}")
    assert shown.status_code == 200
    assert "Acme Water Renamed" in shown.text


def test_a_persons_own_change_shows_at_once_even_before_it_is_announced(
    served, monkeypatch
):
    app, client, memo, _ids = served
    client.get("/orgs/acme-water/assessments")
    forget = memo.forget
    # On PostgreSQL the announcement is late: the listener hears nothing until the
    # test lets it. (SQLite sees the change at the next lookup.)
    monkeypatch.setattr(
        memo,
        "forget",
        lambda watching=None: None if watching is None else forget(watching),
    )
    monkeypatch.setattr(member_memo, "OWN_WRITES_SECONDS", 1.0)
    created = client.post(
        "/orgs/acme-water/assessments",
        data={"name": "Second look", "parts": ["62443-2-4"]},
    )
    assert created.status_code == 303
    assert "Second look" in client.get("/orgs/acme-water/assessments").text
