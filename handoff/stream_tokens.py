"""Stream tokens: a browser's EventSource cannot send x-api-key, so it sends one of these.

A token is signed with SECRET_KEY and carries the SHA-256 of the API key that asked for it,
never the key. It opens the live stream and nothing else, expires, and dies with its key:
each connection authenticates the key again, so revoking it ends its tokens too.
"""

from itsdangerous import BadSignature, URLSafeTimedSerializer

from handoff.api_keys import Caller

# Another salt than the session cookie's and CSRF's: a token is never one of those.
SALT = "handoff-stream-token"


def mint(secret: str, caller: Caller) -> str:
    """Return a token that opens the stream as ``caller`` for as long as it is valid."""
    return URLSafeTimedSerializer(secret, salt=SALT).dumps({"key": caller.key_hash})


def key_hash(secret: str, token: str, max_age: float) -> str | None:
    """Return the key hash a valid ``token`` carries, or None (forged, altered or expired)."""
    try:
        payload = URLSafeTimedSerializer(secret, salt=SALT).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is one too
        return None
    return payload.get("key") if isinstance(payload, dict) else None
