"""/v1/environments: sandbox and live, promote, rollback and the numbered versions."""

from marshmallow import Schema, fields, validate

from handoff import promotion
from handoff.environment_summary import describe_environment, describe_environments
from handoff.environments import ENVIRONMENTS, LIVE
from handoff.errors import ValidationFailed
from handoff.schemas import (
    ConfigVersionDetailSchema,
    ConfigVersionListSchema,
    ConfigVersionSchema,
    EnvironmentSchema,
    PromoteSchema,
    RollbackSchema,
)
from handoff.web.api.common import ApiBlueprint, actor
from models import db

blp = ApiBlueprint(
    "environments",
    __name__,
    url_prefix="/v1/environments",
    description="Edit sandbox, promote it to live as a numbered version, roll live back.",
)


class EnvironmentListSchema(Schema):
    """Every environment."""

    items = fields.List(fields.Nested(EnvironmentSchema))
    next_cursor = fields.String(allow_none=True)


class VersionArgs(Schema):
    """Paging through versions, newest first: pass the previous page's ``next_cursor``."""

    cursor = fields.Integer(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


def _check(env: str) -> str:
    if env not in ENVIRONMENTS:
        raise ValidationFailed({"environment": [f"Use one of: {', '.join(ENVIRONMENTS)}."]})
    return env


@blp.route("", methods=["GET"])
@blp.response(200, EnvironmentListSchema)
def list_environments():
    """List the environments with their config and live versions."""
    return {"items": describe_environments(db.session), "next_cursor": None}


@blp.route("/<env>", methods=["GET"])
@blp.response(200, EnvironmentSchema)
def get_environment(env):
    """Return one environment."""
    return describe_environment(db.session, _check(env))


@blp.route("/<env>/promote", methods=["POST"])
@blp.arguments(PromoteSchema)
@blp.response(201, ConfigVersionSchema)
def promote(data, env):
    """Copy sandbox to live atomically as the next version (`sandbox` or `live` in the path)."""
    _check(env)
    return _mark_current([promotion.promote(db.session, actor=actor(), note=data["note"])], LIVE)[0]


@blp.route("/<env>/rollback", methods=["POST"])
@blp.arguments(RollbackSchema)
@blp.response(201, ConfigVersionSchema)
def rollback(data, env):
    """Restore an earlier live version (default: the one before the current) as a new one."""
    if _check(env) != LIVE:
        raise ValidationFailed({"environment": ["Only live has versions to roll back to."]})
    row = promotion.rollback(db.session, actor=actor(), version=data["version"], note=data["note"])
    return _mark_current([row], LIVE)[0]


@blp.route("/<env>/versions", methods=["GET"])
@blp.arguments(VersionArgs, location="query")
@blp.response(200, ConfigVersionListSchema)
def versions(args, env):
    """List the environment's versions, newest first."""
    rows = promotion.list_versions(
        db.session, _check(env), before=args["cursor"] or 0, limit=args["limit"] + 1
    )
    items = _mark_current(rows[: args["limit"]], env)
    more = len(rows) > args["limit"]
    return {"items": items, "next_cursor": str(items[-1].number) if more else None}


@blp.route("/<env>/versions/<int:number>", methods=["GET"])
@blp.response(200, ConfigVersionDetailSchema)
def version(env, number):
    """Return one version with its configuration snapshot."""
    return _mark_current([promotion.get_version(db.session, _check(env), number)], env)[0]


def _mark_current(rows: list, env: str) -> list:
    current = promotion.current_version(db.session, env)
    for row in rows:
        row.current = row.number == current
    return rows
