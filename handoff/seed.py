"""The demo configuration `make run` starts with: three destinations, two topics, a greeting."""

from sqlalchemy.orm import Session

from handoff import destinations, integration, topics
from handoff.environments import SANDBOX

DEMO_DESTINATIONS = (
    {
        "name": "Support",
        "description": "Anything the front desk cannot solve: a person picks up.",
        "method": "sip_invite",
        "route": "sip:support@sip.example.com",
        "sip_headers": [
            {"name": "X-Caller-ID", "value": "$caller_id"},
            {"name": "X-Handoff-Reason", "value": "$handoff_reason"},
        ],
    },
    {
        "name": "Billing",
        "description": "Invoices, payments and refunds.",
        "method": "sip_refer",
        "route": "sip:billing@sip.example.com",
        "sip_headers": [{"name": "X-Topic", "value": "billing"}],
    },
    {
        "name": "Back to the SBC",
        "description": "End the automated leg; the SBC takes the call over.",
        "method": "sip_bye",
    },
)
DEMO_FLOW = {
    "greeting": "Thanks for calling the Handoff demo. Say billing, or say agent to reach a person.",
}


def seed_demo(session: Session, *, actor: str) -> bool:
    """Create the demo in sandbox unless it already has destinations; return True if created."""
    if destinations.list_destinations(session, SANDBOX, limit=1):
        return False
    created = {
        data["name"]: destinations.create_destination(session, SANDBOX, data, actor=actor)
        for data in DEMO_DESTINATIONS
    }
    topics.create_topic(
        session,
        SANDBOX,
        {
            "name": "Talk to a person",
            "phrases": ["agent", "person", "representative", "human"],
            "dtmf": "0",
            "reason": "needs_human",
            "utterance": "Connecting you to a person now.",
        },
        actor=actor,
    )
    topics.create_topic(
        session,
        SANDBOX,
        {
            "name": "Billing",
            "phrases": ["billing", "invoice", "payment", "refund"],
            "dtmf": "1",
            "destination_id": created["Billing"].id,
        },
        actor=actor,
    )
    integration.update_flow(session, SANDBOX, DEMO_FLOW, actor=actor)
    return True
