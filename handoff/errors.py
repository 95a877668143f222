"""Domain exceptions raised by the services; the web layer maps them to HTTP in one place."""


class HandoffError(Exception):
    """Base of every domain error; ``code`` is the machine-readable error code."""

    code = "error"

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationFailed(HandoffError):
    """Input is invalid; ``errors`` maps each bad field to its messages."""

    code = "validation_failed"

    def __init__(self, errors: dict, message: str = "Some fields are invalid."):
        super().__init__(message, errors)


class NotFound(HandoffError):
    """The thing asked for does not exist (in this environment)."""

    code = "not_found"


class Conflict(HandoffError):
    """The request conflicts with the current state (e.g. a concurrent change)."""

    code = "conflict"


class Unavailable(HandoffError):
    """A service we depend on (Twilio) failed or could not be reached."""

    code = "upstream_unavailable"


class NotConfigured(HandoffError):
    """A feature needs settings that are not set."""

    code = "not_configured"


class ReadOnly(HandoffError):
    """The environment changes only through promote and rollback."""

    code = "read_only_environment"


class StaleVersion(HandoffError):
    """The write was based on an older version than the stored one."""

    code = "stale_version"

    def __init__(self, expected: int, current: int):
        super().__init__(
            f"Version {expected} is stale: the current version is {current}. "
            "Reload and apply your change again.",
            {"version": [f"Current version is {current}."]},
        )
        self.current = current


def field_error(field: str, message: str) -> ValidationFailed:
    """Return a validation error for one field."""
    return ValidationFailed({field: [message]})
