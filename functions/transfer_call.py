"""Example routing function: business-hours routing with a per-caller X-Customer-ID header.

A topic with action ``function`` and function ``transfer_call`` calls
``transfer_call(conv, **params)``; ``params`` come from the topic (all optional here).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

# A stand-in for a CRM look-up: known callers and their customer ids.
CUSTOMERS = {"+14155550100": "C-1001", "+14155550111": "C-1002"}


def customer_id(conv) -> str:
    """Return the caller's customer id: sent by the SBC, remembered, looked up, or derived."""
    known = conv.sip_headers.get("X-Customer-ID") or conv.state.customer_id
    if known:
        return known
    digits = "".join(ch for ch in conv.caller_number or "" if ch.isdigit())
    return CUSTOMERS.get(conv.caller_number, f"G-{digits[-8:] or 'anonymous'}")


def is_open(now: datetime, open_hour: int, close_hour: int, weekdays: str) -> bool:
    """Return whether ``now`` falls in business hours."""
    days = {int(day) for day in str(weekdays).split(",") if day.strip()}
    return now.weekday() in days and open_hour <= now.hour < close_hour


def transfer_call(
    conv,
    open_destination="Support",
    closed_destination="After hours",
    timezone="America/New_York",
    open_hour=9,
    close_hour=17,
    weekdays="0,1,2,3,4",
    now=None,
):
    """Send the caller to the open desk in business hours, else to the after-hours desk."""
    zone = ZoneInfo(timezone)
    moment = datetime.fromisoformat(now).astimezone(zone) if now else datetime.now(zone)
    open_now = is_open(moment, int(open_hour), int(close_hour), weekdays)
    conv.state.customer_id = customer_id(conv)
    conv.write_metric("business_hours", open_now)
    headers = {"X-Customer-ID": conv.state.customer_id}
    if open_now:
        return conv.call_handoff(open_destination, reason="business_hours", sip_headers=headers)
    return conv.call_handoff(
        closed_destination,
        reason="after_hours",
        utterance="Our team is away right now; connecting you to the after-hours desk.",
        sip_headers=headers,
    )
