"""The built site as GitHub Pages serves a project site: under a subpath, in Chromium.

Every page listed in sitemap.xml is opened in Chromium once (the `crawl` fixture); the tests then
check what was requested, linked and rendered. The server is conftest's `site_url`: the real
build, served under /annotated-commentary/ with misses answered by 404.html and status 404.
"""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit
from xml.etree import ElementTree

import pytest
from conftest import SUBPATH

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The site_url the `built_site` fixture builds with; canonical links and sitemap entries use it.
BUILT_SITE_URL = f"http://127.0.0.1{SUBPATH}"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
# Material's own stylesheet, e.g. assets/stylesheets/main.57a0d79d.min.css.
MATERIAL_CSS = re.compile(r"/assets/stylesheets/main\.[0-9a-f]+\.min\.css$")
VIEWPORT = {"width": 1280, "height": 900}
# An id or name attribute in the HTML as the server sent it.
STATIC_ID = re.compile(r'\s(?:id|name)="([^"]+)"')

# Every URL an element of the page points at, resolved by the browser, with what points at it.
COLLECT_LINKS_JS = """() => {
  const out = [];
  const add = (el, url) => { if (url) out.push([el.tagName.toLowerCase(), url]); };
  // An SVG link's href is an animated string: resolve its attribute as the browser would.
  const resolve = el => new URL(el.getAttribute('href'), document.baseURI).href;
  document.querySelectorAll('a[href], area[href]').forEach(el => add(el, resolve(el)));
  document.querySelectorAll('link[href]').forEach(el => {
    if (el.rel !== 'canonical') add(el, el.href);
  });
  document.querySelectorAll('[src]').forEach(el => add(el, el.src));
  return out;
}"""
COLLECT_IDS_JS = """() => [
  ...Array.from(document.querySelectorAll('[id]'), el => el.id),
  ...Array.from(document.querySelectorAll('a[name]'), el => el.name),
]"""


