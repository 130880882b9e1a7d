"""The chart of contacts: every contact a mark linked to its entry, accessible, small, printable.

The unit tests draw the chart from the sample timeline (contacts_sample.py) and read its HTML
back with tinyhtml5, as a browser would parse it. The slow tests read the real build, where the
chart stands on the overview and on Principle 1, and look at it in Chromium in both palettes.
"""

from __future__ import annotations

import gzip
import io
import xml.etree.ElementTree as etree
from pathlib import Path

import pytest
import tinyhtml5
from commentary.chart import SUMMARY, TITLE_ID, contacts_chart, unqualify_svg
from commentary.timeline import Entry, entries_from_html
from contacts_sample import CONTACTS, render, sample_timeline

SVG = "{http://www.w3.org/2000/svg}"
TIMELINE = "../timeline/"
# Where the build puts the chart: page address -> the timeline's address from there.
CHART_PAGES = {"": "timeline/", "principles/leader-first/": "../../timeline/"}
# Most of the 100 kB page budget is the theme's; the chart may take a few kB of it.
GZIP_BUDGET = 6_000


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    """The entries of the sample timeline."""
    return entries_from_html(render(sample_timeline()))


@pytest.fixture(scope="module")
def chart(entries: list[Entry]) -> str:
    """The chart's HTML, as a page gets it."""
    return contacts_chart(entries, TIMELINE)


@pytest.fixture(scope="module")
def parsed(chart: str) -> etree.Element:
    """The chart's HTML parsed as a browser parses it."""
    return tinyhtml5.parse(chart, namespace_html_elements=False)


def _svg(root: etree.Element) -> etree.Element:
    return next(root.iter(f"{SVG}svg"))


def _marks(root: etree.Element) -> list[etree.Element]:
    return list(_svg(root).iter(f"{SVG}a"))


def test_every_contact_is_one_mark_linking_to_its_entry(
    parsed: etree.Element, entries: list[Entry]
) -> None:
    hrefs = [mark.get("href") for mark in _marks(parsed)]
    contacts = sorted((entry for entry in entries if entry.is_contact), key=lambda e: e.date)
    assert hrefs == [f"{TIMELINE}#{entry.id}" for entry in contacts]
    assert {href.rpartition("#")[2] for href in hrefs} == set(CONTACTS)


def test_every_mark_links_to_an_entry_on_the_timeline(
    parsed: etree.Element, entries: list[Entry]
) -> None:
    ids = {entry.id for entry in entries}
    missing = [mark.get("href") for mark in _marks(parsed)
               if mark.get("href").rpartition("#")[2] not in ids]
    assert missing == []


def test_every_mark_is_named_by_its_entry(parsed: etree.Element) -> None:
    carter = next(mark for mark in _marks(parsed)
                  if mark.get("href").endswith("#1994-06-carter-pyongyang"))
    assert carter.find(f"{SVG}title").text == (
        "1994-06-16: Carter meets Kim Il Sung in Pyongyang (envoy and leader; agreement)")


def test_marks_are_shaped_and_shaded_by_outcome(parsed: etree.Element) -> None:
    classes = [group.get("class") for group in _svg(parsed).iter(f"{SVG}g")
               if "cc-mark" in (group.get("class") or "")]
    outcomes = [outcome for _, outcome, _, _ in CONTACTS.values()]
    for outcome in ("agreement", "progress", "none"):
        assert classes.count(f"cc-mark cc-{outcome}") == outcomes.count(outcome)


def test_the_chart_has_a_title_and_a_description(parsed: etree.Element) -> None:
    svg = _svg(parsed)
    assert svg.get("role") == "group"
    title = next(e for e in svg.iter(f"{SVG}title") if e.get("id") == svg.get("aria-labelledby"))
    assert title.text == "US\N{EN DASH}North Korea contacts by level, 1994\N{EN DASH}2019"
    desc = next(e for e in svg.iter(f"{SVG}desc") if e.get("id") == svg.get("aria-describedby"))
    assert desc.text.startswith("18 contacts between the United States and North Korea from "
                                "1994 to 2019, by level. Leader and leader: 3 contacts, "
                                "2018\N{EN DASH}2019; agreement 1, progress 1, no agreement 1.")


def test_the_chart_labels_the_levels_and_marks_the_article(parsed: etree.Element) -> None:
    texts = [text.text for text in _svg(parsed).iter(f"{SVG}text")]
    for label in ("Leader and leader", "Envoy and leader", "Senior officials", "Working level",
                  "Track 1.5 or II", "The article, May 2016", "1995", "2015"):
        assert label in texts


