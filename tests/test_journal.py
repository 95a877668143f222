"""The write-behind journal: what a process answered survives it until another records it."""

import json

from sqlalchemy.orm import Session

from handoff.journal import Journal, orphans, unwritten
from handoff.recorder import Record, Recorder
from models import db


def test_only_entries_after_the_last_written_mark_are_unwritten():
    lines = [
        {"seq": 1, "entry": {"n": 1}},
        {"seq": 2, "entry": {"n": 2}},
        {"done": 2},
        {"seq": 3, "entry": {"n": 3}},
    ]
    text = "\n".join(json.dumps(line) for line in lines) + '\n{"seq": 4, "ent'
    assert unwritten(text) == [{"n": 3}]


def test_a_live_process_keeps_its_journal_and_a_dead_ones_is_taken_over(tmp_path):
    mine = Journal(str(tmp_path))
    mine.queued({"n": 1})
    dead = tmp_path / "4242-1.journal"
    dead.write_text(json.dumps({"seq": 7, "entry": {"n": 7}}) + "\n")
    found = [(path.name, entries) for path, entries in orphans(str(tmp_path))]
    assert found == [("4242-1.journal", [{"n": 7}])]
    mine.close()


def test_the_recorder_journals_what_waits_and_empties_the_journal_once_written(app, tmp_path):
    with app.app_context():
        engine = db.engine
    journal = Journal(str(tmp_path))
    # Batches wait 30 s to fill: both records are still queued when the journal is read.
    recorder = Recorder(lambda: Session(engine), journal=journal, linger=30)
    recorder.submit(Record(("k1",), "CA1", "<Response/>", lambda s: None, {"n": 1}))
    recorder.submit(Record(("k2",), "CA2", "<Response/>", lambda s: None, {"n": 2}))
    assert unwritten(journal.path.read_text()) == [{"n": 1}, {"n": 2}]
    recorder.stop()
    assert not journal.path.exists(), "a journal with nothing waiting is removed"
