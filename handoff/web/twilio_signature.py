"""Check X-Twilio-Signature against the public URL Twilio called."""

from flask import Flask, Request
from twilio.request_validator import RequestValidator, compare
from werkzeug.datastructures import MultiDict

DEVELOPMENT = "development"


def public_url(request: Request, public_base_url: str) -> str:
    """Return the URL Twilio signed: PUBLIC_BASE_URL + path + query, else the request's URL.

    Behind a proxy the request URL honours X-Forwarded-Proto/Host only when
    TRUSTED_PROXIES let ProxyFix apply them.
    """
    query = request.query_string.decode("latin-1")
    path = request.script_root + request.path + (f"?{query}" if query else "")
    if public_base_url:
        return public_base_url.rstrip("/") + path
    return request.host_url.rstrip("/") + path


def signature_valid(request: Request, auth_token: str, public_base_url: str) -> bool:
    """Return whether the request carries Twilio's signature for this URL and body."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not auth_token:
        return False
    validator = RequestValidator(auth_token)
    url = public_url(request, public_base_url)
    # Twilio signs the URL it called: one HMAC settles the usual request. Only a mismatch
    # pays for validate(), which tries the URL with and without its port.
    form = FormValues(request.form)
    if compare(validator.compute_signature(url, form), signature):
        return True
    return validator.validate(url, form, signature)


class FormValues:
    """A form as RequestValidator reads it: its names, and ``getall`` for each one's values."""

    def __init__(self, form: MultiDict):
        self._form = form

    def __iter__(self):
        return iter(self._form)

    def getall(self, name: str) -> list[str]:
        """Return every value of ``name``.

        The validator tries ``getall`` first: werkzeug's MultiDict calls it ``getlist``, so
        each parameter of every webhook used to raise and catch an AttributeError.
        """
        return self._form.getlist(name)


def validation_disabled(app: Flask) -> bool:
    """Return True only when checks are explicitly off in development (logged every time)."""
    if app.config.get("TWILIO_VALIDATE_SIGNATURES", True):
        return False
    if app.config.get("APP_ENV") != DEVELOPMENT:
        app.logger.error(
            "TWILIO_VALIDATE_SIGNATURES=0 is ignored outside APP_ENV=development; checking"
        )
        return False
    app.logger.warning("Twilio signature validation is OFF (development): do not expose this")
    return True
