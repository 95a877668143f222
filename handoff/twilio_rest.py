"""The Twilio REST client, and redirecting a live call to new TwiML with it."""

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from handoff.errors import Conflict, NotConfigured, NotFound, Unavailable

# Twilio's error code for "Call is not in-progress. Cannot redirect."
NOT_IN_PROGRESS = 21220
TIMEOUT_SECONDS = 10


class TwilioNotConfigured(NotConfigured):
    """No Twilio credentials are set."""

    code = "twilio_not_configured"


class CallNotFound(NotFound):
    """Twilio does not know this call."""

    code = "call_not_found"


class CallNotInProgress(Conflict):
    """The call has ended (or not started): it cannot be redirected."""

    code = "call_not_in_progress"


class TwilioUnavailable(Unavailable):
    """Twilio could not be reached or answered with an error."""

    code = "twilio_unavailable"


def make_client(config) -> Client:
    """Return a Twilio client from TWILIO_ACCOUNT_SID + auth token or API key/secret.

    :raises TwilioNotConfigured: when credentials are missing.
    """
    account_sid = config.get("TWILIO_ACCOUNT_SID")
    if config.get("TWILIO_API_KEY") and config.get("TWILIO_API_SECRET"):
        username, password = config["TWILIO_API_KEY"], config["TWILIO_API_SECRET"]
    else:
        username, password = account_sid, config.get("TWILIO_AUTH_TOKEN")
    if not (account_sid and username and password):
        raise TwilioNotConfigured(
            "Set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY/TWILIO_API_SECRET)."
        )
    http = TwilioHttpClient(timeout=float(config.get("TWILIO_TIMEOUT") or TIMEOUT_SECONDS))
    client = Client(username, password, account_sid, http_client=http)
    if config.get("TWILIO_API_BASE_URL"):
        # Another host for api.twilio.com: a regional proxy, or a local stand-in in tests.
        client.api.base_url = config["TWILIO_API_BASE_URL"]
    return client


def redirect_call(client: Client, call_sid: str, twiml: str) -> str:
    """Replace what the live call is doing with ``twiml``; return the call's status.

    :raises CallNotFound, CallNotInProgress, TwilioUnavailable: as Twilio answers.
    """
    try:
        call = client.calls(call_sid).update(twiml=twiml)
    except TwilioRestException as exc:
        if exc.status == 404:
            raise CallNotFound(f"Twilio has no call {call_sid}.") from exc
        if exc.code == NOT_IN_PROGRESS:
            raise CallNotInProgress(exc.msg) from exc
        raise TwilioUnavailable(f"Twilio answered {exc.status}: {exc.msg}") from exc
    except (requests.RequestException, TwilioException) as exc:
        raise TwilioUnavailable(f"Twilio is unreachable: {type(exc).__name__}") from exc
    return call.status
