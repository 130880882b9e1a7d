"""The timeline as data: entries read from the rendered page, and the CSV and JSON downloads.

The unit tests read a copy of docs/timeline.md with sample contact lines (contacts_sample.py),
rendered with the site's Markdown extensions. The slow tests read the real build: the downloads
must parse and hold exactly the entries of the built timeline page, and the page's filter by
principle must work without a script.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from commentary.timeline import FIELDS, LEVELS, OUTCOMES, Entry, entries_from_html, to_csv, to_json
from contacts_sample import CONTACTS, contact_line, render, sample_timeline

# The id of every entry heading in the Markdown: "### Title { #id }".
ENTRY_ID = re.compile(r"^### .*\{ #([\w-]+) \}$", re.MULTILINE)
ENTRY = """<div class="tl-entry" markdown>

### Talks in Geneva {{ #1994-10-geneva }}

<time datetime="1994-10-21">1994-10-21</time>

{contact}
The two sides signed a framework.

**Bears on:** [Principle 1](principles/leader-first.md), [Principle 3](principles/nuclear-first.md)
{{ .tl-meta }}

**Source:** [KEDO (1994)](sources.md#kedo-1994), [Gallucci (2004)](sources.md#gallucci-2004)
{{ .tl-meta }}

</div>
"""


@pytest.fixture(scope="module")
def sample() -> list[Entry]:
    """The entries of the sample timeline."""
    return entries_from_html(render(sample_timeline()))


def _one(contact: str = "") -> list[Entry]:
    """The entries of a page holding one entry, with `contact` as its contact line."""
    return entries_from_html(render(ENTRY.format(contact=contact)))


def test_every_entry_is_read_in_page_order(sample: list[Entry]) -> None:
    assert [entry.id for entry in sample] == ENTRY_ID.findall(sample_timeline())


def test_a_contact_entry_has_its_level_outcome_and_their_words(sample: list[Entry]) -> None:
    carter = next(entry for entry in sample if entry.id == "1994-06-carter-pyongyang")
    assert carter == Entry(
        id="1994-06-carter-pyongyang",
        date="1994-06-16",
        title="Carter meets Kim Il Sung in Pyongyang",
        level="envoy",
        level_text="a former president meets the North's leader",
        outcome="agreement",
        outcome_text="a freeze in return for talks",
        principles=("leader-first", "nuclear-first"),
        sources=("carter-center-1994", "carter-center-photos-1994"),
    )


def test_only_entries_with_a_contact_line_are_contacts(sample: list[Entry]) -> None:
    assert [entry.id for entry in sample if entry.is_contact] == [
        id_ for id_ in ENTRY_ID.findall(sample_timeline()) if id_ in CONTACTS
    ]
    armistice = sample[0]
    assert (armistice.level, armistice.outcome, armistice.level_text) == (None, None, "")


def test_a_date_without_a_day_is_kept_as_written() -> None:
    html = ('<div class="tl-entry"><h3 id="2008-12-x">Talks</h3>'
            '<p><time datetime="2008-12">2008-12</time></p></div>')
    assert entries_from_html(html)[0].date == "2008-12"


def test_the_permalink_is_not_part_of_the_title() -> None:
    html = ('<div class="tl-entry"><h3 id="x">A <abbr title="t">UN</abbr> vote'
            '<a class="headerlink" href="#x">&para;</a></h3>'
            '<p><time datetime="2001-01-01">2001-01-01</time></p></div>')
    assert entries_from_html(html)[0].title == "A UN vote"


def test_links_are_read_after_mkdocs_has_rewritten_them() -> None:
    html = (
        '<div class="tl-entry"><h3 id="x">X</h3><p><time datetime="2001-01">2001-01</time></p>'
        '<p class="tl-meta"><strong>Bears on:</strong> '
        '<a href="../principles/both-koreas/">Principle 2</a>, '
        '<a href="../principles/nuclear-first/index.html">Principle 3</a></p>'
        '<p class="tl-meta"><strong>Source:</strong> <a href="../sources/#a-key">A</a>, '
        '<a href="../sources/#b-key">B</a>, <a href="../sources/#a-key">A again</a></p>'
        '<p class="backlinks"><em>Discussed in:</em> '
        '<a href="../principles/leader-first/#carter">Principle 1</a></p></div>'
    )
    entry = entries_from_html(html)[0]
    assert entry.principles == ("both-koreas", "nuclear-first")
    assert entry.sources == ("a-key", "b-key")


def test_a_whole_page_is_read_like_its_content() -> None:
    content = render(ENTRY.format(contact=""))
    page = f"<!DOCTYPE html><html><head><title>T</title></head><body>{content}</body></html>"
    assert entries_from_html(page) == entries_from_html(content)


def test_an_unknown_level_is_an_error_naming_the_entry() -> None:
    with pytest.raises(ValueError) as error:
        _one(contact_line("president", "agreement", "a", "b"))
    assert str(error.value) == (
        "timeline entry '1994-10-geneva': data-level 'president' is not one of "
        "leader, envoy, senior, working, track2")


def test_an_unknown_outcome_is_an_error_naming_the_entry() -> None:
    with pytest.raises(ValueError) as error:
        _one(contact_line("senior", "deal", "a", "b"))
    assert str(error.value) == (
        "timeline entry '1994-10-geneva': data-outcome 'deal' is not one of "
        "agreement, progress, release, none")


def test_an_entry_without_a_date_is_an_error() -> None:
    with pytest.raises(ValueError) as error:
        entries_from_html('<div class="tl-entry"><h3 id="x">X</h3><p>No date.</p></div>')
    assert str(error.value) == "timeline entry 'x' has no <time datetime>"


def test_the_csv_parses_back_to_the_entries(sample: list[Entry]) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(sample), newline="")))
    assert list(rows[0]) == list(FIELDS)
    expected = [
        {name: " ".join(value) if isinstance(value, list) else value or ""
         for name, value in entry.as_dict().items()}
        for entry in sample
    ]
    assert rows == expected


def test_the_json_parses_back_to_the_entries(sample: list[Entry]) -> None:
    document = json.loads(to_json(sample))
    assert document["entries"] == [entry.as_dict() for entry in sample]
    assert [Entry(**{**row, "principles": tuple(row["principles"]),
                     "sources": tuple(row["sources"])}) for row in document["entries"]] == sample


def test_the_json_names_its_categories_and_licence(sample: list[Entry]) -> None:
    document = json.loads(to_json(sample))
    assert document["levels"] == LEVELS
    assert document["outcomes"] == OUTCOMES
    assert document["licence"] == "CC BY 4.0"


# ---- The real build ----------------------------------------------------------------------------


@pytest.mark.slow
def test_the_downloads_hold_the_entries_of_the_built_timeline(built_site: Path) -> None:
    page = entries_from_html((built_site / "timeline" / "index.html").read_text(encoding="utf-8"))
    assert page, "no timeline entries on the built page"
    written = (built_site / "timeline.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(written, newline="")))
    assert [row["id"] for row in rows] == [entry.id for entry in page]
    assert written == to_csv(page)
    document = json.loads((built_site / "timeline.json").read_text(encoding="utf-8"))
    assert document["entries"] == [entry.as_dict() for entry in page]


@pytest.mark.slow
def test_the_timeline_links_its_downloads(built_site: Path) -> None:
    html = (built_site / "timeline" / "index.html").read_text(encoding="utf-8")
    for name in ("timeline.csv", "timeline.json"):
        assert f'href="../{name}"' in html, f"the timeline page does not link {name}"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("principle", ["leader-first", "both-koreas", "nuclear-first"])
def test_the_timeline_narrows_to_one_principle_without_a_script(
    browser, site_url: str, principle: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(site_url + "timeline/", wait_until="load")
        entries = tab.locator(".tl-entry")
        total = entries.count()
        assert tab.locator(".tl-entry:visible").count() == total
        tab.locator(f".tl-filter a[href='#bears-on-{principle}']").click()
        shown = tab.locator(".tl-entry:visible")
        assert 0 < shown.count() < total
        bearing = tab.locator(f".tl-entry:has(.tl-meta a[href*='principles/{principle}'])")
        assert shown.count() == bearing.count()
        tab.locator(".tl-filter a[href='#all-entries']").click()
        assert tab.locator(".tl-entry:visible").count() == total
    finally:
        context.close()
