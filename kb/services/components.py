"""Components of an assessment against 62443-4-2: their fields and target SL-C, how each
meets the requirements of its type, and the achieved SL-C derived from that with the
zones' rule (kb.services.levels). Services add and flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from kb.errors import InvalidInput, NotFound, Problem, StaleEdit
from kb.models import (
    Assessment,
    Component,
    ComponentChange,
    ComponentRequirement,
    ContentItem,
    User,
)
from kb.schemas import ComponentInput, StateInput
from kb.services.changes import (
    apply_changes,
    record_changes,
    save_state,
    save_versioned,
)
from kb.services.levels import Derived, Item, State, applies_to, derive
from kb.services.zones import display

COMPONENT_FIELDS = ("name", "type", "product_version", "supplier", "sl_t")
PART = "62443-4-2"


def component_requirements(session: Session) -> list[ContentItem]:
    """Every requirement of 62443-4-2 (not its group pages), in catalogue order."""
    return list(
        session.exec(
            select(ContentItem)
            .where(
                ContentItem.part == PART,
                ContentItem.type != "group",
                col(ContentItem.retired).is_(False),
                col(ContentItem.sl_min).is_not(None),
            )
            .order_by(ContentItem.sort_key)
        )
    )


def for_type(requirements: list[ContentItem], component_type: str) -> list[ContentItem]:
    """The requirements that hold a component of this type."""
    return [r for r in requirements if applies_to(r.id, component_type)]


def _items(requirements: list[ContentItem]) -> list[Item]:
    """What the derivation needs; the common constraints (CCSC) bear on no FR."""
    return [
        Item(r.id, r.fr, r.sl_min, bool(r.meta.get("verify")))
        for r in requirements
        if r.fr is not None
    ]


def list_components(session: Session, assessment: Assessment) -> list[Component]:
    """The assessment's live components by name."""
    return list(
        session.exec(
            select(Component)
            .where(
                Component.assessment_id == assessment.id,
                col(Component.retired).is_(False),
            )
            .order_by(Component.name)
        )
    )


def get_component(
    session: Session, assessment: Assessment, component_id: int
) -> Component:
    """A component of this assessment; NotFound for any other id."""
    component = session.get(Component, component_id)
    if component is None or component.assessment_id != assessment.id:
        raise NotFound(f"There is no component {component_id} in this assessment.")
    return component


def requirement_of(session: Session, component: Component, key: str) -> ContentItem:
    """A requirement of 62443-4-2 that holds this component, by id or slug; NotFound
    for anything else (another part, a group, another type's requirement)."""
    from kb.content.kinds import slugify

    item = session.exec(
        select(ContentItem).where(
            ContentItem.slug == slugify(key),
            ContentItem.part == PART,
            ContentItem.type != "group",
            col(ContentItem.retired).is_(False),
        )
    ).first()
    if item is None or not applies_to(item.id, component.type):
        raise NotFound(
            f"'{key}' is not a requirement of IEC 62443-4-2 for the type "
            f"'{component.type}'."
        )
    return item


def _record(session, component, changed, user, reason="", requirement_id=None):
    record_changes(
        session,
        ComponentChange,
        changed,
        component_id=component.id,
        requirement_id=requirement_id,
        user_id=user.id,
        reason=reason,
    )


def _check_name(
    session: Session, assessment: Assessment, name: str, component: Component | None
) -> None:
    same = session.exec(
        select(Component).where(
            Component.assessment_id == assessment.id, Component.name == name
        )
    ).first()
    if same is not None and (component is None or same.id != component.id):
        retired = "retired " if same.retired else ""
        raise InvalidInput(
            [
                Problem(
                    "name",
                    f"this assessment has a {retired}component '{name}' already; "
                    "choose another name",
                )
            ]
        )


def create_component(
    session: Session, assessment: Assessment, data: ComponentInput, user: User
) -> Component:
    """Add a component with its target SL-C.

    Raises InvalidInput (nothing written) for a name the assessment has already.
    """
    _check_name(session, assessment, data.name, None)
    component = Component(
        assessment_id=assessment.id, type=data.type, updated_by=user.id
    )
    changed = apply_changes(
        component, data.model_dump(include=set(COMPONENT_FIELDS)), display, new=True
    )
    changed["sl_t"] = ("", display("sl_t", component.sl_t))
    session.add(component)
    session.flush()
    _record(session, component, changed, user, "created")
    return component


def update_component(
    session: Session, component: Component, data: ComponentInput, user: User
) -> Component:
    """Apply an edit based on the stored version; record each changed field.

    Raises StaleEdit or InvalidInput; either way nothing is written.
    """
    if data.version != component.version:
        raise StaleEdit(component)
    assessment = session.get(Assessment, component.assessment_id)
    _check_name(session, assessment, data.name, component)
    changed = apply_changes(
        component, data.model_dump(include=set(COMPONENT_FIELDS)), display, new=False
    )
    if changed:
        save_versioned(session, component, data.version, user.id, lambda: component)
        _record(session, component, changed, user)
    return component


