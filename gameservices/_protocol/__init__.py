"""Pure Nakama wire rules: no aiohttp, no asyncio, no files. Shared by the client and the server."""
