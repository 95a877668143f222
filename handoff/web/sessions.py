"""The UI's signed cookie session, not opened for Twilio's webhooks (they carry no cookie)."""

from flask.sessions import SecureCookieSessionInterface

from handoff.web.voice import bp as voice

VOICE_PREFIX = f"{voice.url_prefix}/"


class UiSessions(SecureCookieSessionInterface):
    """Open the signed cookie session for every request except the voice webhooks."""

    def open_session(self, app, request):
        """Return the request's session; for a webhook, None (Flask gives it a null one)."""
        if request.path.startswith(VOICE_PREFIX):
            # Answering a call never reads or writes a session: skip loading and signing one.
            return None
        return super().open_session(app, request)
