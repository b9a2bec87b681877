"""A small real HTTP forward proxy on loopback (absolute-form GET, no CONNECT)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class ForwardProxy:
    deny: bool = False
    port: int = 0
    requests: list[str] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(5):
                head = await reader.readuntil(b"\r\n\r\n")
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            self.requests.append(request_line)
            method, target, _version = request_line.split(" ")
            if self.deny or method != "GET":
                writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\nConnection: close\r\n\r\nForbidden")
                await writer.drain()
                return
            url = urlsplit(target)
            path = url.path + (f"?{url.query}" if url.query else "")
            async with asyncio.timeout(5):
                up_reader, up_writer = await asyncio.open_connection(url.hostname, url.port or 80)
                up_writer.write(f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nConnection: close\r\n\r\n".encode())
                await up_writer.drain()
                writer.write(await up_reader.read(65536))
                await writer.drain()
                up_writer.close()
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def forward_proxy(deny: bool = False) -> AsyncIterator[ForwardProxy]:
    proxy = ForwardProxy(deny=deny)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    proxy.port = server.sockets[0].getsockname()[1]
    try:
        yield proxy
    finally:
        server.close()
        await server.wait_closed()