def test_the_data_table_is_collapsed_and_links_every_contact(
    parsed: etree.Element, entries: list[Entry]
) -> None:
    details = next(parsed.iter("details"))
    assert details.get("open") is None
    assert details.find("summary").text == SUMMARY
    rows = details.findall(".//tbody/tr")
    assert [row.find(".//a").get("href") for row in rows] == [
        mark.get("href") for mark in _marks(parsed)]
    first = ["".join(cell.itertext()) for cell in rows[0]]
    assert first == ["1994-06-16", "Carter meets Kim Il Sung in Pyongyang", "Envoy and leader",
                     "Agreement: a freeze in return for talks"]


def test_the_chart_is_the_same_on_every_build(entries: list[Entry], chart: str) -> None:
    assert contacts_chart(entries, TIMELINE) == chart


def test_the_chart_refers_to_nothing_inside_or_outside_itself(chart: str) -> None:
    # No <use>, clip path, stylesheet, script or generated id: the PDF renames ids by chapter,
    # and a page may hold other SVG.
    for text in ("<use", "clip-path", "<style", "<script", "xlink", "url(#", "target="):
        assert text not in chart
    parsed = tinyhtml5.parse(chart, namespace_html_elements=False)
    ids = [element.get("id") for element in parsed.iter() if element.get("id")]
    assert ids == [TITLE_ID, "contacts-chart-desc"]


def test_the_chart_takes_little_of_the_page_budget(chart: str) -> None:
    assert len(gzip.compress(chart.encode())) < GZIP_BUDGET


def test_a_timeline_without_contacts_is_an_error() -> None:
    entry = Entry("1953-07-armistice", "1953-07-27", "Armistice")
    with pytest.raises(ValueError) as error:
        contacts_chart([entry], TIMELINE)
    assert str(error.value) == (
        "no timeline entry is marked as a contact (.tl-contact), so no chart")


@pytest.mark.slow
def test_the_chart_prints_with_weasyprint(chart: str) -> None:
    # As the PDF does it: parse the rendered page with tinyhtml5, serialise it with ElementTree
    # (unqualify_svg first, or the SVG comes out as <ns0:svg>), lay it out with WeasyPrint.
    from pypdf import PdfReader
    from weasyprint import HTML

    page = f"<!DOCTYPE html><html lang=en><head><title>T</title></head><body>{chart}</body></html>"
    root = tinyhtml5.parse(page, namespace_html_elements=False)
    unqualify_svg(root)
    document = etree.tostring(root, encoding="unicode", method="html")
    assert "<svg " in document and "ns0:" not in document
    out = io.BytesIO()
    HTML(string=document).write_pdf(out)
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    for label in ("Leader and leader", "Track 1.5 or II", "The article, May 2016", "2015",
                  "Agreement", "No agreement"):
        assert label in text
    assert "Carter meets Kim Il Sung" in text  # the table prints too


# ---- The real build ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("page", list(CHART_PAGES), ids=["overview", "leader-first"])
def test_the_built_chart_shows_every_contact_of_the_built_timeline(
    built_site: Path, page: str
) -> None:
    timeline = entries_from_html((built_site / "timeline/index.html").read_text(encoding="utf-8"))
    contacts = sorted((entry for entry in timeline if entry.is_contact), key=lambda e: e.date)
    assert contacts, "no contact entries (.tl-contact) on the built timeline"
    html = (built_site / page / "index.html").read_text(encoding="utf-8")
    root = tinyhtml5.parse(html, namespace_html_elements=False)
    charts = [div for div in root.iter("div") if div.get("class") == "contacts-chart"]
    assert len(charts) == 1, f"{page or 'overview'}: {len(charts)} charts"
    hrefs = [mark.get("href") for mark in _marks(charts[0])]
    assert hrefs == [f"{CHART_PAGES[page]}#{entry.id}" for entry in contacts]


@pytest.mark.browser
@pytest.mark.slow
def test_the_chart_follows_the_palette(browser, site_url: str) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 800},
                                      color_scheme=scheme)
        try:
            tab = context.new_page()
            tab.goto(site_url, wait_until="networkidle")
            colours[scheme] = tab.evaluate("""() => {
              const style = el => getComputedStyle(el);
              const mark = document.querySelector('.contacts-chart .cc-mark.cc-agreement circle');
              const label = document.querySelector('.contacts-chart .cc-label');
              const link = document.querySelector('.md-typeset p a');
              return {mark: style(mark).fill, label: style(label).fill,
                      link: style(link).color, text: style(document.querySelector(
                        '.md-typeset')).color};
            }""")
        finally:
            context.close()
    for scheme, found in colours.items():
        assert found["mark"] == found["link"], scheme
        assert found["label"] == found["text"], scheme
    assert colours["light"]["mark"] != colours["dark"]["mark"]
