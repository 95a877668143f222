"""The app factory, settings from the environment, migrations and /healthz."""

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from handoff import settings
from models import HandoffState, db, utcnow
from tests import calls_factory as f


def test_secret_key_is_required_outside_development(tmp_path):
    with pytest.raises(settings.ConfigurationError, match="SECRET_KEY"):
        settings.from_environment({}, str(tmp_path))


def test_development_runs_without_secret_key(tmp_path):
    config = settings.from_environment({"APP_ENV": "development"}, str(tmp_path))
    assert config["SECRET_KEY"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://u:p@db:5432/h", "postgresql+psycopg://u:p@db:5432/h"),
        ("postgresql://u@db/h", "postgresql+psycopg://u@db/h"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_mapping(raw, expected):
    assert settings.database_url(raw, "/inst") == expected


def test_postgres_engine_fails_fast_for_webhooks(tmp_path):
    environ = {"APP_ENV": "development", "DATABASE_URL": "postgres://u@db/h"}
    options = settings.from_environment(environ, str(tmp_path))["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {"connect_timeout": 3} and options["pool_pre_ping"]
    sqlite = settings.from_environment({"APP_ENV": "development"}, str(tmp_path))
    assert sqlite["SQLALCHEMY_ENGINE_OPTIONS"] == {}


def test_database_url_defaults_to_sqlite_under_instance():
    assert settings.database_url(None, "/srv/instance") == "sqlite:////srv/instance/handoff.sqlite3"


def test_trusted_proxies_must_be_a_number(tmp_path):
    with pytest.raises(settings.ConfigurationError, match="TRUSTED_PROXIES"):
        settings.from_environment({"SECRET_KEY": "x", "TRUSTED_PROXIES": "yes"}, str(tmp_path))


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_healthz_503_when_database_unreachable(app, tmp_path):
    from app import create_app
    from tests.conftest import make_test_config

    broken = create_app(make_test_config(f"sqlite:///{tmp_path}/missing/dir/db.sqlite3", tmp_path))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_migrations_match_models(app):
    """The migrated schema has every table the models declare, and nothing is pending."""
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        cfg = app.extensions["migrate"].migrate.get_config()
        command.check(cfg)


def test_recorded_at_is_added_to_transitions_already_stored(app):
    """Migration 0002 keeps every stored transition and gives it the database's time."""
    with app.app_context():
        cfg = app.extensions["migrate"].migrate.get_config()
        conversation = f.conversation()
        db.session.commit()
        conversation_id = conversation.id
        db.session.remove()
        command.downgrade(cfg, "0001")
        try:
            with db.engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO handoff_states (conversation_id, state, at, detail, source)"
                        " VALUES (:c, 'automated', :at, '', 'service')"
                    ),
                    {"c": conversation_id, "at": utcnow()},
                )
        finally:
            command.upgrade(cfg, "head")
        (state,) = db.session.scalars(select(HandoffState)).all()
        assert state.conversation_id == conversation_id and state.recorded_at is not None
