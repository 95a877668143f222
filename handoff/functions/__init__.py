"""Functions runtime (DESIGN §5): deployers' Python routing code called with ``conv``."""

from handoff.functions.conv import Conv, MissingHandoff, SoftHandoff, State
from handoff.functions.loader import FunctionNotFound, load_function
from handoff.functions.runner import run_topic_function

__all__ = [
    "Conv",
    "FunctionNotFound",
    "MissingHandoff",
    "SoftHandoff",
    "State",
    "load_function",
    "run_topic_function",
]
