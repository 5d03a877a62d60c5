"""Uploads are checked as they arrive; the stores keep exactly the bytes given."""

from __future__ import annotations

import hashlib
import io

import pytest

from kb.errors import InvalidInput
from kb.storage import FolderStore, check_filename, read_upload


@pytest.mark.parametrize(
    ("name", "fault"),
    [
        ("../../x", "folder parts"),
        ("C:\\x", "folder parts"),
        ("C:x.pdf", "folder parts"),
        ("dir/report.pdf", "folder parts"),
        ("..", "folder parts"),
        ("bad\x07name.pdf", "control characters"),
        ("new\nline.pdf", "control characters"),
        ("a" * 300, "300 characters; at most 255"),
        ("", "has no name"),
    ],
)
def test_bad_file_names_are_refused_with_the_reason(name, fault):
    problems = check_filename(name)
    assert problems and fault in problems[0].message and problems[0].where == "file"


@pytest.mark.parametrize(
    "name", ["report.pdf", "report.pdf.exe", "Prüfbericht 2026 (v2).xlsx", "a" * 255]
)
def test_ordinary_and_double_extension_names_are_kept_as_data(name):
    assert check_filename(name) == []


def test_an_upload_is_hashed_and_named_by_us():
    data = b"firewall rules\n" * 1000
    upload = read_upload(io.BytesIO(data), "rules.txt", "text/plain", 1 << 20)
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert upload.size == len(data) and upload.filename == "rules.txt"
    assert len(upload.storage_name) == 32 and "rules" not in upload.storage_name


def test_an_odd_content_type_is_kept_as_octet_stream():
    upload = read_upload(io.BytesIO(b"x"), "x.bin", "text/html<script>", 10)
    assert upload.content_type == "application/octet-stream"


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk


def test_an_oversized_upload_stops_being_read_past_the_limit():
    stream = CountingStream(b"x" * (5 << 20))
    with pytest.raises(InvalidInput) as raised:
        read_upload(stream, "big.bin", None, 1 << 20)
    assert "larger than 1 MiB" in str(raised.value)
    assert stream.read_bytes <= 2 << 20  # one chunk past the limit, not 5 MiB


def test_an_empty_upload_is_refused():
    with pytest.raises(InvalidInput, match="the file is empty"):
        read_upload(io.BytesIO(b""), "empty.pdf", "application/pdf", 10)


def test_the_folder_store_gives_back_the_same_bytes(tmp_path):
    store = FolderStore(tmp_path / "files")
    store.save(None, "ab12", b"\x00\x01binary")
    assert store.load(None, "ab12") == b"\x00\x01binary"
    assert not list((tmp_path / "files").rglob("*.part"))
