"""Render and read the timestamps the APIs exchange (ISO 8601, UTC)."""

from datetime import UTC, datetime


def as_utc(value: datetime | None) -> datetime | None:
    """Return ``value`` as an aware UTC datetime (SQLite hands back naive ones)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """Return ``value`` as an ISO 8601 string in UTC, or None."""
    value = as_utc(value)
    return value.isoformat().replace("+00:00", "Z") if value else None


def parse_iso(raw: str) -> datetime:
    """Parse an ISO 8601 timestamp (``Z`` accepted); naive input is taken as UTC.

    :raises ValueError: when ``raw`` is not a timestamp.
    """
    parsed = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    return as_utc(parsed)
