"""Region names botocore knows, to catch a typo such as eu-wst-1 before a plan waits on a host that does not exist."""
from __future__ import annotations

from functools import lru_cache

from shiftwork.engine.language.suggest import did_you_mean


@lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every region of every partition in this botocore's partition data (partitions.json, 7 KB).

    Not a service's regions, which would parse that service's whole model (EC2's: ~0.13 s, 30 MB), nor
    endpoints.json (1.2 MB, ~20 ms, and parsed again by botocore's own loader when a client is made).
    The `aws-global`-style names there are endpoints for global services, not regions a rule can name.
    """
    from botocore.loaders import create_loader

    partitions = create_loader().load_data("partitions")["partitions"]
    return frozenset(region for partition in partitions for region in partition["regions"]
                     if not region.endswith("-global"))


def unknown_region(name: str) -> tuple[str, str] | None:
    """(message, hint) for a region botocore does not know; a warning, since a newer region may be real."""
    if name in known_regions():
        return None
    hint = did_you_mean(name, known_regions())
    return (f"unknown region '{name}' (not in this botocore's endpoint data)",
            hint or "check the spelling; if the region is new, upgrade boto3")
