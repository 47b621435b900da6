"""A selector that delegates to a real one: the base of both runner modes' selector wrappers.

asyncio calls ``select()`` once per loop iteration, which makes the selector the one place to
act at each iteration's start without touching the loop's private state: the inline stepper
ends ticks there, the thread loop moves its inbox onto the loop there. Subclasses override
``select()``; everything else goes to ``inner`` unchanged.
"""

from __future__ import annotations

import selectors
from collections.abc import Mapping
from typing import Any

__all__ = ["SelectorWrapper"]


class SelectorWrapper(selectors.BaseSelector):
    def __init__(self, inner: selectors.BaseSelector) -> None:
        self.inner = inner

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self.inner.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self.inner.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self.inner.modify(fileobj, events, data)

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self.inner.get_map()

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        return self.inner.select(timeout)

    def close(self) -> None:
        self.inner.close()
