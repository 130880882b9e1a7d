"""Serve a built site as GitHub Pages serves a project site, for the audit and the tests.

The site answers under SUBPATH on 127.0.0.1 (a free port): text responses are gzip-compressed,
a folder without its trailing slash is redirected, and a miss gets the site's 404.html with
status 404.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

# The path a project site lives under: https://OWNER.github.io/REPOSITORY/.
SUBPATH = "/annotated-commentary/"
# Responses GitHub Pages sends compressed.
COMPRESSED_TYPES = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "image/svg+xml",
)


class _PagesHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site under SUBPATH with gzip for text, answering misses with 404.html."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        root = Path(self.directory)
        url_path = unquote(urlsplit(self.path).path)
        target = None
        if url_path.startswith(SUBPATH):
            candidate = (root / url_path[len(SUBPATH):]).resolve()
            if candidate.is_relative_to(root.resolve()):
                if candidate.is_dir() and not url_path.endswith("/"):
                    self.send_response(301)
                    self.send_header("Location", url_path + "/")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if candidate.is_dir():
                    candidate = candidate / "index.html"
                if candidate.is_file():
                    target = candidate
        status = 200
        if target is None:
            status, target = 404, root / "404.html"
            if not target.is_file():
                self.send_error(404)
                return
        body = target.read_bytes()
        content_type = self.guess_type(str(target))
        self.send_response(status)
        if content_type.startswith(COMPRESSED_TYPES):
            self.send_header("Vary", "Accept-Encoding")
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                body = gzip.compress(body, compresslevel=6, mtime=0)
                self.send_header("Content-Encoding", "gzip")
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        if send_body:
            self.wfile.write(body)


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve `site` on 127.0.0.1 (a free port) under SUBPATH; yield the base URL."""
    handler = functools.partial(_PagesHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{SUBPATH}"
    finally:
        server.shutdown()
        server.server_close()


def chromium_executable() -> str | None:
    """Chromium from $CHROME_PATH or Debian's /usr/bin/chromium, if either exists."""
    for candidate in (os.environ.get("CHROME_PATH"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def built_pages(site: Path) -> list[str]:
    """Every page of a built site, as an address under its root ("" for the overview)."""
    pages = []
    for index in sorted(site.rglob("index.html")):
        relative = index.parent.relative_to(site).as_posix()
        pages.append("" if relative == "." else relative + "/")
    return pages
