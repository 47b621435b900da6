"""``client.storage``: write, read, list (a page, or every object page by page), delete.

Invariants: each call is build -> send -> parse (``_protocol.storage``); values go out as JSON
text and come back decoded; a write whose version check failed raises ``Conflict`` on either
server (Nakama says it with 400 and a message, ``storage.conflict_of`` reads it). An id without a
user (``user_id=None``) is the logged-in player's own object.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from .._config import DEFAULT
from .._exceptions import APIError
from .._protocol import storage
from .._protocol.models import parse_empty
from .._protocol.operations import covers
from .._protocol.storage import (
    StorageAck,
    StorageId,
    StorageObject,
    StorageObjectList,
    StorageWrite,
)
from .calls import Caller, Timeout
from .pages import follow_cursor

__all__ = ["StorageService"]


class StorageService:
    """Sees its client only through ``Caller``."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    @covers("Nakama_WriteStorageObjects")
    async def write(
        self, objects: Sequence[StorageWrite], *, timeout: Timeout = DEFAULT
    ) -> list[StorageAck]:
        """Write the player's objects, all or none; ``Conflict`` if a version check failed."""
        req = storage.write_objects(objects)
        try:
            return await self._caller.send(req, storage.parse_acks, timeout)
        except APIError as exc:
            mapped = storage.conflict_of(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    @covers("Nakama_ReadStorageObjects")
    async def read(
        self, ids: Sequence[StorageId], *, timeout: Timeout = DEFAULT
    ) -> list[StorageObject]:
        """The objects of ``ids`` the player may read; missing or unreadable ones are left out."""
        caller = self._caller.sessions.require().user_id
        req = storage.read_objects(ids, caller)
        return await self._caller.send(req, storage.parse_objects, timeout)

    @covers("Nakama_ListStorageObjects")
    async def list(
        self,
        collection: str,
        *,
        user_id: str | None = None,
        limit: int = 100,
        cursor: str | None = None,
        timeout: Timeout = DEFAULT,
    ) -> StorageObjectList:
        """A page of ``collection`` (1-100): ``user_id`` None lists everyone's public objects,
        the player's own id lists all of theirs it may read, another id that player's public
        ones. ``.cursor`` names the next page (None: this is the last)."""
        req = storage.list_objects(collection, user_id=user_id, limit=limit, cursor=cursor)
        return await self._caller.send(req, storage.parse_object_list, timeout)

    @covers("Nakama_ListStorageObjects")
    async def iterate(
        self,
        collection: str,
        *,
        user_id: str | None = None,
        page_size: int = 100,
        timeout: Timeout = DEFAULT,
    ) -> AsyncIterator[StorageObject]:
        """Every object ``list`` would show, page by page, following the cursor."""
        pages = follow_cursor(
            lambda cursor: self.list(
                collection, user_id=user_id, limit=page_size, cursor=cursor, timeout=timeout
            ),
            lambda page: (page.objects, page.cursor),
        )
        async for obj in pages:
            yield obj

    @covers("Nakama_DeleteStorageObjects")
    async def delete(self, ids: Sequence[StorageId], *, timeout: Timeout = DEFAULT) -> None:
        """Delete the player's own objects, all or none (a missing one, a version that does not
        match or a write permission of 0 refuses the whole call)."""
        await self._caller.send(storage.delete_objects(ids), parse_empty, timeout)
