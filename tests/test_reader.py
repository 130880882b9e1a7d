"""The reader's experience in a real browser: accessible, private, quick, readable on a phone.

Every page of the built site is checked with axe-core (WCAG 2.1 A and AA) in the light and the
dark palette, on a desktop and a phone screen; what it requests and logs; how it fits a phone;
and, on one principle page, the keyboard, the drawer and the palette toggle. The head of every
page (language, title, description, link previews) is read from the built HTML. The server is
conftest's `site_url`: the real build under /annotated-commentary/, as GitHub Pages serves it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from commentary.pages_server import built_pages
from conftest import ROOT, SUBPATH

# The site_url the `built_site` fixture builds with.
BUILT_SITE_URL = f"http://127.0.0.1{SUBPATH}"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The palette each emulated colour scheme puts on <body> (the site follows the system first).
SCHEMES = {"light": "default", "dark": "slate"}
# A principle page: annotations, footnotes and every kind of block the commentary uses.
PRINCIPLE = "principles/leader-first/"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
# Content boxes that reach past the right edge of the screen without a scrolling box around them
# (Material hides the page's sideways overflow, so such content is cut off, not scrollable).
STICKING_OUT_JS = """() => {
  const width = window.innerWidth, out = [];
  const scrolls = el => /(auto|scroll)/.test(getComputedStyle(el).overflowX);
  for (const el of document.querySelectorAll('.md-content *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let parent = el.parentElement, inside = false;
    for (; parent && parent !== document.body; parent = parent.parentElement) {
      if (scrolls(parent) && parent.getBoundingClientRect().right <= width + 1) {
        inside = true;
        break;
      }
    }
    const name = `${el.tagName.toLowerCase()}.${el.className}`;
    if (!inside) out.push(`${name} ends at ${Math.round(box.right)}px`);
  }
  return out.slice(0, 5);
}"""
SEARCH_ASSETS = ("/search/search_index.json", "/assets/javascripts/workers/search.")


def doc_pages() -> list[str]:
    """The address (under the site root) of every page in docs/, as MkDocs builds them."""
    docs = ROOT / "docs"
    pages = []
    for source in sorted(docs.rglob("*.md")):
        relative = source.relative_to(docs)
        if relative.parts[0] == "includes":
            continue
        stem = relative.with_suffix("").as_posix()
        if stem == "index":
            pages.append("")
        elif stem.endswith("/index"):
            pages.append(stem[: -len("index")])
        else:
            pages.append(stem + "/")
    return pages


PAGES = doc_pages()
PAGE_IDS = [page or "overview" for page in PAGES]


# ---- The head and the headings of each built page, read from its HTML --------------------------


@dataclass
class Head:
    """What a page's HTML says about itself."""

    lang: str | None = None
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    headings: list[int] = field(default_factory=list)
    images_without_alt: list[str] = field(default_factory=list)


class _HeadParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.head = Head()
        self._in_title = False
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.head.lang = values.get("lang")
        elif tag == "body":
            self._in_body = True  # a <title> from here on names an SVG drawing, not the page
        elif tag == "title" and not self._in_body:
            self._in_title = True
        elif tag == "meta" and ("name" in values or "property" in values):
            self.head.meta[values.get("property") or values["name"]] = values.get("content", "")
        elif tag == "link" and "rel" in values:
            self.head.links[values["rel"]] = values.get("href", "")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.head.headings.append(int(tag[1]))
        elif tag == "img" and not self._has_alt(values):
            self.head.images_without_alt.append(values.get("src", "?"))

    @staticmethod
    def _has_alt(values: dict[str, str]) -> bool:
        """Alt text, or a role that marks the image as decoration."""
        return bool(values.get("alt", "").strip()) or values.get("role") == "presentation"

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.head.title += data


@pytest.fixture(scope="module")
def heads(built_site: Path) -> dict[str, Head]:
    """The parsed head of every built page (and of 404.html), keyed by address."""
    parsed = {}
    for page in [*built_pages(built_site), "404.html"]:
        path = built_site / (page if page.endswith(".html") else page + "index.html")
        parser = _HeadParser()
        parser.feed(path.read_text(encoding="utf-8"))
        parser.head.title = parser.head.title.strip()
        parsed[page] = parser.head
    return parsed


@pytest.mark.slow
def test_every_built_page_is_checked(built_site: Path) -> None:
    assert sorted(built_pages(built_site)) == sorted(PAGES)


@pytest.mark.slow
def test_every_page_declares_its_language(heads: dict[str, Head]) -> None:
    missing = [page for page, head in heads.items() if not head.lang]
    assert not missing, f"no <html lang> on {missing}"


@pytest.mark.slow
def test_every_page_has_a_title_of_its_own(heads: dict[str, Head]) -> None:
    titles = [head.title for head in heads.values()]
    assert all(titles), "a page has an empty <title>"
    repeated = sorted({title for title in titles if titles.count(title) > 1})
    assert not repeated, f"titles used by more than one page: {repeated}"


@pytest.mark.slow
def test_every_page_has_a_meta_description(heads: dict[str, Head]) -> None:
    missing = [page for page, head in heads.items() if not head.meta.get("description", "").strip()]
    assert not missing, f"no meta description on {missing}"


@pytest.mark.slow
def test_every_image_has_alt_text(heads: dict[str, Head]) -> None:
    bare = {page: head.images_without_alt for page, head in heads.items()
            if head.images_without_alt}
    assert not bare, f"images without alt text: {bare}"


@pytest.mark.slow
def test_headings_start_at_h1_and_skip_no_level(heads: dict[str, Head]) -> None:
    problems = []
    for page, head in heads.items():
        levels = head.headings
        if not levels or levels[0] != 1 or levels.count(1) != 1:
            problems.append(f"{page or 'overview'}: must have one h1, first (has {levels[:3]}...)")
        for before, after in itertools.pairwise(levels):
            if after > before + 1:
                problems.append(f"{page or 'overview'}: h{before} followed by h{after}")
                break
    assert not problems, "\n".join(problems)


# ---- Link previews, the canonical link and the sitemap ------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_page_has_link_preview_tags(heads: dict[str, Head], page: str) -> None:
    head = heads[page]
    address = BUILT_SITE_URL + page
    meta = head.meta
    assert head.links.get("canonical") == address
    assert meta.get("og:url") == address
    assert meta.get("og:type") == ("website" if page == "" else "article")
    assert meta.get("og:title") == head.title
    assert meta.get("og:site_name") and head.title.endswith(meta["og:site_name"])
    assert meta.get("og:description") == meta.get("description")
    assert meta.get("twitter:card") == "summary"
    assert meta.get("twitter:title") == head.title
    assert meta.get("twitter:description") == meta.get("description")
    images = [meta[key] for key in ("og:image", "twitter:image") if key in meta]
    assert all(image.startswith(BUILT_SITE_URL) for image in images), images


@pytest.mark.slow
def test_every_page_links_the_sitemap_that_lists_it(
    built_site: Path, heads: dict[str, Head]
) -> None:
    tree = ElementTree.parse(built_site / "sitemap.xml")
    listed = {loc.text for loc in tree.getroot().iterfind("sm:url/sm:loc", SITEMAP_NS)}
    assert listed == {BUILT_SITE_URL + page for page in PAGES}
    for page in PAGES:
        href = heads[page].links.get("sitemap")
        assert href, f"{page or 'overview'}: no <link rel=sitemap>"
        assert (built_site / page / href).resolve() == (built_site / "sitemap.xml").resolve()


# ---- In the browser ----------------------------------------------------------------------------


@pytest.fixture
def open_page(browser) -> Iterator:
    """Open a page in a fresh context: open_page(url, viewport=..., color_scheme=...)."""
    contexts = []

    def open_(url: str, viewport: dict[str, int] = DESKTOP, color_scheme: str = "light"):
        context = browser.new_context(viewport=viewport, color_scheme=color_scheme)
        contexts.append(context)
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        return page

    yield open_
    for context in contexts:
        context.close()


@dataclass
class Load:
    """What one page asked for and logged while it loaded."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def loads(browser, site_url: str) -> dict[str, Load]:
    """Every page loaded once in an empty context: its requests, failures and console errors."""
    recorded = {}
    for path in PAGES:
        load = Load()
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        page.on("request", lambda request, load=load: load.requests.append(request.url))
        page.on("requestfailed", lambda request, load=load: load.failed.append(
            f"{request.url} ({request.failure})"))
        page.on("response", lambda response, load=load: load.failed.append(
            f"{response.url} (HTTP {response.status})") if response.status >= 400 else None)
        page.on("console", lambda message, load=load: load.errors.append(
            message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error, load=load: load.errors.append(str(error)))
        page.goto(site_url + path, wait_until="networkidle")
        context.close()
        recorded[path] = load
    return recorded


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("palette", sorted(SCHEMES))
@pytest.mark.parametrize("screen", ["desktop", "phone"])
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_axe_finds_no_wcag_21_aa_violation(open_page, site_url: str, page: str, screen: str,
                                           palette: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    tab = open_page(site_url + page, viewport=DESKTOP if screen == "desktop" else PHONE,
                    color_scheme=palette)
    assert tab.locator("body").get_attribute("data-md-color-scheme") == SCHEMES[palette]
    results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    report = [
        f"{rule['id']} ({rule['impact']}): {rule['help']}; "
        f"{len(rule['nodes'])} element(s), e.g. {[node['target'] for node in rule['nodes'][:3]]}"
        for rule in violations
    ]
    assert not violations, "\n".join(report)


@pytest.mark.browser
@pytest.mark.slow
def test_search_dialog_has_an_accessible_name(open_page, site_url: str) -> None:
    tab = open_page(site_url)
    dialog = tab.get_by_role("dialog", name="Search", include_hidden=True)
    assert dialog.count() == 1


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_page_requests_nothing_from_another_host(loads: dict[str, Load], site_url: str,
                                                 page: str) -> None:
    own = urlsplit(site_url).netloc
    foreign = [url for url in loads[page].requests
               if not url.startswith("data:") and urlsplit(url).netloc != own]
    assert not foreign, f"requests to other hosts: {foreign}"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_page_logs_no_console_error(loads: dict[str, Load], page: str) -> None:
    assert not loads[page].errors


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_page_has_no_failed_request(loads: dict[str, Load], page: str) -> None:
    assert not loads[page].failed


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_page_does_not_load_search_until_it_is_opened(loads: dict[str, Load], page: str) -> None:
    early = [url for url in loads[page].requests if any(part in url for part in SEARCH_ASSETS)]
    assert not early, f"search loaded before the reader opened it: {early}"


@pytest.mark.browser
@pytest.mark.slow
def test_opening_search_loads_the_index_and_finds_results(open_page, site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE)
    fetched = []
    tab.on("requestfinished", lambda request: fetched.append(request.url))
    box = tab.locator("input.md-search__input")
    box.click()
    box.press_sequentially("Korea", delay=20)
    tab.locator(".md-search-result__item").first.wait_for(state="visible", timeout=15_000)
    assert any(url.endswith("/search/search_index.json") for url in fetched)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_page_does_not_scroll_sideways_on_a_phone(open_page, site_url: str, page: str) -> None:
    tab = open_page(site_url + page, viewport=PHONE)
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"
    tab.mouse.wheel(600, 0)
    assert tab.evaluate("window.scrollX") == 0
    assert not tab.evaluate(STICKING_OUT_JS), "content cut off at the right edge of the screen"


@pytest.mark.browser
@pytest.mark.slow
def test_navigation_drawer_opens_and_closes_on_a_phone(open_page, site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE, viewport=PHONE)
    drawer = tab.locator(".md-sidebar--primary")
    right_edge = "el => el.getBoundingClientRect().right"
    assert drawer.evaluate(right_edge) <= 0, "the drawer is open before it is asked for"

    tab.locator("label.md-header__button[for='__drawer']").click()
    tab.wait_for_function(
        "() => document.querySelector('.md-sidebar--primary').getBoundingClientRect().left >= 0")
    link = drawer.get_by_role("link", name="Principle 2: Embrace both Koreas")  # a sibling page
    assert link.is_visible()
    box = link.bounding_box()
    assert box is not None and 0 <= box["x"] < PHONE["width"]

    tab.mouse.click(PHONE["width"] - 10, PHONE["height"] // 2)  # the overlay beside the drawer
    tab.wait_for_function(
        "() => document.querySelector('.md-sidebar--primary').getBoundingClientRect().right <= 0")
    assert not tab.locator("#__drawer").is_checked()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize(("screen", "toc"), [
    ("desktop", ".md-sidebar--secondary [data-md-component='toc']"),
    ("phone", ".md-nav--primary [data-md-component='toc']"),
])
def test_table_of_contents_marks_the_section_being_read(open_page, site_url: str, screen: str,
                                                        toc: str) -> None:
    # The copy of the table of contents on screen marks the section in view, and the section
    # goes into the address (toc.follow, navigation.tracking).
    tab = open_page(site_url + PRINCIPLE, viewport=DESKTOP if screen == "desktop" else PHONE)
    assert tab.locator(toc).count() == 1
    heading = tab.locator(".md-content h2[id]").nth(3).get_attribute("id")
    # The heading just under the header, as a reader who has scrolled to it sees it.
    tab.evaluate("id => scrollTo(0, document.getElementById(id).getBoundingClientRect().top"
                 " + scrollY - 50)", heading)
    tab.wait_for_function(f"s => document.querySelector(s + ' .md-nav__link--active"
                          f"[href=\"#{heading}\"]')", arg=toc)
    tab.wait_for_function(f"() => location.hash === '#{heading}'")


@pytest.mark.browser
@pytest.mark.slow
def test_back_to_top_shows_while_scrolling_up_and_leads_to_the_top(open_page,
                                                                    site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE, viewport=PHONE)
    button = tab.locator("button.md-top")
    assert button.get_attribute("hidden") is not None
    assert button.get_attribute("tabindex") == "-1"
    tab.mouse.move(200, 400)
    tab.mouse.wheel(0, 3000)
    tab.wait_for_function("() => scrollY > 2000")
    assert button.get_attribute("hidden") is not None, "shown while the reader scrolls down"
    tab.mouse.wheel(0, -400)
    tab.wait_for_function("() => !document.querySelector('button.md-top').hidden")
    assert button.get_attribute("tabindex") is None
    button.click()
    tab.wait_for_function("() => scrollY === 0")
    tab.wait_for_function("() => document.querySelector('button.md-top').hidden")


# ---- What reader.js does in place of the theme's script ------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_page_loads_the_readers_script_and_not_the_themes(loads: dict[str, Load],
                                                          page: str) -> None:
    scripts = [url for url in loads[page].requests if url.endswith(".js")]
    assert [url.rsplit("/", 1)[1] for url in scripts] == ["reader.js"], scripts


def test_theme_script_is_left_out_of_the_site(built_site: Path) -> None:
    assert not list((built_site / "assets" / "javascripts").glob("bundle.*"))
    assert list((built_site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))


@pytest.fixture
def searched(open_page, site_url: str):
    """A principle page on which "Pyongyang" was searched for from the keyboard ("/" first)."""
    tab = open_page(site_url + PRINCIPLE)
    tab.keyboard.press("/")
    tab.keyboard.type("Pyongyang", delay=20)
    first = tab.locator(".md-search-result__item a.md-search-result__link").first
    first.wait_for(state="visible", timeout=15_000)
    return tab


@pytest.mark.browser
@pytest.mark.slow
def test_slash_opens_search_with_the_box_focused(open_page, site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE)
    tab.keyboard.press("/")
    assert tab.locator("#__search").is_checked()
    assert tab.evaluate("document.activeElement.matches('input.md-search__input')")


@pytest.mark.browser
@pytest.mark.slow
def test_search_results_are_counted_and_reached_with_the_arrow_keys(searched) -> None:
    tab = searched
    meta = tab.locator(".md-search-result__meta").text_content()
    assert "matching document" in meta, meta
    tab.keyboard.press("ArrowDown")
    assert tab.evaluate("document.activeElement.matches('a.md-search-result__link')")
    tab.keyboard.press("ArrowUp")
    assert tab.evaluate("document.activeElement.matches('input.md-search__input')")


@pytest.mark.browser
@pytest.mark.slow
def test_escape_closes_search_and_hides_its_results(searched) -> None:
    tab = searched
    tab.keyboard.press("Escape")
    assert not tab.locator("#__search").is_checked()
    assert tab.locator(".md-search-result__list").get_attribute("hidden") is not None


@pytest.mark.browser
@pytest.mark.slow
def test_enter_follows_the_best_result_and_marks_the_words_there(searched) -> None:
    tab = searched
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/*?h=*")
    assert tab.locator(".md-content mark[data-md-highlight]").count() > 0
    assert "pyongyang" in tab.locator(".md-content mark").first.text_content().lower()


@pytest.mark.browser
@pytest.mark.slow
def test_search_in_the_address_opens_search_with_its_results(open_page,
                                                             site_url: str) -> None:
    tab = open_page(site_url + "?q=Banco")
    assert tab.locator("#__search").is_checked()
    assert tab.locator("input.md-search__input").input_value() == "Banco"
    tab.locator(".md-search-result__item").first.wait_for(state="visible", timeout=15_000)


@pytest.mark.browser
@pytest.mark.slow
def test_sidebars_are_as_tall_as_the_screen_beside_the_text(open_page, site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE, viewport={"width": 1600, "height": 900})
    sizes = """() => [...document.querySelectorAll('.md-sidebar__scrollwrap')].map(box => {
      const r = box.getBoundingClientRect();
      return [Math.round(r.top), Math.round(r.bottom), box.scrollHeight > box.clientHeight];
    })"""
    for top, bottom, _ in tab.evaluate(sizes):
        assert 0 < top < bottom <= 900, (top, bottom)
        assert bottom > 800, "a sidebar ends well above the bottom of the screen"
    tab.evaluate("scrollTo(0, 4000)")
    tab.wait_for_timeout(200)
    for top, bottom, _ in tab.evaluate(sizes):
        assert 0 < top < bottom <= 900, (top, bottom)


@pytest.mark.browser
@pytest.mark.slow
def test_header_shows_the_page_title_once_its_heading_has_scrolled_away(open_page,
                                                                        site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE)
    title = tab.locator("[data-md-component=header-title]")
    assert "md-header__title--active" not in title.get_attribute("class")
    tab.evaluate("scrollTo(0, 1500)")
    tab.wait_for_function("() => document.querySelector('[data-md-component=header-title]')"
                          ".classList.contains('md-header__title--active')")
    tab.evaluate("scrollTo(0, 0)")
    tab.wait_for_function("() => !document.querySelector('[data-md-component=header-title]')"
                          ".classList.contains('md-header__title--active')")


@pytest.mark.browser
@pytest.mark.slow
def test_keyboard_focus_is_marked_for_the_themes_focus_rings(open_page, site_url: str) -> None:
    # The theme's stylesheet removes the outline of its header buttons and links unless they
    # carry "focus-visible", which its script used to add on keyboard focus.
    tab = open_page(site_url + PRINCIPLE)
    _tab_to(tab, ".md-header__button, .md-nav__link")
    assert tab.evaluate("document.activeElement.classList.contains('focus-visible')")
    tab.locator(".md-content h1").click()
    assert tab.locator(".focus-visible").count() == 0


def _tab_to(tab, selector: str, limit: int = 600) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        if tab.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def _note(tab, marker):
    """The note (a popover) that an annotation marker opens."""
    return tab.locator(f"#{marker.get_attribute('popovertarget')}")


def _accessibility(tab, selector: str) -> tuple[str, str, dict]:
    """Role, name and states of an element as Chromium exposes it to assistive technology."""
    cdp = tab.context.new_cdp_session(tab)
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    ax = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})
    cdp.detach()
    first = ax["nodes"][0]
    states = {prop["name"]: prop["value"].get("value") for prop in first.get("properties", [])}
    return first["role"]["value"], first.get("name", {}).get("value", ""), states


@pytest.mark.browser
@pytest.mark.slow
def test_annotation_opens_and_closes_with_the_keyboard(open_page, site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE)
    _tab_to(tab, ".md-annotation__index")
    marker = tab.locator(".md-annotation__index:focus")
    note = _note(tab, marker)
    assert not note.is_visible(), "a note is open before it is asked for"

    tab.keyboard.press("Enter")
    note.wait_for(state="visible")
    assert note.inner_text().strip()

    tab.keyboard.press("Escape")
    note.wait_for(state="hidden")
    assert tab.evaluate("document.activeElement.matches('.md-annotation__index')")

    tab.keyboard.press("Space")
    note.wait_for(state="visible")
    _tab_to(tab, ":not(.md-annotation__index):not(.md-annotation-list *)")
    note.wait_for(state="hidden")


@pytest.mark.browser
@pytest.mark.slow
def test_annotation_opens_and_closes_with_the_mouse(open_page, site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE)
    marker = tab.locator(".md-annotation__index").first
    note = _note(tab, marker)
    marker.click()
    note.wait_for(state="visible")
    marker.click()
    note.wait_for(state="hidden")

    marker.click()
    note.wait_for(state="visible")
    tab.locator("h1").click()
    note.wait_for(state="hidden")


@pytest.mark.browser
@pytest.mark.slow
def test_annotation_opens_and_closes_by_touch_on_a_phone(browser, site_url: str) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        tab = context.new_page()
        tab.goto(site_url + PRINCIPLE, wait_until="networkidle")
        marker = tab.locator(".md-annotation__index").nth(1)
        note = _note(tab, marker)
        marker.tap()
        note.wait_for(state="visible")
        box = note.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        tab.locator("h1").tap()
        note.wait_for(state="hidden")
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_annotation_marker_is_announced_as_a_button_that_expands_its_note(
    open_page, site_url: str
) -> None:
    tab = open_page(site_url + PRINCIPLE)
    marker = tab.locator(".md-annotation__index").first
    selector = f"[popovertarget='{marker.get_attribute('popovertarget')}']"
    total = tab.locator(".md-annotation__index").count()
    role, name, states = _accessibility(tab, selector)
    # Named by its place on the page, so that the ten markers of a page have ten names.
    assert (role, name, states.get("expanded")) == ("button", f"Note 1 of {total}", False)

    marker.click()
    _note(tab, marker).wait_for(state="visible")
    role, name, states = _accessibility(tab, selector)
    assert (role, name, states.get("expanded")) == ("button", f"Note 1 of {total}", True)
    assert "details" in states, "the open note is not tied to its marker"


@pytest.mark.browser
@pytest.mark.slow
def test_annotation_opens_without_script(browser, site_url: str) -> None:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(site_url + PRINCIPLE, wait_until="networkidle")
        assert tab.locator("html.no-js").count() == 1
        marker = tab.locator(".md-annotation__index").first
        note = _note(tab, marker)
        assert not note.is_visible()
        marker.click()
        note.wait_for(state="visible")
        tab.keyboard.press("Escape")
        note.wait_for(state="hidden")
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_theme_does_not_mount_its_own_annotations(open_page, site_url: str) -> None:
    # Material's script would turn the "(n)" it finds in an annotated block into its own
    # tooltips, the work the build-time popovers exist to save; it finds none.
    tab = open_page(site_url + PRINCIPLE)
    assert tab.locator(".md-annotation__index").count() > 0
    assert tab.locator("aside.md-annotation, .md-annotation .md-tooltip").count() == 0
    assert tab.locator(".annotation-number").count() == 0


@pytest.mark.browser
@pytest.mark.slow
def test_focused_annotation_marker_shows_a_focus_ring(open_page, site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE)
    _tab_to(tab, ".md-annotation__index")
    outline = tab.locator(".md-annotation__index:focus").evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }")
    assert outline[0] not in ("none", "hidden") and float(outline[1].removesuffix("px")) >= 2


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("page", [p for p in PAGES if p.startswith("principles/")])
def test_every_annotation_list_item_becomes_an_annotation(open_page, site_url: str,
                                                          page: str) -> None:
    # A list item that no "(n)" marker of its block opens is an authoring mistake: the note
    # shows as a stray list item instead of opening from its place in the text.
    tab = open_page(site_url + page)
    left_over = tab.evaluate("""() => [...document.querySelectorAll('.annotate + ol > li')]
        .filter(li => !(li.popover && li.parentElement.previousElementSibling
                        .querySelector(`[popovertarget="${li.id}"]`)))
        .map(li => li.textContent.trim().slice(0, 60))""")
    assert left_over == []


@pytest.mark.browser
@pytest.mark.slow
def test_footnote_preview_shows_on_pointing_and_on_keyboard_focus(open_page,
                                                                  site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE)
    reference = tab.locator("article > p a.footnote-ref").first
    footnote = tab.locator(f"[id='{reference.get_attribute('href')[1:]}']")
    expected = " ".join(footnote.text_content().replace("\u21a9", "").split())
    preview = tab.locator(".footnote-preview")

    reference.hover()
    preview.wait_for(state="visible")
    assert " ".join(preview.text_content().split()) == expected
    assert reference.get_attribute("aria-describedby") == preview.get_attribute("id")
    tab.mouse.move(0, DESKTOP["height"] // 2)
    preview.wait_for(state="hidden")

    reference.focus()
    tab.keyboard.press("Shift+Tab")
    tab.keyboard.press("Tab")
    preview.wait_for(state="visible")
    tab.keyboard.press("Escape")
    preview.wait_for(state="hidden")
    assert reference.get_attribute("aria-describedby") is None


@pytest.mark.browser
@pytest.mark.slow
def test_palette_choice_survives_a_reload(open_page, site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE, color_scheme="light")
    body = tab.locator("body")
    assert body.get_attribute("data-md-color-scheme") == "default"
    for _ in range(3):
        tab.locator("form[data-commentary-palette] label:not([hidden])").click()
        if body.get_attribute("data-md-color-scheme") == "slate":
            break
    assert body.get_attribute("data-md-color-scheme") == "slate", "the toggle never chose dark"

    tab.reload(wait_until="networkidle")
    assert tab.locator("body").get_attribute("data-md-color-scheme") == "slate"


# ---- Typography for long reading ---------------------------------------------------------------

# The characters of each full line (a paragraph's last line left out) of the blocks `selector`
# finds: every character's box is measured, and a new line starts where a box sits lower than
# the line before by more than half the line height (a raised footnote number stays on its line).
LINE_LENGTHS_JS = """(selector) => {
  const counts = [], range = document.createRange();
  for (const block of document.querySelectorAll(selector)) {
    const height = parseFloat(getComputedStyle(block).lineHeight);
    const lines = [];
    let line = null;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        const middle = box.top + box.height / 2;
        if (line === null || middle > line.middle + height / 2) {
          line = {middle, count: 0};
          lines.push(line);
        }
        line.count += 1;
      }
    }
    counts.push(...lines.slice(0, -1).map(full => full.count));
  }
  return counts;
}"""
# The body text of a page: the paragraphs directly in the article (not notes, tables or cards).
BODY_TEXT = ".md-content__inner > p"
MEASURE = range(60, 76)


@pytest.mark.browser
@pytest.mark.slow
def test_principle_page_lines_hold_60_to_75_characters_on_a_laptop(open_page,
                                                                    site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE, viewport=DESKTOP)
    lengths = sorted(tab.evaluate(LINE_LENGTHS_JS, BODY_TEXT))
    assert len(lengths) > 50, f"only {len(lengths)} full lines of body text measured"
    median = lengths[len(lengths) // 2]
    assert median in MEASURE, f"body text runs {median} characters a line (median)"


@pytest.mark.browser
@pytest.mark.slow
def test_body_text_is_set_in_a_reading_face_and_headings_in_the_interface_face(
    open_page, site_url: str
) -> None:
    tab = open_page(site_url + PRINCIPLE, viewport=DESKTOP)
    faces = tab.evaluate("""() => Object.fromEntries(
      ['.md-content__inner > p', '.md-content__inner > h2', '.md-nav__link', '.tl-meta, table']
        .map(s => [s, document.querySelector(s) && getComputedStyle(document.querySelector(s))]
        ).map(([s, style]) => [s, style ? [style.fontFamily, style.lineHeight, style.fontSize]
                                        : null]))""")
    body, heading, nav = (faces[key] for key in (
        ".md-content__inner > p", ".md-content__inner > h2", ".md-nav__link"))
    assert body[0].startswith("Charter,") and body[0].endswith("serif"), body
    assert not heading[0].startswith("Charter"), heading
    assert not nav[0].startswith("Charter"), nav
    line_height = float(body[1].removesuffix("px")) / float(body[2].removesuffix("px"))
    assert line_height >= 1.6, f"line height {line_height:.2f}"


@pytest.mark.browser
@pytest.mark.slow
def test_the_overview_shows_the_argument_and_its_three_principles_in_one_screen(
    open_page, site_url: str
) -> None:
    tab = open_page(site_url, viewport=DESKTOP)
    lede = tab.locator(".cm-lede")
    cards = tab.locator(".cm-principles > ul > li")
    assert cards.count() == 3
    for element in [lede, *(cards.nth(n) for n in range(3))]:
        box = element.bounding_box()
        assert box is not None and box["y"] + box["height"] <= DESKTOP["height"], (
            f"{element} ends below the fold")
    for number, slug in enumerate(["leader-first", "both-koreas", "nuclear-first"]):
        assert cards.nth(number).locator(f"a[href*='principles/{slug}/']").count() == 1


# ---- What a reader met in a real browser (issue 20; ../shared/research/review-reader-1.md) -----

SCREENS = {"desktop": DESKTOP, "phone": PHONE}
# How far below the header a link's target may land (the theme's scroll margin is about 20px).
LANDING = range(-2, 60)
# In-site links with a fragment on a page, spread over the page: at most this many per page.
SAMPLED_FRAGMENTS = 2
FRAGMENT_LINKS_JS = """(limit) => {
  const seen = new Set(), found = [];
  for (const a of document.querySelectorAll('.md-content a[href*="#"]')) {
    let url;
    try { url = new URL(a.href); } catch { continue; }
    if (url.origin !== location.origin || !url.hash || url.hash.length < 2) continue;
    const key = url.pathname + url.hash;
    if (!seen.has(key)) { seen.add(key); found.push(url.href); }
  }
  const step = Math.max(1, Math.floor(found.length / limit));
  return found.filter((_, i) => i % step === 0).slice(0, limit);
}"""
# Where a link's target sits once the page has settled: its top against the header's bottom,
# whether the page could scroll further, and the address's fragment.
LANDED_JS = """(id) => {
  const target = document.getElementById(id);
  const header = document.querySelector('[data-md-component=header]').getBoundingClientRect();
  const box = target.getBoundingClientRect();
  const end = scrollY + innerHeight >= document.documentElement.scrollHeight - 2;
  return {offset: Math.round(box.top - header.bottom), end, inView: box.top < innerHeight,
          hash: decodeURIComponent(location.hash.slice(1))};
}"""
# List numbers and timeline dots that hang left of their box: any ancestor that clips (overflow,
# paint containment, skipped content) must leave room for them.
CLIPPED_MARKERS_JS = """() => {
  const canvas = document.createElement('canvas').getContext('2d'), out = [];
  const clips = (el) => {
    const s = getComputedStyle(el);
    return s.overflowX !== 'visible' || /paint|strict|content/.test(s.contain)
      || s.contentVisibility === 'auto' || s.contentVisibility === 'hidden';
  };
  const check = (el, left, name) => {
    // The box itself too: a dot is drawn by the entry's own ::before.
    for (let a = el; a && !a.matches('.md-main'); a = a.parentElement) {
      if (clips(a) && a.getBoundingClientRect().left > left + 0.5) {
        out.push(`${name} cut by ${a.tagName.toLowerCase()}.${a.className}`);
        return;
      }
    }
  };
  for (const ol of document.querySelectorAll('.md-content ol')) {
    const start = ol.start || 1;
    Array.from(ol.children).forEach((li, i) => {
      const s = getComputedStyle(li);
      if (s.display !== 'list-item' || s.listStyleType === 'none') return;
      canvas.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
      const width = canvas.measureText(`${start + i}. `).width;
      check(li, li.getBoundingClientRect().left - width, `list number ${start + i}`);
    });
  }
  for (const entry of document.querySelectorAll('.tl-entry')) {
    const dot = getComputedStyle(entry, '::before');
    if (dot.content === 'none') continue;
    check(entry, entry.getBoundingClientRect().left + parseFloat(dot.left),
          `timeline dot of ${entry.querySelector('[id]')?.id}`);
  }
  return out.slice(0, 5);
}"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("screen", sorted(SCREENS))
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_links_to_a_fragment_land_their_target_under_the_header_and_keep_the_address(
    open_page, site_url: str, page: str, screen: str
) -> None:
    tab = open_page(site_url + page, viewport=SCREENS[screen])
    links = tab.evaluate(FRAGMENT_LINKS_JS, SAMPLED_FRAGMENTS)
    wrong = []
    for link in links:
        tab.goto(link, wait_until="networkidle")
        fragment = link.split("#", 1)[1]
        target_id = tab.evaluate("f => decodeURIComponent(f)", fragment)
        # Settled: whatever moves the page after load (layout, the script) has had its turn.
        tab.wait_for_timeout(500)
        landed = tab.evaluate(LANDED_JS, target_id)
        # The reader reads on a little; once the scrolling stops, the address still names it.
        tab.mouse.move(100, 400)
        tab.mouse.wheel(0, 30)
        tab.wait_for_timeout(600)
        landed["after scrolling"] = tab.evaluate(LANDED_JS, target_id)["hash"]
        placed = landed["offset"] in LANDING or (landed["end"] and landed["inView"])
        if not placed or target_id != landed["hash"] or target_id != landed["after scrolling"]:
            wrong.append(f"{link}: {landed}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("screen", sorted(SCREENS))
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_no_list_number_or_timeline_dot_is_cut_off(open_page, site_url: str, page: str,
                                                    screen: str) -> None:
    tab = open_page(site_url + page, viewport=SCREENS[screen])
    assert tab.evaluate(CLIPPED_MARKERS_JS) == []


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_page_does_not_scroll_sideways_on_a_laptop(open_page, site_url: str, page: str) -> None:
    tab = open_page(site_url + page, viewport=DESKTOP)
    assert tab.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    assert not tab.evaluate(STICKING_OUT_JS), "content cut off at the right edge of the screen"


TIMELINE = "timeline/"
FILTER = "#bears-on-both-koreas"
SHOWN_ENTRIES_JS = """() => [
  document.querySelectorAll('.tl-entry').length,
  Array.from(document.querySelectorAll('.tl-entry')).filter(e => e.getClientRects().length).length
]"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_timeline_filter_stays_in_the_address_while_scrolling_and_on_reload(
    open_page, site_url: str, screen: str
) -> None:
    tab = open_page(site_url + TIMELINE + FILTER, viewport=SCREENS[screen])
    total, shown = tab.evaluate(SHOWN_ENTRIES_JS)
    assert 0 < shown < total
    tab.mouse.move(100, 400)
    for _ in range(4):
        tab.mouse.wheel(0, 800)
    tab.wait_for_timeout(600)
    assert urlsplit(tab.url).fragment == FILTER[1:]
    tab.reload(wait_until="networkidle")
    assert tab.evaluate(SHOWN_ENTRIES_JS) == [total, shown]


@pytest.mark.browser
@pytest.mark.slow
def test_timeline_filter_says_how_many_entries_show(open_page, site_url: str) -> None:
    tab = open_page(site_url + TIMELINE, viewport=PHONE)
    status = tab.get_by_role("status")
    total, _ = tab.evaluate(SHOWN_ENTRIES_JS)
    assert status.inner_text() == f"Showing all {total} entries."
    tab.locator(".tl-filter").get_by_role("link", name="Principle 2").click()
    _, shown = tab.evaluate(SHOWN_ENTRIES_JS)
    assert status.inner_text() == f"Showing {shown} of {total} entries."


@pytest.mark.browser
@pytest.mark.slow
def test_table_of_contents_lists_and_marks_only_the_entries_the_filter_shows(
    open_page, site_url: str
) -> None:
    tab = open_page(site_url + TIMELINE + FILTER, viewport=DESKTOP)
    toc = tab.locator(".md-sidebar--secondary [data-md-component=toc]")
    listed = toc.locator("a.md-nav__link:visible").evaluate_all(
        "links => links.map(a => decodeURIComponent(a.hash.slice(1)))")
    hidden = tab.evaluate("""ids => ids.filter(id =>
        !document.getElementById(id).getClientRects().length)""", listed)
    assert listed and hidden == []
    tab.mouse.move(600, 400)
    tab.mouse.wheel(0, 5000)
    tab.wait_for_timeout(400)
    active = toc.locator("a.md-nav__link--active")
    assert active.count() == 1
    target = active.evaluate("a => decodeURIComponent(a.hash.slice(1))")
    assert tab.evaluate("id => document.getElementById(id).getClientRects().length", target)


@pytest.mark.browser
@pytest.mark.slow
def test_following_an_entry_in_the_table_of_contents_keeps_the_filter(open_page,
                                                                       site_url: str) -> None:
    tab = open_page(site_url + TIMELINE + FILTER, viewport=DESKTOP)
    link = tab.locator(".md-sidebar--secondary a.md-nav__link:visible").nth(12)
    target = link.evaluate("a => decodeURIComponent(a.hash.slice(1))")
    link.click()
    expect_in_view = tab.evaluate(LANDED_JS, target)
    assert expect_in_view["offset"] in LANDING or expect_in_view["end"]
    assert urlsplit(tab.url).fragment == FILTER[1:]


@pytest.mark.browser
@pytest.mark.slow
def test_prose_column_sits_midway_between_the_sidebars_on_a_laptop(open_page,
                                                                    site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE, viewport=DESKTOP)
    left = tab.locator(".md-sidebar--primary").bounding_box()
    right = tab.locator(".md-sidebar--secondary").bounding_box()
    text = tab.locator(".md-content__inner > p").first.bounding_box()
    assert left and right and text
    before = text["x"] - (left["x"] + left["width"])
    after = right["x"] - (text["x"] + text["width"])
    assert abs(before - after) <= 4, f"{before:.0f}px before the text, {after:.0f}px after it"


@pytest.mark.browser
@pytest.mark.slow
def test_overview_cards_sit_three_across_on_a_laptop(open_page, site_url: str) -> None:
    tab = open_page(site_url, viewport=DESKTOP)
    tops = {round(box["y"]) for box in (
        tab.locator(".cm-principles > ul > li").nth(n).bounding_box() for n in range(3))}
    assert len(tops) == 1, f"the cards start at {sorted(tops)}"


@pytest.mark.browser
@pytest.mark.slow
def test_fact_check_tables_use_the_width_beside_the_text_on_a_laptop(open_page,
                                                                      site_url: str) -> None:
    tab = open_page(site_url + "factcheck/", viewport=DESKTOP)
    table = tab.locator(".md-content__inner > table").first.bounding_box()
    text = tab.locator(".md-content__inner > p").first.bounding_box()
    assert table and text and table["width"] > text["width"] + 40


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("palette", sorted(SCHEMES))
def test_fact_check_reads_claim_by_claim_on_a_phone_with_the_verdict_marked(
    open_page, site_url: str, palette: str
) -> None:
    tab = open_page(site_url + "factcheck/", viewport=PHONE, color_scheme=palette)
    cut = tab.locator(".md-content table").evaluate_all(
        "ts => ts.filter(t => t.scrollWidth > t.clientWidth + 1).length")
    assert cut == 0, f"{cut} fact-check tables scroll sideways on a phone"
    verdicts = tab.locator("td.cm-verdict")
    assert verdicts.count() > 10
    body = tab.locator(".md-content__inner > p").first.evaluate("p => getComputedStyle(p).color")
    for verdict in (verdicts.nth(n) for n in range(verdicts.count())):
        assert verdict.inner_text().strip() in {"correct", "imprecise", "wrong", "unverified"}
        style = verdict.evaluate("""td => [getComputedStyle(td).color,
            getComputedStyle(td, '::before').content]""")
        assert style[0] != body and style[1] not in ("none", "normal", '""')
    # Each row is one block, as wide as the text: the claim, then its verdict and reasons.
    row = tab.locator(".md-content table tbody tr").first.bounding_box()
    assert row and row["width"] > PHONE["width"] * 0.8


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("address", [PRINCIPLE + "#questions", "glossary/#sunshine-policy",
                                     TIMELINE + "#2019-02-hanoi-summit"])
def test_back_to_top_stays_hidden_on_arriving_at_a_section(open_page, site_url: str,
                                                           address: str) -> None:
    tab = open_page(site_url + address, viewport=DESKTOP)
    tab.wait_for_timeout(400)
    assert tab.locator("button.md-top").get_attribute("hidden") is not None


@pytest.mark.browser
@pytest.mark.slow
def test_table_of_contents_starts_again_from_the_top_after_back_to_top(open_page,
                                                                        site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE, viewport=DESKTOP)
    tab.mouse.move(600, 400)
    tab.mouse.wheel(0, 100_000)
    tab.wait_for_function("() => scrollY + innerHeight >= document.body.scrollHeight - 2")
    tab.mouse.wheel(0, -300)
    tab.locator("button.md-top").click()
    tab.wait_for_function("() => scrollY === 0")
    first = tab.locator(".md-sidebar--secondary a.md-nav__link").first
    tab.wait_for_function("""() => document.querySelector(
        '.md-sidebar--secondary .md-sidebar__scrollwrap').scrollTop === 0""")
    assert first.is_visible()


@pytest.mark.browser
@pytest.mark.slow
def test_back_returns_to_the_section_the_reader_left(open_page, site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE, viewport=DESKTOP)
    heading = tab.locator(".md-content h2[id]").nth(3)
    section = heading.get_attribute("id")
    heading.evaluate("h => scrollTo(0, h.getBoundingClientRect().top + scrollY - 60)")
    tab.wait_for_function(f"() => location.hash === '#{section}'")
    tab.goto(site_url + TIMELINE, wait_until="networkidle")
    tab.go_back(wait_until="networkidle")
    tab.wait_for_timeout(600)
    assert urlsplit(tab.url).fragment == section
    landed = tab.evaluate(LANDED_JS, section)
    assert -20 <= landed["offset"] <= 40, landed


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("page", [p for p in PAGES if p.startswith("principles/")])
def test_every_annotation_marker_has_a_name_of_its_own(open_page, site_url: str,
                                                       page: str) -> None:
    tab = open_page(site_url + page, viewport=PHONE)
    names = tab.locator(".md-annotation__index").evaluate_all(
        "bs => bs.map(b => b.getAttribute('aria-label'))")
    assert names and len(set(names)) == len(names), names


@pytest.mark.browser
@pytest.mark.slow
def test_open_note_closes_once_its_marker_scrolls_under_the_header(open_page,
                                                                   site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE, viewport=DESKTOP)
    marker = tab.locator(".md-annotation__index").first
    marker.scroll_into_view_if_needed()
    marker.click()
    note = _note(tab, marker)
    assert note.evaluate("n => n.matches(':popover-open')")
    tab.mouse.move(600, 600)
    tab.mouse.wheel(0, 900)
    tab.wait_for_function("""m => document.querySelector(`[popovertarget='${m}']`)
        .getBoundingClientRect().top < 0""", arg=marker.get_attribute("popovertarget"))
    tab.wait_for_function("id => !document.getElementById(id).matches(':popover-open')",
                          arg=marker.get_attribute("popovertarget"))


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_how_to_cite_wraps_and_copies(browser, site_url: str, screen: str) -> None:
    context = browser.new_context(viewport=SCREENS[screen],
                                  permissions=["clipboard-read", "clipboard-write"])
    try:
        tab = context.new_page()
        tab.goto(site_url + "about/", wait_until="networkidle")
        blocks = tab.locator(".md-content pre > code")
        assert blocks.count() > 0
        assert blocks.evaluate_all("cs => cs.filter(c => c.scrollWidth > c.clientWidth + 1)"
                                   ".length") == 0
        copy = tab.get_by_role("button", name="Copy to clipboard").first
        copy.click()
        copied = tab.evaluate("navigator.clipboard.readText()")
        assert copied.strip() == blocks.first.inner_text().strip()
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_every_tab_stop_is_something_the_reader_can_see(open_page, site_url: str,
                                                        screen: str) -> None:
    tab = open_page(site_url + PRINCIPLE, viewport=SCREENS[screen])
    unseen = []
    for _ in range(25):
        tab.keyboard.press("Tab")
        tab.wait_for_timeout(300)  # a focused element's own transition (the skip link's)
        seen = tab.evaluate("""() => {
          // A palette option (a hidden radio button) shows its focus on the switch after it.
          const focused = document.activeElement;
          const el = focused.matches('.md-option') ? focused.nextElementSibling : focused;
          const box = el.getBoundingClientRect();
          return [`${el.tagName.toLowerCase()}.${el.className}`,
                  box.width > 0 && box.height > 0 && el.checkVisibility({opacityProperty: true,
                                                                        visibilityProperty: true})
                  && box.right > 0 && box.left < innerWidth];
        }""")
        if not seen[1]:
            unseen.append(seen[0])
    assert unseen == []


@pytest.mark.browser
@pytest.mark.slow
def test_escape_closes_the_drawer_on_a_phone(open_page, site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE, viewport=PHONE)
    opener = tab.get_by_role("button", name="Navigation")
    opener.focus()
    tab.keyboard.press("Enter")
    tab.wait_for_function("() => document.getElementById('__drawer').checked")
    # The page behind the open drawer does not scroll.
    tab.mouse.move(PHONE["width"] - 10, PHONE["height"] // 2)
    tab.mouse.wheel(0, 600)
    tab.wait_for_timeout(200)
    assert tab.evaluate("scrollY") == 0
    tab.keyboard.press("Escape")
    tab.wait_for_function("() => !document.getElementById('__drawer').checked")


@pytest.mark.browser
@pytest.mark.slow
def test_american_spelling_finds_what_the_british_one_finds(open_page, site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE)
    counts = []
    for word in ("denuclearisation", "denuclearization"):
        tab.keyboard.press("/")
        tab.keyboard.press("Control+A")
        tab.keyboard.type(word, delay=10)
        meta = tab.locator(".md-search-result__meta")
        tab.wait_for_function("() => /\\d+ matching/.test(document.querySelector("
                              "'.md-search-result__meta').textContent)")
        counts.append(meta.inner_text())
        tab.keyboard.press("Escape")
    assert counts[0] == counts[1]


@pytest.mark.browser
@pytest.mark.slow
def test_search_results_for_a_page_carry_no_empty_highlight(searched) -> None:
    tab = searched
    hrefs = tab.locator(".md-search-result__link").evaluate_all("as => as.map(a => a.href)")
    assert hrefs and not [href for href in hrefs if "h=&" in href or href.endswith("h=")]


# ---- The theme's features and extensions that reader.js stands in for ---------------------------

# Every theme feature reader.js implements (or that needs no script: the footer, breadcrumbs
# and sections are HTML). A feature not listed here renders nothing without the theme's bundle.
READER_FEATURES = {
    "content.code.copy",
    "navigation.footer",
    "navigation.path",
    "navigation.sections",
    "navigation.top",
    "navigation.tracking",
    "search.highlight",
    "search.suggest",
    "toc.follow",
}
# Markdown extensions whose output works with reader.js (none of them needs the theme's script).
READER_EXTENSIONS = {
    "abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc",
    "pymdownx.details", "pymdownx.snippets", "pymdownx.superfences",
}


def test_mkdocs_yml_turns_on_only_theme_features_reader_js_implements() -> None:
    from commentary.engines import read_yaml

    features = set(read_yaml(ROOT / "mkdocs.yml")["theme"].get("features", []))
    missing = sorted(features - READER_FEATURES)
    assert not missing, (
        f"mkdocs.yml turns on {missing}, which reader.js does not implement: teach "
        "overrides/assets/javascripts/reader.js the feature, then add it to READER_FEATURES")


def test_mkdocs_yml_uses_only_markdown_extensions_known_to_work_with_reader_js() -> None:
    from commentary.engines import read_yaml

    names = {next(iter(item)) if isinstance(item, dict) else item
             for item in read_yaml(ROOT / "mkdocs.yml")["markdown_extensions"]}
    unknown = sorted(names - READER_EXTENSIONS)
    assert not unknown, (
        f"mkdocs.yml adds {unknown}: check that they need no script of the theme's (or teach "
        "reader.js what they need), then add them to READER_EXTENSIONS")


@pytest.mark.browser
@pytest.mark.slow
def test_tapping_an_abbreviation_shows_its_expansion_on_a_phone(browser, site_url: str) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        tab = context.new_page()
        # The glossary: its entries' paragraphs use abbreviations whatever the principle pages say.
        tab.goto(site_url + "glossary/", wait_until="networkidle")
        abbreviation = tab.locator(".md-content__inner > p abbr[title]:not(a abbr)").first
        abbreviation.scroll_into_view_if_needed()
        abbreviation.tap()
        tooltip = tab.get_by_role("tooltip")
        assert tooltip.is_visible()
        assert tooltip.inner_text().strip() == abbreviation.get_attribute("title")
    finally:
        context.close()


# ---- The rest of what the maintainers' notes say reader.js does ----------------------------------


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("page", [PRINCIPLE, "factcheck/", "about/"])
def test_a_box_that_scrolls_sideways_can_be_scrolled_from_the_keyboard(open_page, site_url: str,
                                                                        page: str) -> None:
    tab = open_page(site_url + page, viewport=PHONE)
    tab.wait_for_timeout(200)  # the ResizeObserver reports after the first layout
    wrong = tab.evaluate("""() => Array.from(
        document.querySelectorAll('.md-content table, .md-content pre > code'))
      .filter(box => box.checkVisibility())
      .filter(box => (box.scrollWidth > box.clientWidth + 1) !== (box.tabIndex === 0))
      .map(box => `${box.tagName.toLowerCase()} ${box.scrollWidth}/${box.clientWidth}`)""")
    assert wrong == []


@pytest.mark.browser
@pytest.mark.slow
def test_n_and_p_go_to_the_next_and_the_previous_page(open_page, site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE)
    following = tab.evaluate("document.querySelector('link[rel=next]').href")
    tab.keyboard.press("n")
    tab.wait_for_url(following)
    tab.wait_for_load_state("networkidle")
    tab.keyboard.press("p")
    tab.wait_for_url(site_url + PRINCIPLE)


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_behind_search_does_not_scroll_on_a_phone(open_page, site_url: str) -> None:
    tab = open_page(site_url + PRINCIPLE, viewport=PHONE)
    tab.evaluate("scrollTo(0, 1500)")
    tab.locator("label.md-header__button[for='__search']").click()
    tab.wait_for_function("() => document.body.hasAttribute('data-md-scrolllock')")
    tab.locator("input.md-search__input").blur()
    tab.mouse.move(200, 600)
    tab.mouse.wheel(0, 600)
    tab.wait_for_timeout(200)
    assert tab.locator("body").evaluate("b => b.style.top") == "-1500px"
    tab.keyboard.press("Escape")
    tab.wait_for_function("() => scrollY === 1500")
