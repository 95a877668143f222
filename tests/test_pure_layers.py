"""The decision code and TwiML rendering stay pure: no database, no web framework inside."""

import subprocess
import sys

import pytest

IMPURE = ("sqlalchemy", "flask", "models", "handoff.web")


@pytest.mark.parametrize("module", ["handoff.decision", "twiml", "handoff.config"])
def test_a_pure_module_loads_no_database_or_web_layer(module):
    # A fresh interpreter: this test process has already imported everything.
    probe = f"import sys, {module}; print(','.join(m for m in {IMPURE!r} if m in sys.modules))"
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert not found, f"importing {module} loads {found}"
