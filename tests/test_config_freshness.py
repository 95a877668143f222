"""The per-process configuration cache checks versions at most every CONFIG_MAX_AGE seconds."""

from handoff.config_cache import ConfigCache
from handoff.numbers import assign_number
from models import db
from tests.voice_support import NUMBER, add_destination


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def routes(config) -> set[str]:
    return {d.route for d in config.destinations}


def test_a_change_reaches_calls_once_the_window_has_passed(app, tmp_path):
    clock = Clock()
    cache = ConfigCache(str(tmp_path), max_age=1.0, clock=clock)
    with app.app_context():
        add_destination(name="Front desk", route="sip:desk@pbx.example.com")
        assert routes(cache.for_call(db.session, "", NUMBER)) == {"sip:desk@pbx.example.com"}
        add_destination(name="Billing", route="sip:billing@pbx.example.com")
        clock.now += 0.5
        assert "sip:billing@pbx.example.com" not in routes(cache.for_call(db.session, "", NUMBER))
        clock.now += 0.6
        assert "sip:billing@pbx.example.com" in routes(cache.for_call(db.session, "", NUMBER))


def test_a_number_moved_to_sandbox_follows_its_new_version(app, tmp_path):
    clock = Clock()
    cache = ConfigCache(str(tmp_path), max_age=1.0, clock=clock)
    with app.app_context():
        add_destination(env="sandbox", name="Trial desk", route="sip:trial@pbx.example.com")
        assert cache.for_call(db.session, "", NUMBER).environment == "live"
        assign_number(db.session, NUMBER, "sandbox", actor="test")
        assert cache.for_call(db.session, "", NUMBER).environment == "live"
        clock.now += 1.5
        assert cache.for_call(db.session, "", NUMBER).environment == "sandbox"
        # Twilio sends E.164; a number written otherwise still finds its assignment.
        assert cache.for_call(db.session, "", "+1 (415) 555-0100").environment == "sandbox"
        assert cache.for_call(db.session, "live", NUMBER).environment == "live"


def test_configurations_in_memory_answer_while_the_versions_cannot_be_read(app, tmp_path):
    cache = ConfigCache(str(tmp_path), max_age=0.0)
    with app.app_context():
        add_destination(name="Front desk", route="sip:desk@pbx.example.com")
        assert cache.for_call(db.session, "", NUMBER).environment == "live"

        class Unreachable:
            def execute(self, *args, **kwargs):
                raise ConnectionError("database is away")

            def rollback(self):
                pass

        config = cache.for_call(Unreachable(), "", NUMBER)
        assert routes(config) == {"sip:desk@pbx.example.com"}
