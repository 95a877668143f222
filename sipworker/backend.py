"""The worker's database and decision side. Runs on the backend thread, never in a callback.

Every rule comes from ``handoff``: the same config cache, decision functions and records
the Twilio webhooks use; this module only feeds them SIP facts and returns SIP steps.
"""

import logging
from dataclasses import replace

from flask import Flask

from handoff import calls, states
from handoff.config_cache import ConfigCache
from handoff.decision import (
    NO_INPUT,
    SIP_TRUNK,
    CallFacts,
    Gather,
    Transfer,
    Unrouted,
    decide_call,
    decide_default,
    decide_failover,
    decide_gather,
)
from handoff.voice.carry import record_decision
from models import Conversation, Handoff, db, new_id
from sipworker import steps, tts
from sipworker.inbound import InboundCall
from sipworker.plans import execute_step

log = logging.getLogger(__name__)
SOURCE = "sip"
TRANSFER_FAILED = "transfer_failed"


class Backend:
    """Open, decide and record SIP calls in one environment's database."""

    def __init__(self, app: Flask, environment: str, speech: tts.Speech):
        self.app = app
        self.environment = environment
        self.speech = speech
        self.cache = ConfigCache(app.instance_path)
        # What each live call's decisions are made from, by conversation id.
        self.facts: dict[str, CallFacts] = {}

    def start(self, call: InboundCall) -> tuple[str, steps.Step]:
        """Open the conversation for a new SBC call and decide its first step."""
        with self.app.app_context():
            session = db.session
            config = self._config(session, call.called)
            facts = CallFacts(
                call_sid=call.call_id,
                caller=call.caller,
                called=call.called,
                caller_name=call.caller_name,
                channel=SIP_TRUNK,
                sip_headers=dict(call.sip_headers),
            )
            conversation = calls.open_conversation(session, config, facts)
            facts = replace(facts, conversation_id=conversation.id, handoff_id=new_id("ho"))
            self.facts[conversation.id] = facts
            decision = decide_call(config, facts)
            if isinstance(decision, Gather) and not any(t.dtmf for t in config.topics):
                # A trunk call can only answer with digits: without DTMF topics, go straight on.
                decision = decide_default(config, facts, NO_INPUT)
            step = self._carry_out(session, conversation, config, facts, decision, "call")
            session.commit()
            return conversation.id, step

    def gathered(self, conversation_id: str, digits: str, gather: steps.Gather) -> steps.Step:
        """Decide what the caller's digits lead to."""
        with self.app.app_context():
            session = db.session
            conversation = session.get(Conversation, conversation_id)
            config = self._config(session, conversation.called, conversation.environment)
            facts = replace(
                self.facts[conversation_id],
                digits=digits,
                attempt=gather.attempt,
                handoff_id=new_id("ho"),
                state=dict(conversation.state or {}),
            )
            calls.add_turn(session, conversation, calls.CALLER, "dtmf", digits)
            decision = decide_gather(config, facts)
            step = f"gather:{gather.attempt}"
            result = self._carry_out(session, conversation, config, facts, decision, step)
            session.commit()
            return result

    def transferred(
        self,
        conversation_id: str,
        handoff_id: str,
        ok: bool,
        code: int | None,
        detail: str,
        fail_over: bool = True,
    ) -> steps.Step | None:
        """Record a handoff's outcome; after a failure (caller still there) pick the fallback."""
        with self.app.app_context():
            session = db.session
            conversation = session.get(Conversation, conversation_id)
            handoff = session.get(Handoff, handoff_id)
            state = states.HANDOFF_COMPLETED if ok else states.HANDOFF_FAILED
            states.transition(
                session,
                conversation,
                state,
                handoff=handoff,
                detail=detail,
                sip_code=code,
                source=SOURCE,
            )
            step = self._fail_over(session, conversation, handoff) if fail_over else None
            session.commit()
            return step

    def ended(self, conversation_id: str, detail: str) -> None:
        """Record that the call is over and forget its facts."""
        self.facts.pop(conversation_id, None)
        with self.app.app_context():
            conversation = db.session.get(Conversation, conversation_id)
            if conversation is not None:
                calls.end_conversation(db.session, conversation, detail, source=SOURCE)
                db.session.commit()

    def _fail_over(self, session, conversation, handoff) -> steps.Step:
        config = self._config(session, conversation.called, conversation.environment)
        facts = replace(
            self.facts.get(conversation.id) or CallFacts(channel=SIP_TRUNK),
            handoff_id=new_id("ho"),
            state=dict(conversation.state or {}),
        )
        failed = config.destination(handoff.destination_id)
        tried = calls.tried_destinations(session, conversation)
        reason = handoff.reason or TRANSFER_FAILED
        decision = decide_failover(config, facts, failed, reason, tried)
        step = f"fallback:{handoff.id}"
        return self._carry_out(session, conversation, config, facts, decision, step, handoff.id)

    def _config(self, session, called: str, environment: str = ""):
        return self.cache.for_call(session, environment or self.environment, called)

    def _carry_out(self, session, conversation, config, facts, decision, step, previous=None):
        """Record ``decision`` with the shared records code and return the SIP step for it."""
        if isinstance(decision, Transfer) and decision.plan.utterance and not self.speech.available:
            plan = decision.plan
            decision = replace(decision, plan=replace(plan, warnings=(*plan.warnings, tts.SKIPPED)))
        decision = record_decision(session, conversation, config, facts, decision, step, previous)
        language = config.flow.language
        if isinstance(decision, Transfer):
            wav = self.speech.render(decision.plan.utterance, language)
            return execute_step(decision.plan, wav)
        if isinstance(decision, Unrouted):
            wav = self.speech.render(decision.apology, language)
            return steps.Hangup(apology=decision.apology, apology_wav=wav)
        return steps.Gather(
            prompt=decision.prompt,
            prompt_wav=self.speech.render(decision.prompt, language),
            timeout=float(config.flow.gather_timeout),
            max_digits=max((len(t.dtmf) for t in config.topics if t.dtmf), default=1),
            attempt=decision.attempt,
        )