@dataclass
class Visit:
    """What opening one page in Chromium showed."""

    url: str
    status: int
    canonical: str | None
    links: list[tuple[str, str]]
    # Ids in the page as Chromium renders it, and in its HTML as served: Material keeps the body
    # of a closed annotation, and every id in it, out of the document until it is opened.
    ids: set[str]
    static_ids: set[str]
    responses: list[tuple[str, int]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def to_served(url: str, base: str) -> str:
    """Map an address under the build's site_url to the same address on the test server."""
    return base + url[len(BUILT_SITE_URL):] if url.startswith(BUILT_SITE_URL) else url


def is_in_site(url: str, base: str) -> bool:
    """True for an address on the served site (under the subpath of the test server)."""
    return url.startswith(base)


def status_of(url: str) -> int:
    """The HTTP status the test server answers a HEAD request with (after redirects)."""
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def sitemap_pages(base: str) -> list[str]:
    """The page addresses in the served sitemap.xml, as the build wrote them."""
    with urllib.request.urlopen(base + "sitemap.xml", timeout=30) as response:
        tree = ElementTree.fromstring(response.read())
    return [loc.text.strip() for loc in tree.iterfind("sm:url/sm:loc", SITEMAP_NS) if loc.text]


def visit(context, url: str) -> Visit:
    """Open `url` in a new tab, wait until the network is idle, and record what it showed."""
    page = context.new_page()
    responses: list[tuple[str, int]] = []
    failed: list[tuple[str, str]] = []
    page.on("response", lambda r: responses.append((r.url, r.status)))
    page.on("requestfailed", lambda r: failed.append((r.url, r.failure or "failed")))
    try:
        response = page.goto(url, wait_until="networkidle")
        assert response is not None, f"no response for {url}"
        canonical = page.evaluate(
            "() => document.querySelector('link[rel=canonical]')?.getAttribute('href') ?? null"
        )
        return Visit(
            url=url,
            status=response.status,
            canonical=canonical,
            links=[tuple(pair) for pair in page.evaluate(COLLECT_LINKS_JS)],
            ids=set(page.evaluate(COLLECT_IDS_JS)),
            static_ids={html.unescape(i) for i in STATIC_ID.findall(response.text())},
            responses=responses,
            failed=failed,
        )
    finally:
        page.close()


@pytest.fixture(scope="module")
def context(browser) -> Iterator:
    """One browser context (cookies, cache) for this module's pages."""
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def crawl(context, site_url: str) -> dict[str, Visit]:
    """Every page of sitemap.xml opened in Chromium, keyed by its served address."""
    return {
        to_served(loc, site_url): visit(context, to_served(loc, site_url))
        for loc in sitemap_pages(site_url)
    }


@pytest.fixture(scope="module")
def link_status(crawl: dict[str, Visit], site_url: str) -> dict[str, int]:
    """The status of every in-site address any crawled page links to (fragment removed)."""
    targets = {
        urldefrag(to_served(url, site_url)).url
        for page in crawl.values()
        for _, url in page.links
        if is_in_site(to_served(url, site_url), site_url)
    }
    return {target: status_of(target) for target in sorted(targets)}


def test_sitemap_lists_every_built_page_under_site_url(built_site: Path, site_url: str) -> None:
    built = set()
    for path in built_site.rglob("index.html"):
        folder = path.parent.relative_to(built_site).as_posix()
        built.add(BUILT_SITE_URL if folder == "." else f"{BUILT_SITE_URL}{folder}/")
    assert sorted(sitemap_pages(site_url)) == sorted(built)


def test_every_sitemap_page_answers_200_in_chromium(crawl: dict[str, Visit]) -> None:
    assert crawl, "sitemap.xml lists no page"
    assert {url: page.status for url, page in crawl.items() if page.status != 200} == {}


def test_every_request_a_page_makes_succeeds(crawl: dict[str, Visit]) -> None:
    bad = sorted(
        f"{page.url} -> {url} ({status})"
        for page in crawl.values()
        for url, status in page.responses
        if status not in (200, 304)
    )
    failed = sorted(
        f"{page.url} -> {url} ({why})" for page in crawl.values() for url, why in page.failed
    )
    assert bad + failed == []


def test_pages_request_nothing_from_other_hosts(crawl: dict[str, Visit], site_url: str) -> None:
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(site_url))
    foreign = sorted(
        {
            url
            for page in crawl.values()
            for url, _ in page.responses
            if not url.startswith(origin) and not url.startswith("data:")
        }
    )
    assert foreign == []


def test_every_in_site_link_and_asset_answers_200(link_status: dict[str, int]) -> None:
    assert link_status, "the pages link to nothing in the site"
    assert {url: status for url, status in link_status.items() if status != 200} == {}


def test_no_link_leaves_the_subpath_for_the_same_host(
    crawl: dict[str, Visit], site_url: str
) -> None:
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(site_url))
    outside = sorted(
        f"{page.url} -> {url}"
        for page in crawl.values()
        for _, url in page.links
        if url.startswith(origin) and not is_in_site(url, site_url)
    )
    assert outside == []


def broken_fragments(context, crawl: dict[str, Visit], site_url: str, rendered: bool) -> list[str]:
    """In-site links whose #fragment names no id on the target page, as Chromium renders it
    (`rendered`) or in its HTML as served."""
    pages: dict[str, Visit] = dict(crawl)
    broken = set()
    for page in crawl.values():
        for _, url in page.links:
            target, fragment = urldefrag(to_served(url, site_url))
            if not fragment or not is_in_site(target, site_url) or target.endswith(".pdf"):
                continue
            if target not in pages:
                pages[target] = visit(context, target)
            ids = pages[target].ids if rendered else pages[target].ids | pages[target].static_ids
            if unquote(fragment) not in ids:
                broken.add(f"{page.url} -> {target}#{fragment}")
    return sorted(broken)


def test_every_fragment_exists_on_its_target_page(
    context, crawl: dict[str, Visit], site_url: str
) -> None:
    broken = broken_fragments(context, crawl, site_url, rendered=False)
    assert not broken, f"{len(broken)} fragments name no id on their page:\n" + "\n".join(broken)


def test_every_fragment_target_is_in_the_rendered_page(
    context, crawl: dict[str, Visit], site_url: str
) -> None:
    broken = broken_fragments(context, crawl, site_url, rendered=True)
    assert not broken, f"{len(broken)} fragments land nowhere:\n" + "\n".join(broken)