def set_retired(
    session: Session, component: Component, retired: bool, user: User
) -> None:
    """Retire a component (it leaves the table; its history and states stay), or
    bring it back."""
    if component.retired == retired:
        return
    changed = apply_changes(component, {"retired": retired}, display, new=False)
    save_versioned(session, component, component.version, user.id, lambda: component)
    _record(session, component, changed, user)


def set_state(
    session: Session,
    component: Component,
    requirement: ContentItem,
    data: StateInput,
    user: User,
) -> ComponentRequirement:
    """Record how the component meets one requirement, if based on the stored version.

    Raises StaleEdit (nothing written) when someone saved it in between.
    """
    row, changed = save_state(
        session,
        ComponentRequirement,
        {"component_id": component.id},
        requirement.id,
        data,
        user.id,
    )
    if changed:
        _record(session, component, changed, user, requirement_id=requirement.id)
    return row


def history(
    session: Session, component: Component
) -> list[tuple[ComponentChange, str | None]]:
    """Every change of the component and its states, newest first, with who made it."""
    return list(
        session.exec(
            select(ComponentChange, User.email)
            .join(User, ComponentChange.user_id == User.id, isouter=True)
            .where(ComponentChange.component_id == component.id)
            .order_by(
                col(ComponentChange.changed_at).desc(), col(ComponentChange.id).desc()
            )
        )
    )


def states_of(
    session: Session, component_ids: list[int]
) -> dict[int, dict[str, ComponentRequirement]]:
    """Each component's states by requirement id, in one query."""
    out: dict[int, dict[str, ComponentRequirement]] = {i: {} for i in component_ids}
    for row in session.exec(
        select(ComponentRequirement).where(
            col(ComponentRequirement.component_id).in_(component_ids)
        )
    ):
        out[row.component_id][row.requirement_id] = row
    return out


def _derive(
    requirements: list[ContentItem],
    rows: dict[str, ComponentRequirement],
    component: Component,
) -> Derived:
    states = {rid: State(row.state, row.reason) for rid, row in rows.items()}
    return derive(
        _items(for_type(requirements, component.type)), states, component.sl_t
    )


@dataclass
class ComponentRow:
    """One requirement as a component's page shows it."""

    requirement: ContentItem
    state: ComponentRequirement | None
    in_target: bool

    @property
    def beyond_target(self) -> bool:
        return not self.in_target and self.state is not None


def _in_target(requirement: ContentItem, component: Component) -> bool:
    if requirement.fr is None:  # a common constraint holds at every level
        return True
    return requirement.sl_min <= component.sl_t[requirement.fr - 1]


@dataclass
class ComponentView:
    component: Component
    derived: Derived
    constraints: list[ComponentRow]
    rows_by_fr: dict[int, list[ComponentRow]]
    blockers: dict[int, list[ContentItem]]


def component_view(session: Session, component: Component) -> ComponentView:
    """A component's page: target and achieved SL-C, what blocks each FR, the common
    constraints, and every requirement of its type that its target holds it to (plus
    those beyond it that have a state)."""
    requirements = for_type(component_requirements(session), component.type)
    by_id = {r.id: r for r in requirements}
    rows = states_of(session, [component.id])[component.id]
    derived = _derive(requirements, rows, component)
    constraints = []
    rows_by_fr: dict[int, list[ComponentRow]] = {fr: [] for fr in range(1, 8)}
    for requirement in requirements:
        in_target = _in_target(requirement, component)
        state = rows.get(requirement.id)
        if requirement.fr is None:
            constraints.append(ComponentRow(requirement, state, in_target))
        elif in_target or state is not None:
            rows_by_fr[requirement.fr].append(
                ComponentRow(requirement, state, in_target)
            )
    return ComponentView(
        component=component,
        derived=derived,
        constraints=constraints,
        rows_by_fr=rows_by_fr,
        blockers={
            fr: [by_id[i.id] for i in items] for fr, items in derived.blockers.items()
        },
    )


def component_row(
    session: Session, component: Component, requirement: ContentItem
) -> ComponentRow:
    """One requirement of a component, as its row shows it."""
    state = states_of(session, [component.id])[component.id].get(requirement.id)
    return ComponentRow(requirement, state, _in_target(requirement, component))


@dataclass
class ComponentSummary:
    component: Component
    derived: Derived
    states: dict[str, ComponentRequirement]  # what the derivation read, by requirement


def vector_table(session: Session, assessment: Assessment) -> list[ComponentSummary]:
    """Every live component with target SL-C, achieved SL-C and gap, in three
    queries."""
    components = list_components(session, assessment)
    requirements = component_requirements(session)
    states = states_of(session, [c.id for c in components])
    return [
        ComponentSummary(c, _derive(requirements, states[c.id], c), states[c.id])
        for c in components
    ]
