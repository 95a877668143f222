"""Each contender in a benchmark run gets calls no other contender has seen."""

import re

from bench.webhook import fresh_pools


def call_sids(pool_file) -> set[str]:
    return set(re.findall(r"CallSid=(CA[0-9a-f]{32})", pool_file.read_text()))


def test_every_server_gets_its_own_never_seen_calls(tmp_path):
    servers = ["handoff", "handoff wb", "(b) lookup"]

    pools = fresh_pools(servers, "gather", 10, 5, tmp_path)

    assert len(pools) == len(servers)
    sids = [call_sids(pool) for pool in pools]
    assert all(len(s) == 5 for s in sids)
    assert sids[0].isdisjoint(sids[1])
    assert sids[1].isdisjoint(sids[2])
    assert sids[0].isdisjoint(sids[2])
