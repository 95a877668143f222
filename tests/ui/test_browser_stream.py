"""In Chromium: an EventSource, which cannot send x-api-key, follows the stream with a token."""

import pytest

from models import db
from tests import calls_factory as f
from tests.conftest import API_KEY

pytestmark = pytest.mark.browser

# Resolve with the first handoff_state event, or reject when the stream is refused.
FIRST_EVENT = """url => new Promise((resolve, reject) => {
    const source = new EventSource(url);
    source.addEventListener("handoff_state", event => {
        source.close();
        resolve({id: event.lastEventId, data: JSON.parse(event.data)});
    });
    source.onerror = () => { source.close(); reject(new Error("the stream was refused")); };
})"""


def test_a_browser_event_source_receives_transitions_with_a_token(app, client, page):
    with app.app_context():
        handoff = f.handoff(f.conversation(call_sid="CAbrowser"))
        db.session.commit()
        handoff_id = handoff.id
    answer = client.get("/v1/handoff_states/stream_token", headers={"x-api-key": API_KEY})
    token = answer.get_json()["token"]
    page.goto("/login")  # any page of the service: the stream is same-origin

    event = page.evaluate(FIRST_EVENT, f"/v1/handoff_states/stream?after=0&access_token={token}")

    assert event["data"]["state"] == "handoff_initiated"
    assert event["data"]["handoff_id"] == handoff_id and int(event["id"]) > 0


def test_a_browser_event_source_without_a_token_is_refused(page):
    page.goto("/login")
    with pytest.raises(Exception, match="the stream was refused"):
        page.evaluate(FIRST_EVENT, "/v1/handoff_states/stream?after=0")


def test_a_page_of_an_allowed_origin_follows_the_stream(app, client, page, live_server):
    # localhost and 127.0.0.1 are two origins to the browser: the page's and the service's.
    port = live_server.rsplit(":", 1)[1]
    app.config["SSE_ALLOWED_ORIGINS"] = (f"http://localhost:{port}",)
    with app.app_context():
        f.handoff(f.conversation(call_sid="CAcors"))
        db.session.commit()
    token = client.get(
        "/v1/handoff_states/stream_token", headers={"x-api-key": API_KEY}
    ).get_json()["token"]
    page.goto(f"http://localhost:{port}/login")
    url = f"{live_server}/v1/handoff_states/stream?after=0&access_token={token}"

    assert page.evaluate(FIRST_EVENT, url)["data"]["state"] == "handoff_initiated"
    app.config["SSE_ALLOWED_ORIGINS"] = ()
    with pytest.raises(Exception, match="the stream was refused"):
        page.evaluate(FIRST_EVENT, url)
