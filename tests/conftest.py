"""Shared fixtures: the real site built once, a static server with a subpath, and Chromium."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from commentary.pages_server import SUBPATH, chromium_executable, serve  # noqa: E402

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once by scripts/build.py (check, strict MkDocs build, PDF)."""
    import build

    site = tmp_path_factory.mktemp("build") / "site"
    old = os.environ.get("SITE_URL")
    os.environ["SITE_URL"] = f"http://127.0.0.1{SUBPATH}"
    try:
        status = build.main(["--site-dir", str(site)])
    finally:
        if old is None:
            os.environ.pop("SITE_URL", None)
        else:
            os.environ["SITE_URL"] = old
    assert status == 0, "scripts/build.py failed on the real site"
    return site


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """The built site served on 127.0.0.1 under SUBPATH as GitHub Pages serves it; its base URL."""
    with serve(built_site) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped with a reason where there is none.

    In CI (CI=true) a missing Chromium fails instead: `.ci/run` installs it.
    """
    executable = chromium_executable()
    if executable is None:
        reason = "no Chromium at /usr/bin/chromium or $CHROME_PATH"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}, and CI must run the browser tests")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def tmp_site(tmp_path: Path):
    """A factory for tiny MkDocs sites: make(pages={...}, config=...) returns the config path."""

    def make(pages: dict[str, str | bytes], config: str | None = None) -> Path:
        for name, content in pages.items():
            target = tmp_path / "docs" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        config_file = tmp_path / "mkdocs.yml"
        config_file.write_text(config or _default_config(pages), encoding="utf-8")
        return config_file

    yield make
    shutil.rmtree(tmp_path, ignore_errors=True)


def _default_config(pages: dict[str, str | bytes]) -> str:
    """A config with this site's Markdown extensions and every page in nav."""
    nav = "\n".join(
        f"  - {name}" for name in pages if name.endswith(".md") and not name.startswith("includes/")
    )
    return f"""site_name: Test
exclude_docs: |
  includes/
markdown_extensions:
  - abbr
  - admonition
  - attr_list
  - def_list
  - footnotes
  - md_in_html
  - tables
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.snippets:
      base_path: [docs, docs/includes]
      check_paths: true
nav:
{nav}
"""
