"""The SIP worker: a pjsua2 user agent that performs handoffs natively in SIP.

SIP glue only: every decision (routing, variables, headers) comes from ``handoff``.
"""