def test_canonical_link_is_the_page_address_under_site_url(
    crawl: dict[str, Visit], site_url: str
) -> None:
    wrong = {
        url: page.canonical
        for url, page in crawl.items()
        if page.canonical != BUILT_SITE_URL + url[len(site_url):]
    }
    assert wrong == {}


@pytest.mark.parametrize("missing", ["no-such-page/", "principles/no/such/page.html"])
def test_missing_address_shows_the_styled_404_page(context, site_url: str, missing: str) -> None:
    page = context.new_page()
    responses: list[tuple[str, int]] = []
    page.on("response", lambda r: responses.append((r.url, r.status)))
    try:
        response = page.goto(site_url + missing, wait_until="networkidle")
        assert response is not None and response.status == 404
        assert page.locator("article h1").inner_text() == "Page not found"
        # Material's stylesheet is loaded and applied: the header sticks to the top.
        assert page.evaluate(
            """(pattern) => Array.from(document.styleSheets).some(
                 s => s.href && new RegExp(pattern).test(s.href) && s.cssRules.length > 0)""",
            MATERIAL_CSS.pattern,
        )
        assert page.locator(".md-header").evaluate("el => getComputedStyle(el).position") == (
            "sticky"
        )
        links = [url for _, url in page.evaluate(COLLECT_LINKS_JS)]
    finally:
        page.close()
    assets = {url: status for url, status in responses if url != site_url + missing}
    assert assets and {url: s for url, s in assets.items() if s != 200} == {}
    in_site = {urldefrag(url).url for url in links if is_in_site(url, site_url)}
    assert site_url in in_site, "the 404 page has no link home"
    statuses = {url: status_of(url) for url in sorted(in_site)}
    assert {url: status for url, status in statuses.items() if status != 200} == {}


def principle_only_word(built_site: Path) -> str:
    """A word that occurs on the principle pages and starts no word of any other page."""
    import json

    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    principle: Counter[str] = Counter()
    other: set[str] = set()
    for doc in index["docs"]:
        text = re.sub(r"<[^>]+>", " ", f"{doc['title']} {doc['text']}").lower()
        words = re.findall(r"[a-z]+", text)
        if doc["location"].startswith("principles/"):
            principle.update(w for w in words if len(w) >= 8)
        else:
            other.update(words)
    candidates = [
        (-count, word)
        for word, count in principle.items()
        if not any(o.startswith(word) for o in other)
    ]
    assert candidates, "no word is unique to the principle pages"
    return min(candidates)[1]


def test_search_finds_a_principle_page_term(
    context, built_site: Path, site_url: str
) -> None:
    word = principle_only_word(built_site)
    page = context.new_page()
    try:
        page.goto(site_url, wait_until="networkidle")
        box = page.locator("input.md-search__input")
        box.click()
        box.press_sequentially(word, delay=20)
        result = page.locator(".md-search-result__item a.md-search-result__link").first
        result.wait_for(state="visible", timeout=15_000)
        result.click()
        page.wait_for_load_state("networkidle")
        assert page.url.startswith(site_url + "principles/")
        # The page's text, shown or not yet laid out (blocks below the screen are skipped by
        # content-visibility, and innerText leaves skipped blocks out).
        assert word in page.locator("article").text_content().lower()
    finally:
        page.close()


@pytest.mark.parametrize("missing", ["no-such-page/", "principles/no/such/page.html"])
def test_404_page_offers_a_way_on(context, site_url: str, missing: str) -> None:
    page = context.new_page()
    try:
        page.goto(site_url + missing, wait_until="networkidle")
        article = page.locator("article")
        assert article.get_by_role("link", name="Sources").count() == 1
        article.get_by_role("link", name="overview").click()
        page.wait_for_load_state("networkidle")
        assert page.url == site_url
    finally:
        page.close()


def test_timeline_csv_starts_with_a_byte_order_mark_for_excel(built_site: Path) -> None:
    import codecs

    assert (built_site / "timeline.csv").read_bytes().startswith(codecs.BOM_UTF8)
