"""Throttle failed sign-ins, per client address and per account, with the `limits` library.

Only failures count, so people who type their password right are never held back. The
counts live where SIGN_IN_LIMIT_STORAGE says: in each process by default, or in Redis, which
every worker and host then shares.
"""

import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from handoff.users import normalise_email

log = logging.getLogger(__name__)
NAMESPACE = "handoff-sign-in"


class SignInLimits:
    """How many failed sign-ins an address, and an account, may have in a window."""

    def __init__(self, storage_uri: str, per_address: str, per_account: str):
        self._window = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._per_address = parse_many(per_address)
        self._per_account = parse_many(per_account)

    def wait(self, address: str, email: str) -> int:
        """Return the seconds before ``address`` may try ``email`` again (0: at once)."""
        with _fail_open("not throttling"):
            return max(self._seconds_left(item, *key) for item, key in self._keys(address, email))
        return 0

    def failed(self, address: str, email: str) -> None:
        """Count a failed sign-in against the address and the account."""
        with _fail_open("failure not counted"):
            for item, key in self._keys(address, email):
                self._window.hit(item, *key)

    def succeeded(self, email: str) -> None:
        """Forget the account's failures: its owner has just proved who they are."""
        with _fail_open("failures not cleared"):
            for item in self._per_account:
                self._window.clear(item, *_account(email))

    def _keys(self, address: str, email: str) -> Iterator[tuple[RateLimitItem, tuple]]:
        for item in self._per_address:
            yield item, (NAMESPACE, "address", address or "unknown")
        for item in self._per_account:
            yield item, _account(email)

    def _seconds_left(self, item: RateLimitItem, *key: str) -> int:
        if self._window.test(item, *key):
            return 0
        reset = self._window.get_window_stats(item, *key).reset_time
        return max(1, math.ceil(reset - time.time()))


def _account(email: str) -> tuple[str, ...]:
    return NAMESPACE, "account", normalise_email(email)


@contextmanager
def _fail_open(consequence: str) -> Iterator[None]:
    """Log and swallow whatever the storage raises: sign-in must work while it is away."""
    try:
        yield
    except Exception:  # noqa: BLE001  (whatever the storage raises)
        log.warning("sign-in limits unavailable; %s", consequence, exc_info=True)
