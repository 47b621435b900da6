"""The reference server: a Nakama-compatible subset plus an asset host (aiohttp.web + SQLite)."""
