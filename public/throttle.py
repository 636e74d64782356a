"""Per-address rate limits kept in the shared cache, so they hold across every server
process: the database cache by default, Redis when configured.

Redis increments atomically. The database cache reads and writes back, so requests
landing at the same instant can lose a count: the limit then stretches by at most the
number of simultaneous requests, which still stops a script from guessing.
"""

import hashlib
import ipaddress
import math
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
# Lookups per address, and wrong codes for one tracking number per address.
LOOKUPS = Limit("lookup", 10, 600)
FAILED_LOOKUPS_PER_NUMBER = Limit("lookup-number-address", 5, 3600)
# Wrong codes for one tracking number from anywhere. Past this budget the number is not
# locked: tracking numbers are sequential, so a lock would let any stranger shut a citizen
# out of their own case, and a stranger's address looks just like the citizen's. Instead
# the number enters a slow lane (`slow_lane_wait`): an address that has failed on it must
# wait, longer as the wrong codes pile up, before its next code is checked, while a code
# from an address that has not failed is checked at once. Nobody can take another's turn,
# so the right code always gets through, at worst after SLOW_LANE_MAX_WAIT. What really
# stops guessing is the code itself: 10 characters of a 31-letter alphabet are 8 x 10^14
# possibilities, against which the per-address limits leave a script a few dozen tries an
# hour per address.
FAILED_LOOKUPS_PER_NUMBER_ANYWHERE = Limit("lookup-number", 30, 3600)
SLOW_LANE_FIRST_WAIT = 60
SLOW_LANE_MAX_WAIT = 3600
# What a citizen adds to one case online.
ADDITIONS = Limit("add", 10, 3600)


def _digest(key: str) -> str:
    # Hashed: addresses and tracking numbers stay out of the cache's keys.
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _bucket(limit: Limit, key: str) -> str:
    return f"throttle:{limit.name}:{_digest(key)}:{int(time.time() // limit.seconds)}"


def _used(limit: Limit, key: str) -> int:
    return cache.get(_bucket(limit, key)) or 0


def exceeded(limit: Limit, key: str) -> bool:
    """Whether `key` has used up `limit` in this window, without counting an attempt."""
    return _used(limit, key) >= limit.count


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


def _lane(number: str, address: str) -> str:
    return f"throttle:lookup-lane:{_digest(f'{number}|{address}')}"


def slow_lane_delay(failures: int) -> int:
    """How long an address that failed on a number waits before its next code for it is
    checked, once the number has had `failures` wrong codes from anywhere this hour: none
    within the budget, then a minute, doubling with every further budget's worth of wrong
    codes, never more than an hour."""
    budget = FAILED_LOOKUPS_PER_NUMBER_ANYWHERE.count
    if failures < budget:
        return 0
    return min(SLOW_LANE_FIRST_WAIT * 2 ** (failures // budget - 1), SLOW_LANE_MAX_WAIT)


def slow_lane_wait(number: str, address: str) -> int:
    """Seconds `address` must still wait before a code it sends for `number` is checked;
    0 to check it now. An address that has not failed on the number never waits."""
    last_failure = cache.get(_lane(number, address))
    if last_failure is None:
        return 0
    delay = slow_lane_delay(_used(FAILED_LOOKUPS_PER_NUMBER_ANYWHERE, number))
    return max(0, math.ceil(last_failure + delay - time.time()))


def count_failed_lookup(number: str, address: str) -> None:
    """Count a wrong code (or an unknown number: they must look alike) for `number` from
    `address`, against its limits and its slow lane."""
    count(FAILED_LOOKUPS_PER_NUMBER, f"{number}|{address}")
    count(FAILED_LOOKUPS_PER_NUMBER_ANYWHERE, number)
    cache.set(_lane(number, address), time.time(), SLOW_LANE_MAX_WAIT)
