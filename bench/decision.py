"""Micro-benchmark the pure decision code against the number of destinations and topics.

Run from the repository root: `.venv/bin/python -m bench.decision` (`make bench-decision`).
"""

import argparse
import math
import time

from bench.seed import code_word, handoff_phrase
from handoff.config import DestinationConfig, EnvironmentConfig, HeaderConfig, TopicConfig
from handoff.decision import CallFacts, decide_call, decide_gather

HEADERS = (HeaderConfig("X-Caller", "$caller_id"), HeaderConfig("X-Reason", "$handoff_reason"))


def environment_config(size: int, version: int = 2) -> EnvironmentConfig:
    """Return a configuration shaped like bench/seed.py's, built in memory."""
    destinations = tuple(
        DestinationConfig(
            id=i + 1,
            name=f"Team {code_word(i)}",
            method="sip_invite",
            route=f"sip:{code_word(i)}@pbx.example.com",
            sip_headers=HEADERS,
            is_default=i == 0,
        )
        for i in range(size)
    )
    topics = tuple(
        TopicConfig(
            id=i + 1,
            name=f"Topic {code_word(i)}",
            phrases=(f"talk to {code_word(i)}", f"{code_word(i)} department"),
            destination_id=i + 1,
            reason=f"asked_for_{code_word(i)}",
            utterance=f"Connecting you to {code_word(i)}.",
            position=i,
        )
        for i in range(size)
    )
    return EnvironmentConfig("live", version, destinations=destinations, topics=topics)


def per_call_us(function, seconds: float) -> float:
    """Return the median CPU microseconds per call of ``function`` over five timed batches."""
    # CPU time of this process, not wall time: other processes on the machine do not count.
    clock = time.process_time
    batch, started = 1, clock()
    while clock() - started < seconds / 10:
        function()
        batch += 1
    samples = []
    for _ in range(5):
        started = clock()
        for _ in range(batch):
            function()
        samples.append((clock() - started) / batch * 1e6)
    return sorted(samples)[2]


def measure(size: int, seconds: float) -> dict[str, float]:
    """Return microseconds per decision for one configuration size."""
    config = environment_config(size)
    facts = CallFacts(call_sid="CA" + "1" * 32, caller="+14155550100", called="+15550100000")
    spoken = CallFacts(**{**facts.__dict__, "speech": handoff_phrase(size)})
    started = time.process_time()
    first = decide_gather(config, spoken)  # compiles the matcher once for this config
    cold = (time.process_time() - started) * 1e6
    assert first.plan.destination.id == size, "the phrase must reach the last topic"
    return {
        "first gather (compiles)": cold,
        "decide_call": per_call_us(lambda: decide_call(config, facts), seconds),
        "decide_gather": per_call_us(lambda: decide_gather(config, spoken), seconds),
    }


def main(argv=None) -> None:
    """Print µs per decision for each size and the growth exponent between the extremes."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sizes", default="10,100,1000,10000")
    p.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    table = {size: measure(size, args.seconds) for size in sizes}
    names = list(table[sizes[0]])
    print(f"{'CPU µs per decision':<26}" + "".join(f"{s:>10}" for s in sizes) + f"{'growth':>9}")
    for name in names:
        values = [table[s][name] for s in sizes]
        # Exponent k in time ∝ n^k between the smallest and largest size: 0 is O(1), 1 is O(n).
        k = math.log(values[-1] / values[0]) / math.log(sizes[-1] / sizes[0])
        print(f"{name:<26}" + "".join(f"{v:>10.1f}" for v in values) + f"{'n^' + f'{k:.2f}':>9}")


if __name__ == "__main__":
    main()
