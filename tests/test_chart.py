"""The chart of contacts: every contact a mark linked to its entry, accessible, small, printable.

The unit tests draw the chart from the sample timeline (contacts_sample.py) and read its HTML
back with tinyhtml5, as a browser would parse it. The slow tests read the real build, where the
chart stands on Principle 1 (the page whose claim it tests; the overview links to it), and look
at it in Chromium in both palettes.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as etree
from pathlib import Path

import pytest
import tinyhtml5
from commentary.chart import DESC_ID, SUMMARY, TITLE_ID, contacts_chart, unqualify_svg
from commentary.timeline import Entry, entries_from_html
from contacts_sample import CONTACTS, render, sample_timeline

SVG = "{http://www.w3.org/2000/svg}"
SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
TIMELINE = "../timeline/"
# Where the build puts the chart: page address -> the timeline's address from there.
CHART_PAGES = {"principles/leader-first/": "../../timeline/"}
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


def _svgs(root: etree.Element) -> list[etree.Element]:
    """The chart's SVGs: wide, then narrow."""
    return list(root.iter(f"{SVG}svg"))


def _svg(root: etree.Element) -> etree.Element:
    return _svgs(root)[0]


def _marks(root: etree.Element) -> list[etree.Element]:
    return list(_svg(root).iter(f"{SVG}a"))


def _contact(entry_id: str, outcome: str, words: str = "", level: str = "envoy") -> Entry:
    """A contact entry as the timeline gives it (its date from its id)."""
    return Entry(entry_id, entry_id[:7], entry_id[8:].replace("-", " ").capitalize(),
                 level=level, level_text="someone meets someone", outcome=outcome,
                 outcome_text=words)


def test_every_contact_is_one_mark_linking_to_its_entry(
    parsed: etree.Element, entries: list[Entry]
) -> None:
    contacts = sorted((entry for entry in entries if entry.is_contact), key=lambda e: e.date)
    for svg in _svgs(parsed):
        hrefs = [mark.get("href") for mark in svg.iter(f"{SVG}a")]
        assert hrefs == [f"{TIMELINE}#{entry.id}" for entry in contacts]
    assert {href.rpartition("#")[2] for href in hrefs} == set(CONTACTS)


def test_the_chart_is_drawn_wide_and_narrow_with_the_narrow_one_hidden_without_css(
    parsed: etree.Element,
) -> None:
    wide, narrow = _svgs(parsed)
    assert "cc-wide" in wide.get("class").split()
    holder = next(div for div in parsed.iter("div") if div.get("class") == "cc-narrow")
    assert holder.get("hidden") is not None
    assert narrow in list(holder)


def test_every_mark_links_to_an_entry_on_the_timeline(
    parsed: etree.Element, entries: list[Entry]
) -> None:
    ids = {entry.id for entry in entries}
    missing = [mark.get("href") for mark in _marks(parsed)
               if mark.get("href").rpartition("#")[2] not in ids]
    assert missing == []


def test_every_mark_is_named_by_its_entry(parsed: etree.Element) -> None:
    for svg in _svgs(parsed):
        carter = next(mark for mark in svg.iter(f"{SVG}a")
                      if mark.get("href").endswith("#1994-06-carter-pyongyang"))
        assert carter.find(f"{SVG}title").text == (
            "1994-06-16: Carter meets Kim Il Sung in Pyongyang (envoy and leader; agreement)")


def test_the_marks_are_out_of_the_tab_order(parsed: etree.Element) -> None:
    # The keyboard path is the data table: one stop for its summary, then named links.
    for svg in _svgs(parsed):
        assert {mark.get("tabindex") for mark in svg.iter(f"{SVG}a")} == {"-1"}


def test_marks_are_shaped_and_shaded_by_outcome(parsed: etree.Element) -> None:
    classes = [mark.get("class") for mark in _marks(parsed)]
    outcomes = [outcome for _, outcome, _, _ in CONTACTS.values()]
    for outcome in ("agreement", "progress", "none"):
        assert classes.count(f"cc-mark cc-{outcome}") == outcomes.count(outcome)


def test_a_release_is_counted_apart_from_agreements() -> None:
    chart = contacts_chart([
        _contact("2009-08-clinton-pyongyang", "release", "release secured: two journalists freed"),
        _contact("1994-06-carter-pyongyang", "agreement", "agreement: a freeze"),
    ], TIMELINE)
    root = tinyhtml5.parse(chart, namespace_html_elements=False)
    desc = next(_svg(root).iter(f"{SVG}desc")).text
    assert "Envoy and leader: 2 contacts, 1994\N{EN DASH}2009; agreement 1, release 1." in desc
    assert [mark.get("class") for mark in _marks(root)] == [
        "cc-mark cc-agreement", "cc-mark cc-release"]
    legend = [text.text for text in _svg(root).iter(f"{SVG}text")]
    assert {"Agreement", "Release", "Progress", "No agreement"} <= set(legend)


