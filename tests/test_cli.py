"""`flask api-keys`, `flask seed-demo`, `flask destinations list`, `flask promote`."""

from sqlalchemy import select

from handoff.api_keys import hash_key
from models import ApiKey, AuditEntry, ConfigVersion, Destination, Topic, db


def test_api_key_create_prints_it_once_and_stores_a_hash(app, runner, client):
    result = runner.invoke(args=["api-keys", "create", "--name", "ci", "--scopes", "read,write"])
    assert result.exit_code == 0, result.output
    clear = result.output.strip().splitlines()[-1]
    assert clear.startswith("hk_")
    with app.app_context():
        row = db.session.scalar(select(ApiKey))
        assert row.key_hash == hash_key(clear) and row.scopes == "read,write"
    assert client.get("/v1/handoffs", headers={"x-api-key": clear}).status_code == 200
    listed = runner.invoke(args=["api-keys", "list"]).output
    assert "ci" in listed and clear not in listed
    assert runner.invoke(args=["api-keys", "revoke", str(row.id)]).exit_code == 0
    assert client.get("/v1/handoffs", headers={"x-api-key": clear}).status_code == 401
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["create", "revoke"]


def test_api_key_with_unknown_scope_is_refused(runner):
    result = runner.invoke(args=["api-keys", "create", "--name", "x", "--scopes", "admin"])
    assert result.exit_code != 0
    assert "scopes" in result.output


def test_seed_demo_is_idempotent_and_promotes(app, runner):
    for _ in range(2):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.scalars(select(Destination).order_by(Destination.id)).all()
        sandbox = [d for d in rows if d.environment_id == rows[0].environment_id]
        assert sorted(d.method for d in sandbox) == ["sip_bye", "sip_invite", "sip_refer"]
        assert sum(d.is_default for d in sandbox) == 1
        assert len(rows) == 6  # sandbox and live
        assert db.session.scalar(select(ConfigVersion.number)) == 1
        assert len(db.session.scalars(select(Topic)).all()) == 4


def test_destinations_list_and_promote(runner):
    runner.invoke(args=["seed-demo", "--no-promote"])
    output = runner.invoke(args=["destinations", "list"]).output
    assert "Support" in output and "default" in output
    assert runner.invoke(args=["destinations", "list", "--environment", "live"]).output == (
        "warning: no_default (no default handoff)\n"
    )
    result = runner.invoke(args=["promote", "--note", "first"])
    assert "version 1" in result.output
    assert "Billing" in runner.invoke(args=["destinations", "list", "--environment", "live"]).output


def test_rollback_command(runner):
    runner.invoke(args=["seed-demo"])
    assert "nothing" not in runner.invoke(args=["promote"]).output.lower()
    result = runner.invoke(args=["rollback", "--note", "undo"])
    assert result.exit_code == 0 and "restored version 1 as version 3" in result.output
    missing = runner.invoke(args=["rollback", "--version", "42"])
    assert missing.exit_code != 0 and "42" in missing.output
