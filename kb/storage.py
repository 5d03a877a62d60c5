"""Uploaded files: checking a file as it arrives, and keeping its bytes in the file
store. The store is the one small interface a deployment swaps (the database by default,
a folder for a single server; an object store would be a third class)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from sqlmodel import Session

from kb.errors import InvalidInput, Problem
from kb.models import FileBlob

CHUNK = 1024 * 1024
CONTENT_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")
MAX_NAME = 255


class FileStore(Protocol):
    def save(self, session: Session, name: str, data: bytes) -> None:
        """Keep `data` under `name`, inside the caller's transaction where possible."""

    def load(self, session: Session, name: str) -> bytes:
        """Return the bytes kept under `name`."""


class DatabaseStore:
    """Bytes in the FileBlob table: every app server sees them, and a rolled-back
    upload leaves nothing behind."""

    def save(self, session: Session, name: str, data: bytes) -> None:
        session.add(FileBlob(name=name, data=data))

    def load(self, session: Session, name: str) -> bytes:
        blob = session.get(FileBlob, name)
        if blob is None:
            raise FileNotFoundError(name)
        return blob.data


class FolderStore:
    """Bytes in a local folder, for one server. A file is written whole before its row
    commits; a rolled-back upload leaves an unreferenced file, never a missing one."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        return self.root / name[:2] / name

    def save(self, session: Session, name: str, data: bytes) -> None:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)

    def load(self, session: Session, name: str) -> bytes:
        return self._path(name).read_bytes()


def make_store(setting: str) -> FileStore:
    """The store a FILE_STORE setting names: "database", or a folder's path."""
    return DatabaseStore() if setting == "database" else FolderStore(Path(setting))


@dataclass
class Upload:
    """A checked upload: its bytes and what is kept about them."""

    filename: str
    content_type: str
    data: bytes
    sha256: str
    storage_name: str

    @property
    def size(self) -> int:
        return len(self.data)


def check_filename(name: str) -> list[Problem]:
    """Faults of an uploaded file's name; a name is data, never a path we open."""
    problems = []
    if not name:
        problems.append(Problem("file", "the file has no name"))
    if (
        "/" in name
        or "\\" in name
        or re.match(r"^[A-Za-z]:", name)
        or name in (".", "..")
    ):
        problems.append(
            Problem("file", f"'{name[:80]}' has folder parts; send the file's own name")
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        problems.append(Problem("file", "the file name contains control characters"))
    if len(name) > MAX_NAME:
        problems.append(
            Problem(
                "file",
                f"the file name has {len(name)} characters; at most {MAX_NAME} are allowed",
            )
        )
    return problems


def read_upload(
    stream: IO[bytes], filename: str, content_type: str | None, limit: int
) -> Upload:
    """Read an upload in chunks, refusing it as soon as it passes `limit` bytes.

    Raises InvalidInput for an empty or oversized file or a bad name.
    """
    problems = check_filename(filename)
    if problems:
        raise InvalidInput(problems)
    digest, chunks, size = hashlib.sha256(), [], 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise InvalidInput([Problem("file", too_large(limit))])
        digest.update(chunk)
        chunks.append(chunk)
    if size == 0:
        raise InvalidInput([Problem("file", "the file is empty")])
    kind = (content_type or "").split(";")[0].strip().lower()
    return Upload(
        filename=filename,
        content_type=kind if CONTENT_TYPE.match(kind) else "application/octet-stream",
        data=b"".join(chunks),
        sha256=digest.hexdigest(),
        storage_name=secrets.token_hex(16),
    )


def too_large(limit: int) -> str:
    return (
        f"the upload is larger than {limit / 1024 / 1024:.0f} MiB, the largest allowed"
    )
