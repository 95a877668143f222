"""Handoff: route calls that need a human to the right team with their context intact."""
