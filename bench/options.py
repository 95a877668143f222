"""Declare the command-line options the benchmark's scripts share, each in one place."""

import argparse

ENDPOINTS = {"call": "/voice/call", "gather": "/voice/gather"}
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/handoff_bench"


def split(text: str) -> list[str]:
    """Return the comma-separated items of ``text``."""
    return [item.strip() for item in text.split(",") if item.strip()]


def endpoint_list(text: str) -> list[str]:
    """Return the endpoints ``text`` names; refuse one the benchmark does not know."""
    unknown = set(split(text)) - set(ENDPOINTS)
    if unknown:
        known = ", ".join(ENDPOINTS)
        raise argparse.ArgumentTypeError(f"unknown {', '.join(sorted(unknown))} ({known})")
    return split(text)


def add_database(parser: argparse.ArgumentParser, size: int | None = 10) -> None:
    """Add --db (one database), --postgres-url and, unless ``size`` is None, --size."""
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgres"))
    add_postgres_url(parser)
    if size is not None:
        parser.add_argument("--size", type=int, default=size, help="destinations and topics")


def add_postgres_url(parser: argparse.ArgumentParser, url: str = POSTGRES_URL) -> None:
    """Add --postgres-url: the database PostgreSQL runs use (recreated for each run)."""
    parser.add_argument("--postgres-url", default=url, help="recreated for the run")


def add_endpoints(parser: argparse.ArgumentParser) -> None:
    """Add --endpoints, read as a list of known endpoints."""
    parser.add_argument(
        "--endpoints", type=endpoint_list, default=list(ENDPOINTS), help="call, gather"
    )


def add_gunicorn(parser: argparse.ArgumentParser, workers: int = 2) -> None:
    """Add how every contender is served and warmed up: workers, threads, pool, warm-up."""
    parser.add_argument(
        "--workers", type=int, default=workers, help="gunicorn workers, every contender"
    )
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--pool", type=int, default=20000, help="signed requests per pool")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of unmeasured load first")
