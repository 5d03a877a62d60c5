"""The evidence register under load: a register of 5,000 items (first page, filtered),
and the upload and download of a 10 MiB file beside the database driver alone writing and
reading the same bytes."""

from __future__ import annotations

import json
import secrets
import sqlite3
import statistics
import time
import urllib.request
import uuid
from datetime import date, timedelta

from bench.register_bench import Browser

ITEMS = 5000
FILE_BYTES = 10 * 1024 * 1024
ROUNDS = 7


def seed(env: dict[str, str], org_slug: str, count: int = ITEMS) -> None:
    """Add `count` items of every evidence type to the organisation, in one transaction."""
    from sqlmodel import select

    from kb import create_app
    from kb.db import get_session
    from kb.models import ContentItem, EvidenceItem
    from kb.services.accounts import get_org

    app = create_app(
        {"DATABASE_URL": env["KB_DATABASE_URL"], "INDEX_DIR": env["KB_INDEX_DIR"]}
    )
    with app.app_context():
        session = get_session()
        org = get_org(session, org_slug)
        types = session.exec(
            select(ContentItem.id).where(ContentItem.kind == "evidence")
        ).all()
        today = date.today()
        session.add_all(
            EvidenceItem(
                organisation_id=org.id,
                type=types[n % len(types)],
                title=f"Evidence item {n}",
                owner=("Priya", "Sam", "Alex", "Jo")[n % 4],
                next_review=today + timedelta(days=n % 400 - 60),
                status=("current", "current", "draft", "superseded")[n % 4],
                url=f"https://intranet.example/doc/{n}",
            )
            for n in range(count)
        )
        session.commit()
    app.extensions["kb.db"].dispose()


def _multipart(fields: dict[str, str], data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + data
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def upload_download(browser: Browser, org_slug: str) -> dict[str, float]:
    """Median ms to upload a 10 MiB file through the API, and to download it."""
    data = secrets.token_bytes(FILE_BYTES)
    token = browser.token(f"/orgs/{org_slug}/evidence/new")
    uploads, downloads = [], []
    for n in range(ROUNDS):
        body, content_type = _multipart(
            {"title": f"Big file {n}", "type": "EV-BACKUP-LOG"}, data
        )
        request = urllib.request.Request(
            f"{browser.base}/api/v1/orgs/{org_slug}/evidence",
            body,
            {"Content-Type": content_type, "X-CSRFToken": token},
        )
        start = time.perf_counter()
        with browser.opener.open(request) as response:
            item = json.loads(response.read())
        uploads.append(time.perf_counter() - start)
        start = time.perf_counter()
        with browser.opener.open(browser.base + item["file_url"]) as response:
            assert response.read() == data
        downloads.append(time.perf_counter() - start)
    return {
        "upload": statistics.median(uploads) * 1000,
        "download": statistics.median(downloads) * 1000,
    }


def raw_driver(database_url: str) -> dict[str, float]:
    """Median ms for the driver alone to insert and select the same 10 MiB."""
    data = secrets.token_bytes(FILE_BYTES)
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        placeholder = "?"
    else:
        import psycopg

        connection = psycopg.connect(database_url.replace("+psycopg", ""))
        placeholder = "%s"
    writes, reads = [], []
    try:
        for _ in range(ROUNDS):
            name = secrets.token_hex(16)
            start = time.perf_counter()
            connection.execute(
                f"INSERT INTO fileblob (name, data) VALUES ({placeholder}, {placeholder})",
                (name, data),
            )
            connection.commit()
            writes.append(time.perf_counter() - start)
            start = time.perf_counter()
            row = connection.execute(
                f"SELECT data FROM fileblob WHERE name = {placeholder}", (name,)
            ).fetchone()
            assert bytes(row[0]) == data
            reads.append(time.perf_counter() - start)
    finally:
        connection.close()
    return {
        "write": statistics.median(writes) * 1000,
        "read": statistics.median(reads) * 1000,
    }
