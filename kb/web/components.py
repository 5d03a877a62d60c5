"""Components of an assessment (62443-4-2): the table of target and achieved SL-C, each
component's page, and how it meets every requirement of its type, edited inline."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request, url_for
from flask_login import login_required

from kb.errors import InvalidInput, StaleEdit
from kb.schemas import ComponentInput
from kb.services import components as service
from kb.services.charts import paired_bars
from kb.vocabulary import FOUNDATIONAL_REQUIREMENTS
from kb.web import states
from kb.web.access import load_assessment
from kb.web.forms import as_errors, validate, with_vector
from kb.web.htmx import render, see_other

bp = Blueprint(
    "components", __name__, url_prefix="/assessments/<int:assessment_id>/components"
)


def _index_page(session, assessment, access, form, errors, status=200):
    return render_template(
        "components/index.html",
        assessment=assessment,
        access=access,
        rows=service.vector_table(session, assessment),
        form=form,
        errors=errors,
    ), status


@bp.get("")
@login_required
def index(assessment_id: int):
    """Every component with its target SL-C, achieved SL-C and gap per FR."""
    session, assessment, access = load_assessment(assessment_id)
    return _index_page(session, assessment, access, {}, {})


@bp.post("")
@login_required
def create(assessment_id: int):
    """Add a component."""
    session, assessment, access = load_assessment(assessment_id, "editor")
    try:
        data = validate(ComponentInput, with_vector(request.form))
        component = service.create_component(session, assessment, data, g.user)
    except InvalidInput as exc:
        session.rollback()
        return _index_page(
            session, assessment, access, request.form, as_errors(exc.problems), 422
        )
    session.commit()
    return see_other(
        url_for(
            "components.show", assessment_id=assessment.id, component_id=component.id
        )
    )


def _component(assessment_id: int, component_id: int, need: str = "viewer"):
    session, assessment, access = load_assessment(assessment_id, need)
    component = service.get_component(session, assessment, component_id)
    return session, assessment, access, component


@bp.get("/<int:component_id>")
@login_required
def show(assessment_id: int, component_id: int):
    """A component's target SL-C against achieved SL-C, what blocks each FR, and the
    requirements of its type."""
    session, assessment, access, component = _component(assessment_id, component_id)
    view = service.component_view(session, component)
    return render_template(
        "components/show.html",
        assessment=assessment,
        access=access,
        view=view,
        chart=paired_bars(
            list(FOUNDATIONAL_REQUIREMENTS), view.derived.sl_t, view.derived.sl_a
        ),
    )


def _form_values(component) -> dict:
    values = {name: getattr(component, name) for name in service.COMPONENT_FIELDS}
    values["version"] = component.version
    values |= {f"sl_t_{fr}": n for fr, n in enumerate(component.sl_t, start=1)}
    return values


def _edit_page(assessment, access, component, form, errors, status=200, **extra):
    return render_template(
        "components/edit.html",
        assessment=assessment,
        access=access,
        component=component,
        form=form,
        errors=errors,
        **extra,
    ), status


@bp.get("/<int:component_id>/edit")
@login_required
def edit(assessment_id: int, component_id: int):
    """The edit form of a component."""
    _s, assessment, access, component = _component(
        assessment_id, component_id, "editor"
    )
    return _edit_page(assessment, access, component, _form_values(component), {})


@bp.post("/<int:component_id>")
@login_required
def update(assessment_id: int, component_id: int):
    """Save an edit if nobody saved the component in between."""
    session, assessment, access, component = _component(
        assessment_id, component_id, "editor"
    )
    try:
        data = validate(ComponentInput, with_vector(request.form))
        service.update_component(session, component, data, g.user)
    except InvalidInput as exc:
        session.rollback()
        component = service.get_component(session, assessment, component_id)
        errors = as_errors(exc.problems)
        return _edit_page(assessment, access, component, request.form, errors, 422)
    except StaleEdit:
        session.rollback()
        component = service.get_component(session, assessment, component_id)
        message = (
            "Someone else saved this component after you opened it. Your changes are "
            "below, not saved; what is stored now is on the right."
        )
        return _edit_page(
            assessment,
            access,
            component,
            request.form,
            {"form": message},
            409,
            theirs=component,
        )
    session.commit()
    return see_other(
        url_for(
            "components.show", assessment_id=assessment.id, component_id=component.id
        )
    )


@bp.post("/<int:component_id>/retire")
@login_required
def retire(assessment_id: int, component_id: int):
    """Retire a component (its history stays), or bring it back with retired=0."""
    session, assessment, _access, component = _component(
        assessment_id, component_id, "editor"
    )
    retired = request.form.get("retired", "1") == "1"
    service.set_retired(session, component, retired, g.user)
    session.commit()
    target = "components.index" if retired else "components.show"
    return see_other(
        url_for(target, assessment_id=assessment.id, component_id=component.id)
    )


@bp.get("/<int:component_id>/history")
@login_required
def history(assessment_id: int, component_id: int):
    """Every change of the component and of its requirement states, newest first."""
    session, assessment, _access, component = _component(assessment_id, component_id)
    return render_template(
        "history.html",
        name=component.name,
        crumbs=[
            (assessment.name, url_for("assessments.show", assessment_id=assessment.id)),
            ("Components", url_for("components.index", assessment_id=assessment.id)),
            (
                component.name,
                url_for(
                    "components.show",
                    assessment_id=assessment.id,
                    component_id=component.id,
                ),
            ),
        ],
        changes=service.history(session, component),
    )


# -- one requirement of a component, edited inline ------------------------------------


def _row(assessment_id: int, component_id: int, key: str, need: str = "viewer"):
    session, assessment, access, component = _component(
        assessment_id, component_id, need
    )
    requirement = service.requirement_of(session, component, key)
    context = {
        "assessment": assessment,
        "access": access,
        "component": component,
        "row": service.component_row(session, component, requirement),
    }
    return session, context


@bp.get("/<int:component_id>/requirements/<key>")
@login_required
def row(assessment_id: int, component_id: int, key: str):
    """One requirement of the component as it reads (used to cancel an edit)."""
    _session, context = _row(assessment_id, component_id, key)
    return render("components/row.html", "components/_row.html", **context)


@bp.get("/<int:component_id>/requirements/<key>/edit")
@login_required
def edit_state(assessment_id: int, component_id: int, key: str):
    """The form to record how the component meets one requirement."""
    _session, context = _row(assessment_id, component_id, key, "editor")
    state = context["row"].state
    form = state.model_dump() if state else {"version": 0, "state": ""}
    return render(
        "components/row.html",
        "components/_row_edit.html",
        form=form,
        errors={},
        **context,
    )


@bp.post("/<int:component_id>/requirements/<key>")
@login_required
def set_state(assessment_id: int, component_id: int, key: str):
    """Save how the component meets one requirement; a stale edit shows what is
    stored now."""
    session, context = _row(assessment_id, component_id, key, "editor")
    component, requirement = context["component"], context["row"].requirement
    return states.save_state(
        session,
        context,
        "components",
        lambda data: service.set_state(session, component, requirement, data, g.user),
        lambda: service.component_row(session, component, requirement),
        url_for(
            "components.show", assessment_id=assessment_id, component_id=component_id
        ),
    )
