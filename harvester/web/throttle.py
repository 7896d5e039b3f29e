"""Wrong tokens are limited per client: a guesser gets a few tries per window, then 429s."""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter


class LoginThrottle:
    """Counts failed sign-ins and bearer tokens by client address, in a moving window."""

    def __init__(self, attempts: int, window_minutes: float) -> None:
        self._item = RateLimitItemPerSecond(attempts, max(1, round(window_minutes * 60)))
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may try again, or None when it may try now."""
        if await self._limiter.test(self._item, client):
            return None
        stats = await self._limiter.get_window_stats(self._item, client)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def failed(self, client: str) -> None:
        """Record one wrong token from `client`."""
        await self._limiter.hit(self._item, client)
