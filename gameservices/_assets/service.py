"""``client.assets``: the manifest, one verified download, or a whole sync.

Invariants:
- Asset requests never carry the API's Authorization header: asset hosts (our server, a CDN,
  a bucket) are public or use signed URLs in the manifest, so a token can't leak to them.
- The manifest is fetched fresh for each call, with ``If-None-Match``: an unchanged manifest
  costs one 304 and is not parsed again.
- Downloads run without a total timeout (a big file may take minutes); the connect timeout of
  the client still applies.
- Failed manifest fetches and downloads are retried as ``retry.decide(..., DOWNLOAD)`` says.
- This package sees HTTP only through the transport seam (``_client.transport``'s types).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from yarl import URL

from .._client.transport import BodyStream, HttpRequest, HttpResponse, HttpTransport, parse_body
from .._config import DEFAULT, Default, RetryPolicy, Timeouts
from .._exceptions import GameServicesError, NotFound, ProtocolError
from .._protocol.hoststatus import status_error
from .._protocol.manifest import Manifest, ManifestEntry, parse_manifest
from .._protocol.retry import DOWNLOAD, GiveUp, decide
from .bandwidth import TokenBucket
from .downloader import Downloader, ProgressFn, SyncResult, check_concurrency
from .filesink import OpenPart, open_part

__all__ = ["MANIFEST_NAME", "Assets"]

MANIFEST_NAME = "manifest.json"


class Assets:
    """Asset downloads from ``assets_url`` (default ``{base_url}/assets/``)."""

    def __init__(
        self,
        transport: HttpTransport,
        assets_url: URL | str,
        *,
        retry: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        opener: OpenPart = open_part,
        opened: Callable[[], None] | None = None,
    ) -> None:
        url = URL(str(assets_url))
        self._opened = opened or _nothing
        self.url = url if url.path.endswith("/") else url.with_path(url.path + "/")
        self.manifest_url = self.url.join(URL(MANIFEST_NAME))
        self._transport = transport
        self._retry = retry or RetryPolicy()
        # None: the transport's own defaults for the manifest, and their connect limit below
        self._timeouts: Timeouts | Default = DEFAULT if timeouts is None else timeouts
        connect = (timeouts or Timeouts()).connect
        self._stream_timeout = Timeouts(total=None, connect=connect)
        self._downloader = Downloader(self._fetch, retry=self._retry, opener=opener)
        self._cached: tuple[str, Manifest] | None = None

    async def manifest(self) -> Manifest:
        """The current manifest, validated (ProtocolError names what is wrong with it)."""
        self._opened()  # the client's lifecycle: UsageError once closed; registers with a runner
        headers = {"Accept": "application/json"}
        if self._cached is not None:
            headers["If-None-Match"] = self._cached[0]
        resp = await self._with_retry(
            HttpRequest("GET", self.manifest_url, headers, timeout=self._timeouts)
        )
        if resp.status == 304 and self._cached is not None:
            return self._cached[1]
        if resp.status != 200:
            raise status_error(resp.status, resp.headers, self.manifest_url)
        manifest = await parse_body(resp, self._parse)
        etag = resp.headers.get("ETag")
        self._cached = (etag, manifest) if etag else None
        return manifest

    async def download(
        self, name: str, dest_dir: Path | str, *, on_progress: ProgressFn | None = None
    ) -> Path:
        """Download ``name`` into ``dest_dir`` (verified; skipped when already current).

        ``on_progress(done, total)`` gets bytes as they land (on the event loop); without it,
        progress goes to the TickRunner running this call (``Handle.on_progress``), if any.
        """
        entry = _find(await self.manifest(), name, self.manifest_url)
        path, _ = await self._downloader.download(entry, dest_dir, on_progress=on_progress)
        return path

    async def sync(
        self,
        dest_dir: Path | str,
        names: Sequence[str] | None = None,
        concurrency: int = 4,
        max_bytes_per_s: float | None = None,
        *,
        on_progress: ProgressFn | None = None,
    ) -> SyncResult:
        """Bring ``names`` (default: every asset) up to date in ``dest_dir``.

        Progress is aggregate bytes over the whole sync, reported as ``download`` does; per-file
        failures are collected in ``SyncResult.failed`` rather than raised.
        """
        check_concurrency(concurrency)  # bad arguments fail before any request
        bucket = TokenBucket(max_bytes_per_s) if max_bytes_per_s is not None else None
        manifest = await self.manifest()
        entries: list[ManifestEntry] = []
        missing: dict[str, GameServicesError] = {}
        for name in manifest.names if names is None else dict.fromkeys(names):  # dedupe
            try:
                entries.append(_find(manifest, name, self.manifest_url))
            except NotFound as exc:
                missing[name] = exc
        result = await self._downloader.sync(
            entries, dest_dir, concurrency=concurrency, bucket=bucket, on_progress=on_progress
        )
        return result.with_failures(missing) if missing else result

    def _parse(self, resp: HttpResponse) -> Manifest:
        try:
            data: Any = json.loads(resp.body)
        except (ValueError, RecursionError) as exc:  # nesting too deep for Python's parser
            raise ProtocolError(f"manifest at {self.manifest_url} is not JSON: {exc}") from None
        return parse_manifest(data, URL(resp.url))

    @asynccontextmanager
    async def _fetch(
        self, url: URL, headers: Mapping[str, str], chunk_size: int
    ) -> AsyncIterator[BodyStream]:
        request = HttpRequest("GET", url, headers, timeout=self._stream_timeout)
        async with self._transport.stream(request, chunk_size) as resp:
            yield resp

    async def _with_retry(self, request: HttpRequest) -> HttpResponse:
        attempt = 0
        while True:
            try:
                resp = await self._transport.request(request)
                if resp.status >= 500 or resp.status == 429:
                    raise status_error(resp.status, resp.headers, self.manifest_url)
                return resp
            except GameServicesError as exc:
                decision = decide(exc, attempt, self._retry, DOWNLOAD)
                if isinstance(decision, GiveUp):
                    raise decision.error from decision.error.__cause__
            await self._retry.sleep(decision.wait)
            attempt += 1


def _nothing() -> None:
    return None


def _find(manifest: Manifest, name: str, where: URL) -> ManifestEntry:
    entry = manifest.get(name)
    if entry is None:
        raise NotFound(
            f"no asset named {name!r} in manifest {manifest.version!r}",
            status=404,
            method="GET",
            url=str(where),
        )
    return entry
