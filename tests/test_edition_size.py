"""The edition stays seminar-sized, and the seminar guide's reading times are the real ones.

Body words are counted in the built pages as the issue's limits count them: the text of each
page's <article>, leaving out footnotes, collapsed blocks (<details>, such as the chart's data
table), the chart's <svg>, scripts, styles, heading permalinks and the source-file line.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

WORDS_A_MINUTE = 230  # a student's reading pace
PRINCIPLE_LIMIT = 3_000
SITE_LIMIT = 25_000  # every page but the sources page
SKIP_TAGS = {"details", "svg", "script", "style"}
SKIP_CLASSES = {"footnote", "headerlink", "md-source-file"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Body(HTMLParser):
    """Counts a page's body words, in total and under each second-level heading's id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <article>
        self.skip = 0  # inside something left out
        self.stack: list[bool] = []
        self.section = ""  # the id of the latest <h2>
        self.words = 0
        self.sections: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        attributes = dict(attrs)
        if tag == "article":
            self.depth += 1
        if tag == "h2" and self.depth:
            self.section = attributes.get("id") or ""
        classes = set((attributes.get("class") or "").split())
        left_out = self.depth > 0 and (tag in SKIP_TAGS or bool(classes & SKIP_CLASSES))
        self.stack.append(left_out)
        self.skip += left_out

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.stack:
            return
        self.skip -= self.stack.pop()
        if tag == "article":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            count = len(data.split())
            self.words += count
            self.sections[self.section] = self.sections.get(self.section, 0) + count


def body(page: Path) -> Body:
    parser = Body()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


class Table(HTMLParser):
    """The rows of the first table after the heading with the given id: (link, cell texts)."""

    def __init__(self, heading: str) -> None:
        super().__init__(convert_charrefs=True)
        self.heading, self.state = heading, "before"  # before, after the heading, in the table
        self.rows: list[tuple[str | None, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.state == "before" and attributes.get("id") == self.heading:
            self.state = "after"
        elif self.state == "after" and tag == "table":
            self.state = "table"
        elif self.state == "table" and tag == "tr":
            self.rows.append((None, []))
        elif self.state == "table" and tag == "td":
            self.rows[-1][1].append("")
        elif self.state == "table" and tag == "a" and self.rows and self.rows[-1][0] is None:
            self.rows[-1] = (attributes.get("href"), self.rows[-1][1])

    def handle_endtag(self, tag: str) -> None:
        if self.state == "table" and tag == "table":
            self.state = "done"

    def handle_data(self, data: str) -> None:
        if self.state == "table" and self.rows and self.rows[-1][1]:
            self.rows[-1][1][-1] += data


@pytest.fixture(scope="module")
def words(built_site: Path) -> dict[str, Body]:
    """Each built page's body, by its address relative to the site: '' for the overview."""
    return {
        page.parent.relative_to(built_site).as_posix().replace(".", ""): body(page)
        for page in built_site.rglob("index.html")
        if not page.parent.relative_to(built_site).as_posix().startswith(("search", "assets"))
    }


def test_each_principle_page_is_seminar_sized(words):
    sizes = {name: page.words for name, page in words.items() if name.startswith("principles/")}
    assert len(sizes) == 3
    assert {name: size for name, size in sizes.items() if size > PRINCIPLE_LIMIT} == {}


def test_the_whole_site_without_its_sources_is_seminar_sized(words):
    total = sum(page.words for name, page in words.items() if name != "sources")
    assert total <= SITE_LIMIT


def test_the_seminar_guides_reading_times_match_the_pages_at_a_students_pace(words, built_site):
    seminar = Table("before-the-session")
    seminar.feed((built_site / "seminar" / "index.html").read_text(encoding="utf-8"))
    rows = [(href, cells) for href, cells in seminar.rows if cells]
    *reading, (_, total) = rows
    assert len(reading) >= 5
    for href, (what, minutes) in reading:
        address = urlsplit(urljoin("https://site/seminar/", href))
        page = words[address.path.strip("/")]
        in_timeline = address.path.endswith("timeline/")
        count = page.sections[address.fragment] if in_timeline else page.words
        expected = count / WORDS_A_MINUTE
        assert abs(int(minutes) - expected) <= max(1.5, 0.15 * expected), (what, count, minutes)
    assert int(total[1].strip("* ")) == sum(int(cells[1]) for _, cells in reading)
