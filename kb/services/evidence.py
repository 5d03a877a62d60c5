"""The evidence register: an organisation's own artefacts, their files, their links to
register rows, and the history of every change. Services add and flush; the caller
commits."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from kb.errors import InvalidInput, NotFound, Problem, StaleEdit
from kb.models import (
    ContentItem,
    EvidenceChange,
    EvidenceItem,
    EvidenceLink,
    Organisation,
    StoredFile,
    User,
)
from kb.schemas import EvidenceInput
from kb.services.changes import apply_changes, record_changes, save_versioned
from kb.services.review import due_window, next_review, review_state
from kb.storage import FileStore, Upload
from kb.vocabulary import REVIEW_STATES

EDITABLE = ("type", "title", "owner", "collected_on", "next_review", "status", "url")
SORTS = {
    "title": EvidenceItem.title,
    "type": EvidenceItem.type,
    "owner": EvidenceItem.owner,
    "collected_on": EvidenceItem.collected_on,
    "next_review": EvidenceItem.next_review,
    "status": EvidenceItem.status,
    "updated": EvidenceItem.updated_at,
}


@dataclass
class EvidenceFilter:
    type: str | None = None
    owner: str | None = None
    requirement: str | None = None
    status: str | None = None
    review: str | None = None  # overdue | due | current
    retired: bool = False
    sort: str = "next_review"  # a key of SORTS; "-key" sorts descending
    page: int = 1


@dataclass
class Listed:
    """One evidence item as a list shows it."""

    item: EvidenceItem
    type_title: str
    file: StoredFile | None
    state: str | None


@dataclass
class Page:
    rows: list[Listed]
    total: int
    number: int
    pages: int


def evidence_types(session: Session) -> list[tuple[str, str]]:
    """(id, title) of every evidence type of the catalogue, by title."""
    return list(
        session.exec(
            select(ContentItem.id, ContentItem.title)
            .where(ContentItem.kind == "evidence", col(ContentItem.retired).is_(False))
            .order_by(ContentItem.title)
        )
    )


def _query(org: Organisation, filters: EvidenceFilter, today: date):
    query = select(EvidenceItem).where(EvidenceItem.organisation_id == org.id)
    if not filters.retired:
        query = query.where(col(EvidenceItem.retired).is_(False))
    if filters.type:
        query = query.where(EvidenceItem.type == filters.type)
    if filters.owner:
        query = query.where(
            func.lower(EvidenceItem.owner).contains(filters.owner.lower())
        )
    if filters.status:
        query = query.where(EvidenceItem.status == filters.status)
    if filters.review in REVIEW_STATES:
        start, end = due_window(filters.review, today)
        query = query.where(
            col(EvidenceItem.retired).is_(False),
            EvidenceItem.status != "superseded",
            col(EvidenceItem.next_review).is_not(None),
        )
        if start:
            query = query.where(col(EvidenceItem.next_review) >= start)
        if end:
            query = query.where(col(EvidenceItem.next_review) < end)
    if filters.requirement:
        linked = select(EvidenceLink.evidence_id).where(
            EvidenceLink.requirement_id == filters.requirement
        )
        query = query.where(col(EvidenceItem.id).in_(linked))
    return query


def list_items(
    session: Session,
    org: Organisation,
    filters: EvidenceFilter,
    page_size: int,
    today: date,
) -> Page:
    """One page of the organisation's evidence items, filtered and sorted."""
    query = _query(org, filters, today)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, filters.page), pages)
    key = filters.sort.removeprefix("-")
    column = col(SORTS.get(key, EvidenceItem.next_review))
    order = column.desc() if filters.sort.startswith("-") else column.asc()
    items = session.exec(
        query.order_by(order, col(EvidenceItem.id))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return Page(listed(session, items, today), total, page, pages)


def listed(session: Session, items: list[EvidenceItem], today: date) -> list[Listed]:
    """Items with their type's title, newest file and review state, in two queries."""
    titles = dict(
        session.exec(
            select(ContentItem.id, ContentItem.title).where(
                col(ContentItem.id).in_({item.type for item in items})
            )
        ).all()
    )
    files = newest_files(session, [item.id for item in items])
    return [
        Listed(
            item,
            titles.get(item.type, item.type),
            files.get(item.id),
            review_state(item.next_review, item.status, item.retired, today),
        )
        for item in items
    ]


def newest_files(session: Session, ids: list[int]) -> dict[int, StoredFile]:
    """The newest stored file of each item that has one."""
    files: dict[int, StoredFile] = {}
    for stored in session.exec(
        select(StoredFile)
        .where(col(StoredFile.evidence_id).in_(ids))
        .order_by(col(StoredFile.id))
    ):
        files[stored.evidence_id] = stored
    return files


def get_item(session: Session, org: Organisation, evidence_id: int) -> EvidenceItem:
    """The organisation's item; NotFound for another organisation's id."""
    item = session.get(EvidenceItem, evidence_id)
    if item is None or item.organisation_id != org.id:
        raise NotFound(f"There is no evidence item {evidence_id} here.")
    return item


def check_linkable(item: EvidenceItem, organisation_id: int) -> None:
    """Raise NotFound for another organisation's item, InvalidInput for a retired one:
    the rule for showing an item on a register row or on a zone's SR or RE."""
    if item.organisation_id != organisation_id:
        raise NotFound(f"There is no evidence item {item.id} here.")
    if item.retired:
        raise InvalidInput(
            [
                Problem(
                    "evidence_id",
                    f"evidence item {item.id} is retired; bring it back first",
                )
            ]
        )


def files_of(session: Session, item: EvidenceItem) -> list[StoredFile]:
    """Every file uploaded for the item, newest first."""
    return list(
        session.exec(
            select(StoredFile)
            .where(StoredFile.evidence_id == item.id)
            .order_by(col(StoredFile.id).desc())
        )
    )


def get_file(
    session: Session, item: EvidenceItem, file_id: int | None = None
) -> StoredFile:
    """The item's newest file, or one of its earlier files by id; NotFound otherwise."""
    for stored in files_of(session, item):
        if file_id is None or stored.id == file_id:
            return stored
    raise NotFound("This evidence item has no such file.")


def _check(
    session: Session, data: EvidenceInput, upload: Upload | None, has_file: bool
) -> None:
    problems = []
    evidence_type = session.get(ContentItem, data.type)
    if (
        evidence_type is None
        or evidence_type.kind != "evidence"
        or evidence_type.retired
    ):
        problems.append(
            Problem(
                "type",
                f"'{data.type}' is not an evidence type of the catalogue; "
                "pick one from the list (ids start with EV-)",
            )
        )
    if data.url and upload:
        problems.append(Problem("url", "give either a web address or a file, not both"))
    if not data.url and not upload and not has_file:
        problems.append(
            Problem("file", "upload a file or give the address where the artefact is")
        )
    if problems:
        raise InvalidInput(problems)


def display(field_name: str, value) -> str:
    """How a stored value reads in the history."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def _values(session: Session, data: EvidenceInput) -> dict:
    values = data.model_dump(include=set(EDITABLE))
    if values["next_review"] is None:
        cadence = session.get(ContentItem, data.type).meta.get("cadence", "yearly")
        values["next_review"] = next_review(data.collected_on or date.today(), cadence)
    return values


def record(
    session: Session,
    item: EvidenceItem,
    changed: dict[str, tuple[str, str]],
    user: User,
    reason: str,
) -> None:
    """Append the item's changed fields to its history."""
    record_changes(
        session,
        EvidenceChange,
        changed,
        evidence_id=item.id,
        user_id=user.id,
        reason=reason,
    )


def _keep_file(
    session: Session, store: FileStore, item: EvidenceItem, upload: Upload, user: User
) -> dict[str, tuple[str, str]]:
    previous = files_of(session, item)
    store.save(session, upload.storage_name, upload.data)
    stored = StoredFile(
        evidence_id=item.id,
        storage_name=upload.storage_name,
        filename=upload.filename,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        uploaded_by=user.id,
    )
    session.add(stored)
    old = previous[0] if previous else None
    shown = f"{upload.filename} (SHA-256 {upload.sha256[:12]}…)"
    return {
        "file": (f"{old.filename} (SHA-256 {old.sha256[:12]}…)" if old else "", shown)
    }


def create_item(
    session: Session,
    org: Organisation,
    data: EvidenceInput,
    upload: Upload | None,
    user: User,
    store: FileStore,
) -> EvidenceItem:
    """Add an item with its file or URL; the next review defaults from its type's cadence.

    Raises InvalidInput (nothing written) for an unknown type or a missing location.
    """
    _check(session, data, upload, has_file=False)
    item = EvidenceItem(organisation_id=org.id, updated_by=user.id)
    changed = apply_changes(item, _values(session, data), display, new=True)
    session.add(item)
    session.flush()
    if upload:
        changed |= _keep_file(session, store, item, upload, user)
    record(session, item, changed, user, data.reason or "created")
    return item


def update_item(
    session: Session,
    item: EvidenceItem,
    data: EvidenceInput,
    upload: Upload | None,
    user: User,
    store: FileStore,
) -> EvidenceItem:
    """Apply an edit based on the stored version; a new file keeps the earlier ones.

    Raises StaleEdit when someone saved the item in between (even at the same moment),
    InvalidInput for bad values; either way nothing is written.
    """
    if data.version != item.version:
        raise StaleEdit(item)
    has_file = bool(files_of(session, item))
    _check(session, data, upload, has_file=has_file)
    changed = apply_changes(item, _values(session, data), display, new=False)
    if upload:
        changed |= _keep_file(session, store, item, upload, user)
    if not changed:
        return item
    save_versioned(session, item, data.version, user.id, lambda: item)
    record(session, item, changed, user, data.reason or "")
    return item


def set_retired(
    session: Session, item: EvidenceItem, retired: bool, user: User, reason: str = ""
) -> None:
    """Retire an item (it leaves lists and register rows, its history stays) or bring
    it back."""
    if item.retired == retired:
        return
    changed = apply_changes(
        item, {"retired": retired}, lambda _n, v: "yes" if v else "no", new=False
    )
    save_versioned(session, item, item.version, user.id, lambda: item)
    record(session, item, changed, user, reason)


def history(
    session: Session, item: EvidenceItem
) -> list[tuple[EvidenceChange, str | None]]:
    """Every change of the item, newest first, with who made it."""
    return list(
        session.exec(
            select(EvidenceChange, User.email)
            .join(User, EvidenceChange.user_id == User.id, isouter=True)
            .where(EvidenceChange.evidence_id == item.id)
            .order_by(
                col(EvidenceChange.changed_at).desc(), col(EvidenceChange.id).desc()
            )
        )
    )


def overdue_count(session: Session, org: Organisation, today: date) -> int:
    """How many of the organisation's items are overdue for review."""
    query = _query(org, EvidenceFilter(review="overdue"), today)
    return session.exec(select(func.count()).select_from(query.subquery())).one()
