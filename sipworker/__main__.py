"""``python -m sipworker``: one worker, or a pool of SIP_WORKERS on consecutive ports."""

import logging
import sys

from handoff.settings import ConfigurationError
from sipworker import settings as worker_settings


def main() -> int:
    """Run the worker (or the pool) configured by the environment."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        settings = worker_settings.load()
    except ConfigurationError as exc:
        print(f"sipworker: {exc}", file=sys.stderr)
        return 2
    if settings.workers > 1:
        from sipworker.pool import run_pool

        return run_pool(settings)
    from sipworker.run import run_worker

    return run_worker(settings)


if __name__ == "__main__":
    sys.exit(main())
