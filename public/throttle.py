"""Per-address rate limits kept in the shared cache, so they hold across every server
process: the database cache by default, Redis when configured.

Redis increments atomically. The database cache reads and writes back, so requests
landing at the same instant can lose a count: the limit then stretches by at most the
number of simultaneous requests, which still stops a script from guessing.
"""

import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from audit.services import client_address


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


# Attempts, not successes: a citizen needs a few (a typo, a second opinion); a script
# needs hundreds.
SUBMISSIONS = Limit("submit", 10, 3600)
# Lookups per address; wrong codes for one tracking number per address, and from
# anywhere (higher: a few addresses must not lock a citizen out of their own case).
LOOKUPS = Limit("lookup", 10, 600)
FAILED_LOOKUPS_PER_NUMBER = Limit("lookup-number-address", 5, 3600)
FAILED_LOOKUPS_PER_NUMBER_ANYWHERE = Limit("lookup-number", 30, 3600)
# What a citizen adds to one case online.
ADDITIONS = Limit("add", 10, 3600)


def _bucket(limit: Limit, key: str) -> str:
    # Hashed: addresses and tracking numbers stay out of the cache's keys.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"throttle:{limit.name}:{digest}:{int(time.time() // limit.seconds)}"


def exceeded(limit: Limit, key: str) -> bool:
    """Whether `key` has used up `limit` in this window, without counting an attempt."""
    return (cache.get(_bucket(limit, key)) or 0) >= limit.count


def count(limit: Limit, key: str) -> None:
    """Count one attempt against `limit` for `key`."""
    bucket = _bucket(limit, key)
    if cache.add(bucket, 1, limit.seconds):
        return
    try:
        cache.incr(bucket)
    except ValueError:  # the window expired between add and incr
        cache.set(bucket, 1, limit.seconds)


def address(request: HttpRequest) -> str:
    """The client's address; for IPv6 its /64 network, which one client usually holds
    whole (a limit per single IPv6 address would be no limit)."""
    raw = client_address(request) or "unknown"
    try:
        parsed = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
