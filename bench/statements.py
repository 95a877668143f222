"""Count the SQL statements one /voice/call and one handing-off /voice/gather execute.

Run from the repository root: `.venv/bin/python -m bench.statements` (SQLite) or with
`--db postgres`. Records are written in the request (RECORDS_WRITE_BEHIND=0), the
configuration versions are fresh (no version query), as for most calls in production.
"""

import argparse
import os
import tempfile
from urllib.parse import parse_qs, urlencode

from sqlalchemy import event
from twilio.request_validator import RequestValidator

from bench import seed
from bench.options import add_database
from bench.signed import AUTH_TOKEN, PUBLIC_BASE_URL, signed_requests


def parse_args(argv=None) -> argparse.Namespace:
    """Read the command line."""
    p = argparse.ArgumentParser(description=__doc__)
    add_database(p, size=None)
    return p.parse_args(argv)


def post(client, path: str, params: dict, token: str):
    """POST ``params`` to ``path`` signed as Twilio signs it."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + path, params)
    headers = {"X-Twilio-Signature": signature, "I-Twilio-Idempotency-Token": token}
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return client.post(path, data=urlencode(params), headers=headers)


def main(argv=None) -> None:
    """Seed a database, answer a few calls, then count one call and one gather."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="handoff-statements-") as tmp:
        if args.db == "postgres":
            url = args.postgres_url
            seed.recreate_postgres(url)
        else:
            url = f"sqlite:///{tmp}/statements.sqlite3"
        seed.seed(url, 10)
        environ = {"DATABASE_URL": url, "SECRET_KEY": "bench", "CONFIG_MAX_AGE": "60"}
        environ |= {"TWILIO_AUTH_TOKEN": AUTH_TOKEN, "PUBLIC_BASE_URL": PUBLIC_BASE_URL}
        os.environ.update(environ)
        from app import create_app
        from models import db

        app = create_app()
        client = app.test_client()
        count = [0]
        with app.app_context():
            event.listen(
                db.engine, "before_cursor_execute", lambda *_: count.__setitem__(0, count[0] + 1)
            )
        calls = [parse_qs(r["body"]) for r in signed_requests("/voice/call", 4)]
        calls = [{k: v[0] for k, v in c.items()} for c in calls]
        for i, params in enumerate(calls[:3]):
            post(client, "/voice/call", params, f"warm-{i}")
        count[0] = 0
        post(client, "/voice/call", calls[3], "count-call")
        print(f"/voice/call                 {count[0]:>3} statements")
        count[0] = 0
        gather = {**calls[3], "SpeechResult": seed.handoff_phrase(10)}
        post(client, "/voice/gather", gather, "count-gather")
        print(f"/voice/gather (handoff)     {count[0]:>3} statements")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
