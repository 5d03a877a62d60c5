"""An assessment's register: every process requirement in scope with its score,
grouped, filtered and sorted, and what a group target would change. Saving a score is
in kb.services.scoring."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from kb.errors import NotFound
from kb.models import Assessment, ContentItem, Score, ScoreFields
from kb.services.evidence_links import OnRow, linked_items
from kb.services.rollups import ScoreRow
from kb.vocabulary import PROCESS_PARTS

SCORED_FIELDS = tuple(ScoreFields.model_fields)


@dataclass
class Row:
    requirement: ContentItem
    score: Score | None
    group: str
    evidence: list[OnRow] = field(default_factory=list)

    @property
    def gap(self) -> bool:
        """Below target: a gap exists only where current and target are both set."""
        return bool(self.as_score_row.gap)

    @cached_property
    def as_score_row(self) -> ScoreRow:
        """The row as the roll-ups count it (built once: templates ask for it often)."""
        s, requirement = self.score, self.requirement
        return ScoreRow(
            requirement.id,
            requirement.part,
            requirement.area_id,
            self.group if requirement.part == "62443-2-4" else None,
            applicable=s.applicable if s else True,
            current=s.current if s else None,
            target=s.target if s else None,
            due=s.due if s else None,
            status=s.status if s else "not started",
            owner=s.owner if s else "",
        )

    @property
    def overdue(self) -> bool:
        return self.as_score_row.overdue(date.today())


@dataclass
class RegisterFilter:
    group_by: str = "area"  # area | function
    area: str | None = None
    status: str | None = None
    gap: bool = False
    overdue: bool = False
    owner: str | None = None
    sort: str = "id"


@dataclass
class Group:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)

    @property
    def target(self) -> int | str | None:
        """The group's target as its control shows it: the one level its applicable
        rows share, "mixed" when they differ, None when none is set."""
        set_ = {r.score.target for r in self.rows if _applies(r) and r.score}
        set_.discard(None)
        if not set_:
            return None
        return set_.pop() if len(set_) == 1 else "mixed"


def _applies(row: Row) -> bool:
    return row.score is None or row.score.applicable


@dataclass
class TargetPlan:
    """What setting one target for a group does: rows without a target get it; rows
    whose own target differs are overwritten only when the person says so."""

    empty: list[Row]
    differing: list[Row]


def target_plan(rows: list[Row], target: int) -> TargetPlan:
    applicable = [r for r in rows if _applies(r)]
    return TargetPlan(
        empty=[r for r in applicable if r.score is None or r.score.target is None],
        differing=[
            r
            for r in applicable
            if r.score is not None and r.score.target not in (None, target)
        ],
    )


LIGHT_ROWS = [
    defer(ContentItem.body_html),
    defer(ContentItem.body_md),
    defer(ContentItem.summary),
    defer(ContentItem.meta),
    defer(ContentItem.scoring),
    defer(ContentItem.path),
]


def in_scope(assessment: Assessment):
    """The query of the process requirements the assessment's parts put in its register."""
    parts = [p for p in assessment.parts if p in PROCESS_PARTS]
    return select(ContentItem).where(
        ContentItem.kind == "requirement",
        col(ContentItem.retired).is_(False),
        ContentItem.type != "group",
        col(ContentItem.part).in_(parts),
        # 2-1 is scored on its 2024 elements; the 2010 ones are for reference.
        (ContentItem.part != "62443-2-1") | (ContentItem.edition == "2024"),
    )


def scope_size(session: Session, assessment: Assessment) -> int:
    """How many process requirements the assessment's parts put in its register."""
    return session.exec(
        select(func.count()).select_from(in_scope(assessment).subquery())
    ).one()


def register(
    session: Session, assessment: Assessment, filters: RegisterFilter
) -> list[Group]:
    """The register's rows, grouped and filtered, in a fixed number of queries."""
    requirements = session.exec(
        in_scope(assessment)
        .options(*LIGHT_ROWS)  # the register shows no bodies: do not load them
        .order_by(ContentItem.sort_key)
    ).all()
    scores = {
        s.requirement_id: s
        for s in session.exec(select(Score).where(Score.assessment_id == assessment.id))
    }
    titles = dict(
        session.exec(
            select(ContentItem.id, ContentItem.title).where(
                ContentItem.kind.in_(("area", "requirement")),  # type: ignore[attr-defined]
                (ContentItem.kind == "area") | (ContentItem.type == "group"),
            )
        ).all()
    )
    parents = dict(
        session.exec(
            select(ContentItem.id, ContentItem.parent_id).where(
                ContentItem.kind == "requirement"
            )
        ).all()
    )
    evidence = linked_items(session, assessment, date.today())
    groups: dict[str, Group] = {}
    for requirement in requirements:
        key = (
            requirement.area_id
            if filters.group_by == "area"
            else _root(requirement.id, parents)
        )
        row = Row(
            requirement,
            scores.get(requirement.id),
            key,
            evidence.get(requirement.id, []),
        )
        if not _keep(row, filters):
            continue
        groups.setdefault(key, Group(key, titles.get(key, key))).rows.append(row)
    for group in groups.values():
        key = filters.sort.removeprefix("-")
        group.rows.sort(
            key=SORTS.get(key, SORTS["id"]), reverse=filters.sort.startswith("-")
        )
    return [groups[key] for key in sorted(groups, key=lambda k: (len(k.split()[0]), k))]


def _root(item_id: str, parents: dict[str, str | None]) -> str:
    while parents.get(item_id):
        item_id = parents[item_id]
    return item_id


def _keep(row: Row, f: RegisterFilter) -> bool:
    s = row.score
    if f.area and row.requirement.area_id != f.area:
        return False
    if f.status and (s.status if s else "not started") != f.status:
        return False
    if f.owner and (not s or f.owner.lower() not in s.owner.lower()):
        return False
    return (not f.gap or row.gap) and (not f.overdue or row.overdue)


def _none_last(value):
    return (value is None, value if value is not None else 0)


SORTS = {  # one per key of REGISTER_SORTS
    "id": lambda r: r.requirement.sort_key,
    "current": lambda r: (
        _none_last(r.score and r.score.current),
        r.requirement.sort_key,
    ),
    "target": lambda r: (
        _none_last(r.score and r.score.target),
        r.requirement.sort_key,
    ),
    "gap": lambda r: (
        -((r.score.target or 0) - (r.score.current or 0)) if r.score else 0,
        r.requirement.sort_key,
    ),
    "due": lambda r: (_none_last(r.score and r.score.due), r.requirement.sort_key),
    "owner": lambda r: (
        (r.score.owner if r.score else "") or "~",
        r.requirement.sort_key,
    ),
    "status": lambda r: (
        r.score.status if r.score else "not started",
        r.requirement.sort_key,
    ),
}


def requirement_in_scope(
    session: Session, assessment: Assessment, key: str
) -> ContentItem:
    from kb.content.kinds import slugify

    item = session.exec(
        in_scope(assessment)
        .where(ContentItem.slug == slugify(key))
        .options(*LIGHT_ROWS)  # a row needs no body; the edit form loads its scoring
    ).first()
    if item is None:
        raise NotFound(f"Requirement '{key}' is not in the scope of this assessment.")
    return item
