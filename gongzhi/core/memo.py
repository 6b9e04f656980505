"""A few values kept in this worker process, in front of Django's cache.

Django's cache is shared by the workers (Redis) or per process (memory); either way each read
costs a round trip or an unpickling. For the values a phone's every request reads (what an app
token stands for, the estate and the category of a report), the process keeps what it read for
the same time the cache would. The keys hold the grants generation (``gongzhi.open311.auth``), so
a saved place, account or token is seen at once — a worker reads the generation from the shared
cache on each request — and the limit keeps the memory bounded."""

import time


class ProcessMemo:
    def __init__(self, limit: int = 10_000):
        self._items: dict[str, tuple[float, object]] = {}
        self._limit = limit

    def get(self, key: str):
        item = self._items.get(key)
        if item is None:
            return None
        if item[0] <= time.monotonic():
            self._items.pop(key, None)
            return None
        return item[1]

    def set(self, key: str, value, seconds: float) -> None:
        if len(self._items) >= self._limit:
            self._items.clear()
        self._items[key] = (time.monotonic() + seconds, value)

    def clear(self) -> None:
        self._items.clear()

    def get_or_read(self, key: str, seconds: float, read):
        """The value kept here, else the one in Django's cache, else ``read()`` (kept in both for
        ``seconds``). ``read`` raises to refuse; nothing is kept then."""
        value = self.get(key)
        if value is None:
            from django.core.cache import cache

            value = cache.get(key)
            if value is None:
                value = read()
                cache.set(key, value, seconds)
            self.set(key, value, seconds)
        return value
