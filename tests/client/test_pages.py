"""The one cursor loop behind every ``iterate``: order, where it stops, and a server that lies
by sending a cursor again (which would loop forever)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gameservices import Client, HttpRequest, HttpResponse, ProtocolError
from gameservices._client.pages import follow_cursor
from gameservices.testing import MockTransport, json_response

from .nakama_seam import NakamaSeam


@dataclass(frozen=True)
class Page:
    items: tuple[int, ...]
    cursor: str | None


async def collect(pages: dict[str | None, Page]) -> tuple[list[int], list[str | None]]:
    asked: list[str | None] = []

    async def fetch(cursor: str | None) -> Page:
        asked.append(cursor)
        return pages[cursor]

    got = [item async for item in follow_cursor(fetch, lambda p: (p.items, p.cursor))]
    return got, asked


async def test_pages_are_followed_in_order_until_no_cursor() -> None:
    got, asked = await collect(
        {None: Page((1, 2), "b"), "b": Page((3,), "c"), "c": Page((4,), None)}
    )
    assert got == [1, 2, 3, 4]
    assert asked == [None, "b", "c"]


async def test_an_empty_page_ends_the_listing_even_with_a_cursor() -> None:
    got, asked = await collect({None: Page((1,), "b"), "b": Page((), "c")})
    assert got == [1]
    assert asked == [None, "b"]


async def test_a_cursor_sent_again_is_a_protocol_error_not_a_loop() -> None:
    with pytest.raises(ProtocolError, match="cursor again"):
        await collect({None: Page((1,), "b"), "b": Page((2,), "b")})


async def test_a_namespace_iterate_refuses_a_repeating_cursor() -> None:
    seam = NakamaSeam()

    def looping(request: HttpRequest) -> HttpResponse | None:
        if request.method != "GET" or not request.url.path.startswith("/v2/leaderboard/"):
            return None
        record = {"leaderboard_id": "kills", "owner_id": "user-1", "score": "1", "rank": "1"}
        return json_response({"records": [record], "next_cursor": "same", "rank_count": "1"})

    seam.scripts.append(looping)
    async with Client("http://127.0.0.1:7350", transport=MockTransport(seam.handle)) as client:
        await client.auth.device("device-0001-abcdef")
        seen: list[int] = []

        async def read_all() -> None:
            async for record in client.leaderboards.iterate("kills"):
                seen.append(record.score)

        with pytest.raises(ProtocolError):
            await read_all()
    assert seen == [1, 1]  # the first page, then the repeat's page, then the refusal