def test_the_table_names_each_outcome_once() -> None:
    chart = contacts_chart([
        _contact("1994-06-carter-pyongyang", "agreement",
                 "agreement: a nuclear freeze in return for talks"),
        _contact("2009-08-clinton-pyongyang", "release", "release secured: two journalists freed"),
        _contact("2019-10-stockholm-talks", "none", "breakdown: the talks broke down"),
        _contact("2019-11-no-words", "progress"),
    ], TIMELINE)
    root = tinyhtml5.parse(chart, namespace_html_elements=False)
    outcomes = ["".join(row[-1].itertext()) for row in root.iter("tr") if row.find("td")]
    assert outcomes == ["Agreement: a nuclear freeze in return for talks",
                        "Release: two journalists freed",
                        "No agreement: the talks broke down",
                        "Progress"]


def test_the_chart_has_a_title_and_a_description(parsed: etree.Element) -> None:
    for svg in _svgs(parsed):
        assert svg.get("role") == "group"
        title = next(e for e in svg.iter(f"{SVG}title")
                     if e.get("id") == svg.get("aria-labelledby"))
        assert title.text == "US\N{EN DASH}North Korea contacts by level, 1994\N{EN DASH}2019"
        desc = next(e for e in svg.iter(f"{SVG}desc")
                    if e.get("id") == svg.get("aria-describedby"))
        assert desc.text.startswith(
            "18 contacts between the United States and North Korea from 1994 to 2019, by level. "
            "Leader and leader: 3 contacts, 2018\N{EN DASH}2019; agreement 1, progress 1, "
            "no agreement 1.")


def test_the_chart_labels_the_levels_and_marks_the_article(parsed: etree.Element) -> None:
    texts = [text.text for text in _svg(parsed).iter(f"{SVG}text")]
    for label in ("Leader and leader", "Envoy and leader", "Senior officials", "Working level",
                  "Track 1.5 or II", "The article, May 2016", "1995", "2015"):
        assert label in texts
    narrow = " ".join(text.text for text in _svgs(parsed)[1].iter(f"{SVG}text"))
    for label in ("Leader and leader", "Senior officials", "Track 1.5 or II",
                  "The article, May 2016", "1995", "2015"):
        assert label in narrow


def test_the_narrow_charts_tap_targets_are_apart_and_at_least_26_units_across(
    parsed: etree.Element,
) -> None:
    # Its viewBox is 360 units wide, shown at 358 px on a 390 px phone (the browser test below
    # measures it there).
    narrow = _svgs(parsed)[1]
    assert narrow.get("viewBox").split()[2] == "360"
    targets = [
        (float(hit.get("cx")), float(hit.get("cy")), float(hit.get("r")))
        for mark in narrow.iter(f"{SVG}a") for hit in mark.iter(f"{SVG}circle")
        if hit.get("class") == "cc-hit"
    ]
    assert len(targets) == len(CONTACTS)
    assert min(r for _, _, r in targets) >= 13
    crowded = [(a, b) for i, a in enumerate(targets) for b in targets[i + 1:]
               if math.dist(a[:2], b[:2]) < a[2] + b[2]]
    assert crowded == []


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
    assert ids == [TITLE_ID, DESC_ID, f"{TITLE_ID}-narrow", f"{DESC_ID}-narrow"]


def test_the_chart_takes_little_of_the_page_budget(chart: str) -> None:
    assert len(gzip.compress(chart.encode())) < GZIP_BUDGET


def test_drawing_the_chart_imports_no_plotting_library() -> None:
    code = ("import sys, commentary.chart; "
            "print(sorted(m for m in ('matplotlib', 'numpy') if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONPATH": str(SCRIPTS)}).stdout
    assert found.strip() == "[]"


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
@pytest.mark.parametrize("page", list(CHART_PAGES), ids=["leader-first"])
def test_the_built_chart_shows_every_contact_of_the_built_timeline(
    built_site: Path, page: str
) -> None:
    timeline = entries_from_html((built_site / "timeline/index.html").read_text(encoding="utf-8"))
    contacts = sorted((entry for entry in timeline if entry.is_contact), key=lambda e: e.date)
    assert contacts, "no contact entries (.tl-contact) on the built timeline"
    html = (built_site / page / "index.html").read_text(encoding="utf-8")
    root = tinyhtml5.parse(html, namespace_html_elements=False)
    charts = [div for div in root.iter("div") if div.get("class") == "contacts-chart"]
    assert len(charts) == 1, f"{page}: {len(charts)} charts"
    hrefs = [mark.get("href") for mark in _marks(charts[0])]
    assert hrefs == [f"{CHART_PAGES[page]}#{entry.id}" for entry in contacts]


