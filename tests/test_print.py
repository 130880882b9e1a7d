"""Printing a page from the browser: print.css plus Material's own print behaviour, in Chromium."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PRINCIPLE = "principles/leader-first/"
# Site chrome that must not reach paper: header (with the search box), tabs, both sidebars,
# breadcrumbs, footer, back-to-top button.
CHROME = (
    ".md-header",
    ".md-search",
    ".md-tabs",
    ".md-sidebar--primary",
    ".md-sidebar--secondary",
    ".md-path",
    ".md-footer",
    ".md-top",
)


def words(text: str) -> str:
    """A text's words, lowercased and single-spaced, without digits or punctuation."""
    return " ".join(re.findall(r"[^\W\d_]+", text.lower()))


def annotation_texts(page_html: Path) -> list[str]:
    """The text of each annotation (list item after a `.annotate` block) of a built page."""
    from commentary import pdf

    article = pdf.read_article(page_html)
    found = []
    for parent in article.iter():
        children = list(parent)
        for block, following in itertools.pairwise(children):
            if "annotate" in (block.get("class") or "").split() and following.tag == "ol":
                found.extend("".join(li.itertext()) for li in following.findall("li"))
    return found


def open_for_print(browser, url: str):
    """A page loaded, switched to print media, and told it is about to print, as Chromium does."""
    page = browser.new_page()
    page.goto(url)
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    return page


@pytest.fixture
def printed_principle(browser, site_url: str):
    page = open_for_print(browser, site_url + PRINCIPLE)
    yield page
    page.close()


def test_print_hides_site_chrome(printed_principle) -> None:
    shown = [
        selector
        for selector in CHROME
        if any(element.is_visible() for element in printed_principle.query_selector_all(selector))
    ]
    assert not shown


def test_print_shows_every_annotation_text(printed_principle, built_site: Path) -> None:
    expected = annotation_texts(built_site / PRINCIPLE / "index.html")
    assert expected, "the principle page has no annotations"
    printed = words(printed_principle.inner_text("article"))
    missing = [text[:60] for text in expected if words(text) not in printed]
    assert not missing


def test_print_numbers_annotations_instead_of_tooltips(printed_principle) -> None:
    numbers = printed_principle.eval_on_selector_all(
        ".annotate + ol > li", "items => items.filter(li => li.offsetParent !== null).length"
    )
    assert numbers > 0
    # Each marker in the text prints its number (Material writes it with ::after in print).
    markers = printed_principle.eval_on_selector_all(
        "[data-md-annotation-id]", "all => all.map(m => getComputedStyle(m, '::after').content)"
    )
    assert markers and all(re.fullmatch(r'"\d+"', marker) for marker in markers)


def test_print_hides_buttons_and_permalinks(browser, site_url: str) -> None:
    page = open_for_print(browser, site_url)
    try:
        for selector in (".md-button", ".headerlink", ".footnote-backref"):
            assert not any(element.is_visible() for element in page.query_selector_all(selector))
    finally:
        page.close()


def test_print_keeps_timeline_entries_on_one_page(browser, site_url: str) -> None:
    page = open_for_print(browser, site_url + "timeline/")
    try:
        styles = page.eval_on_selector_all(
            ".tl-entry", "entries => entries.map(e => getComputedStyle(e).breakInside)"
        )
    finally:
        page.close()
    assert styles and set(styles) == {"avoid"}


DETAILS_CONFIG = """site_name: Details
theme:
  name: material
  custom_dir: {overrides}
markdown_extensions:
  - pymdownx.details
nav:
  - Home: index.md
"""
DETAILS_PAGE = """# Home

??? note "Collapsed block"

    Hidden until opened.
"""


@pytest.fixture(scope="module")
def details_url(tmp_path_factory: pytest.TempPathFactory):
    """A one-page site with this project's overrides and a collapsed block, served locally."""
    from commentary import engines
    from commentary.pages_server import serve
    from commentary.site import Site

    root = tmp_path_factory.mktemp("details")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text(DETAILS_PAGE, encoding="utf-8")
    config = root / "mkdocs.yml"
    overrides = Path(__file__).resolve().parent.parent / "overrides"
    config.write_text(DETAILS_CONFIG.format(overrides=overrides), encoding="utf-8")
    engines.build_mkdocs(Site.load(config).config, root / "site")
    with serve(root / "site") as base:
        yield base


def test_print_opens_collapsed_details(browser, details_url: str) -> None:
    page = browser.new_page()
    try:
        page.goto(details_url)
        assert not page.is_visible("text=Hidden until opened.")
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert page.is_visible("text=Hidden until opened.")
    finally:
        page.close()


def test_print_stylesheet_leaves_the_screen_alone(browser, site_url: str) -> None:
    page = browser.new_page()
    try:
        page.goto(site_url + PRINCIPLE)
        assert page.is_visible(".md-header")
        assert page.eval_on_selector(
            'link[href$="print.css"]', "link => link.media"
        ) == "print"
    finally:
        page.close()


@pytest.mark.parametrize("page", [PRINCIPLE, "principles/both-koreas/", "timeline/"])
def test_printed_page_never_ends_with_a_heading(browser, site_url: str, page: str,
                                                tmp_path: Path) -> None:
    import subprocess

    tab = open_for_print(browser, site_url + page)
    headings = tab.locator(".md-content :is(h2, h3)").evaluate_all(
        "hs => hs.map(h => h.textContent.replace('¶', '').trim())")
    pdf = tmp_path / "page.pdf"
    tab.pdf(path=str(pdf), format="A4")
    tab.close()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    stranded = []
    for number, sheet in enumerate(text.split("\f")[:-1], start=1):
        lines = [line.strip() for line in sheet.splitlines() if line.strip()]
        if lines and lines[-1] in headings:
            stranded.append(f"page {number}: {lines[-1]}")
    assert stranded == []


def test_printing_from_the_dark_palette_gives_white_paper(browser, site_url: str) -> None:
    context = browser.new_context(color_scheme="dark")
    try:
        tab = context.new_page()
        tab.goto(site_url + PRINCIPLE)
        assert tab.locator("body").get_attribute("data-md-color-scheme") == "slate"
        tab.emulate_media(media="print", color_scheme="dark")
        background = tab.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(255, 255, 255)"
    finally:
        context.close()
