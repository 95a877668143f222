"""Build › Topics: what callers ask for, and the handoff or function each leads to."""

from flask import flash, redirect, render_template, request, url_for

from handoff import topics as service
from handoff.destinations import list_destinations
from handoff.environments import EDITABLE
from handoff.errors import StaleVersion, ValidationFailed
from handoff.web.ui import bp
from handoff.web.ui.context import actor, current_env
from handoff.web.ui.forms import optional_int, topic_payload
from models import db

DTMF_KEYS = ["", *"123456789*0#"]


def render_topics(env: str, *, dialog=None, form=None, errors=None, status=200):
    """Render the topic list; ``dialog`` names the modal to reopen with ``form`` and ``errors``."""
    destinations = list_destinations(db.session, env)
    page = render_template(
        "ui/topics.html",
        topics=[(row, service.topic_data(row)) for row in service.list_topics(db.session, env)],
        destinations=destinations,
        names={d.id: d.name for d in destinations},
        keys=DTMF_KEYS,
        dialog=dialog,
        form=form,
        errors=errors or {},
    )
    return page, status


@bp.get("/topics")
def topics():
    """List the topics."""
    return render_topics(current_env())


@bp.post("/topics")
def topic_create():
    """Add a topic from the modal."""
    payload = topic_payload(request.form)
    try:
        row = service.create_topic(db.session, EDITABLE, payload, actor=actor())
    except ValidationFailed as exc:
        db.session.rollback()
        return render_topics(
            EDITABLE, dialog="topic-new", form=payload, errors=exc.errors, status=400
        )
    flash(f"Added topic “{row.name}”.")
    return redirect(url_for("ui.topics"))


@bp.post("/topics/<int:topic_id>")
def topic_update(topic_id: int):
    """Save the topic edit modal."""
    payload = topic_payload(request.form)
    version = optional_int(request.form, "version")
    try:
        row = service.update_topic(
            db.session, EDITABLE, topic_id, payload, actor=actor(), expected_version=version
        )
    except (ValidationFailed, StaleVersion) as exc:
        db.session.rollback()
        dialog = f"topic-edit-{topic_id}"
        return render_topics(EDITABLE, dialog=dialog, form=payload, errors=exc.errors, status=400)
    flash(f"Saved topic “{row.name}”.")
    return redirect(url_for("ui.topics"))


@bp.post("/topics/<int:topic_id>/delete")
def topic_delete(topic_id: int):
    """Delete a topic."""
    name = service.get_topic(db.session, EDITABLE, topic_id).name
    service.delete_topic(db.session, EDITABLE, topic_id, actor=actor())
    flash(f"Deleted topic “{name}”.")
    return redirect(url_for("ui.topics"))