@pytest.fixture
def open_chart(browser, site_url: str):
    """A factory: Principle 1 at a screen size and palette, its chart's box in view."""
    contexts = []

    def make(width: int, height: int, scheme: str = "light"):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      color_scheme=scheme)
        contexts.append(context)
        tab = context.new_page()
        tab.goto(f"{site_url}principles/leader-first/", wait_until="networkidle")
        tab.locator(".contacts-chart").scroll_into_view_if_needed()
        return tab

    yield make
    for context in contexts:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_chart_follows_the_palette(open_chart, scheme: str) -> None:
    tab = open_chart(1280, 800, scheme)
    found = tab.evaluate("""() => {
      const style = el => getComputedStyle(el);
      const mark = document.querySelector('.contacts-chart .cc-mark.cc-agreement .cc-dot');
      const label = document.querySelector('.contacts-chart .cc-label');
      const link = document.querySelector('.md-typeset p a');
      return {mark: style(mark).fill, label: style(label).fill, link: style(link).color,
              text: style(document.querySelector('.md-typeset')).color};
    }""")
    assert found["mark"] == found["link"]
    assert found["label"] == found["text"]


SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
# Each visible label's font size on screen (its CSS size times the SVG's scale), in px.
LABEL_SIZES = """() => [...document.querySelectorAll('.contacts-chart svg')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .flatMap(svg => [...svg.querySelectorAll('text')].map(text => ({
    text: text.textContent,
    px: parseFloat(getComputedStyle(text).fontSize) * svg.getScreenCTM().a})))"""
# Each visible mark's box on screen.
TARGETS = """() => [...document.querySelectorAll('.contacts-chart svg a')]
  .map(a => ({name: a.querySelector('title').textContent, box: a.getBoundingClientRect()}))
  .filter(({box}) => box.width > 0)
  .map(({name, box}) => ({name, x: box.x + box.width / 2, y: box.y + box.height / 2,
                          width: box.width, height: box.height}))"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("size", list(SIZES))
def test_the_charts_labels_are_at_least_11px(open_chart, size: str) -> None:
    labels = open_chart(*SIZES[size]).evaluate(LABEL_SIZES)
    assert labels, "no chart label is visible"
    assert [label for label in labels if label["px"] < 11] == []


@pytest.mark.browser
@pytest.mark.slow
def test_on_a_phone_every_mark_is_a_tap_target_of_24px_apart_from_the_others(open_chart) -> None:
    targets = open_chart(*SIZES["phone"]).evaluate(TARGETS)
    assert len(targets) >= 20
    small = [t["name"] for t in targets if min(t["width"], t["height"]) < 24]
    assert small == []
    # WCAG 2.5.8: a 24 px circle on each target's centre overlaps no other one.
    crowded = [(a["name"], b["name"]) for i, a in enumerate(targets) for b in targets[i + 1:]
               if math.dist((a["x"], a["y"]), (b["x"], b["y"])) < 24]
    assert crowded == []


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("size", list(SIZES))
def test_the_keyboard_meets_two_named_stops_in_the_chart(open_chart, size: str) -> None:
    # From the caption's link Tab goes to the table's summary, then out of the chart; back from
    # the caption's link it leaves the chart too: the 28 marks are not stops.
    tab = open_chart(*SIZES[size])
    tab.locator(".contacts-chart figcaption a").focus()
    stops = []
    for _ in range(3):
        stops.append(tab.evaluate("""() => {
          const el = document.activeElement;
          return {inside: !!el.closest('.contacts-chart'), name: el.textContent.trim()};
        }"""))
        tab.keyboard.press("Tab")
    inside = [stop["name"] for stop in stops if stop["inside"]]
    assert inside == ["timeline", SUMMARY]
    tab.locator(".contacts-chart figcaption a").focus()
    tab.keyboard.press("Shift+Tab")
    assert tab.evaluate("() => !document.activeElement.closest('.contacts-chart')")


@pytest.mark.browser
@pytest.mark.slow
def test_on_a_phone_every_column_of_the_data_table_shows(open_chart) -> None:
    tab = open_chart(*SIZES["phone"])
    tab.locator(".contacts-chart summary").click()
    cells = tab.evaluate("""() => [...document.querySelectorAll('.contacts-chart tbody td')]
      .map(td => { const box = td.getBoundingClientRect();
                   return {text: td.textContent, left: box.left, right: box.right,
                           width: box.width}; })""")
    assert len(cells) % 4 == 0 and cells
    hidden = [cell["text"] for cell in cells
              if cell["width"] == 0 or cell["left"] < 0 or cell["right"] > SIZES["phone"][0]]
    assert hidden == []
