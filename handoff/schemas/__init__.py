"""Validation of configuration input as marshmallow schemas, shared by the API and the UI.

Schemas check everything a value can be judged on alone; the services add the rules
that need the database (unique names, fallbacks in the same environment, Twilio limits).
"""

from handoff.schemas.common import (
    ENCRYPTIONS,
    METHODS,
    SIP_BYE,
    SIP_INVITE,
    SIP_REFER,
    WarningSchema,
    slugify_reason,
)
from handoff.schemas.destination import DestinationListSchema, DestinationSchema, SipHeaderSchema
from handoff.schemas.environment import (
    ConfigVersionDetailSchema,
    ConfigVersionListSchema,
    ConfigVersionSchema,
    EnvironmentSchema,
    PhoneNumberListSchema,
    PhoneNumberSchema,
    PromoteSchema,
    RollbackSchema,
)
from handoff.schemas.integration import KIND_DEFAULTS, KINDS, FlowSchema, IntegrationSchema
from handoff.schemas.topic import ACTIONS, TopicListSchema, TopicSchema

__all__ = [
    "ACTIONS",
    "ENCRYPTIONS",
    "KINDS",
    "KIND_DEFAULTS",
    "METHODS",
    "SIP_BYE",
    "SIP_INVITE",
    "SIP_REFER",
    "ConfigVersionDetailSchema",
    "ConfigVersionListSchema",
    "ConfigVersionSchema",
    "DestinationListSchema",
    "DestinationSchema",
    "EnvironmentSchema",
    "FlowSchema",
    "IntegrationSchema",
    "PhoneNumberListSchema",
    "PhoneNumberSchema",
    "PromoteSchema",
    "RollbackSchema",
    "SipHeaderSchema",
    "TopicListSchema",
    "TopicSchema",
    "WarningSchema",
    "slugify_reason",
]
