"""Bad input: each mistake a writer can make gives one clear `path:line:col: error:` line first,
exit status 1 (2 for the configuration), no traceback, and the last good site left as it was.

Each test builds a tiny good site, breaks one thing, builds again with scripts/build.py and
asserts the exit status, the exact first message line and that the site did not change.
"""

from __future__ import annotations

import os
from pathlib import Path

import build
import pytest
from commentary.config import display
from test_build import HOOKS, digest

RECORD = """\
- id: smith-2017
  group: news
  type: article-newspaper
  author: [{family: Smith, given: Ann}]
  title: "Talks resume"
  container-title: "The Paper"
  issued: {date-parts: [[2017, 12, 4]]}
  URL: "https://example.org/talks"
"""
ENTRY = """\
<div class="tl-entry" markdown>

### Talks in Geneva { #1994-10-geneva }

<time datetime="1994-10-21">21 October 1994</time>

The two sides signed a framework.

**Contact:** negotiators · **Outcome:** a framework
{ .tl-meta .tl-contact data-level="senior" data-outcome="agreement" }

</div>
"""
PAGES = {
    "index.md": "# Home\n\nTalks resumed.[^smith-2017]\n\n[Timeline](timeline.md)\n",
    "timeline.md": "# Timeline\n\n" + ENTRY,
    "sources.md": "# Sources\n\n<!-- commentary:bibliography -->\n",
    "bibliography.yaml": RECORD,
}
EXTRA = "extra:\n  generated_files: [timeline.csv, timeline.json]\n"


class Site:
    """A tiny good site, built once; `rebuild()` builds it again after the test broke it."""

    def __init__(self, tmp_site, tmp_path: Path, capsys, pages: dict[str, str] | None = None):
        self.config = tmp_site(pages or PAGES)
        self.config.write_text(
            self.config.read_text() + f"hooks:\n  - {HOOKS}\n" + EXTRA, encoding="utf-8"
        )
        self.docs = self.config.parent / "docs"
        self.out = tmp_path / "out"
        self.capsys = capsys
        assert self.build() == 0, capsys.readouterr().err
        capsys.readouterr()
        self.before = digest(self.out)

    def build(self) -> int:
        return build.main(["-f", str(self.config), "-d", str(self.out), "--no-pdf"])

    def where(self, name: str) -> str:
        """A file of the site as messages name it."""
        return f"{display(self.docs)}/{name}"

    def rebuild(self) -> tuple[int, list[str]]:
        """Build again; return the status and the error lines, after checking what must hold."""
        status = self.build()
        err = self.capsys.readouterr().err
        assert "Traceback" not in err
        assert digest(self.out) == self.before, "the last good site changed"
        assert not list(self.out.parent.glob(".site-*"))
        return status, [line for line in err.splitlines() if ": error: " in line]


@pytest.fixture
def site(tmp_site, tmp_path, capsys) -> Site:
    return Site(tmp_site, tmp_path, capsys)


def set_issued(site: Site, value: str) -> None:
    path = site.docs / "bibliography.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{date-parts: [[2017, 12, 4]]}", value), encoding="utf-8")


# ---- the bibliography -----------------------------------------------------------------------


def test_a_bibliography_date_written_as_text_names_the_record_and_line(site):
    set_issued(site, '"last spring"')
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('bibliography.yaml')}:7:11: error: source 'smith-2017': issued is not a"
        " CSL date ('last spring'); write it as {date-parts: [[year, month, day]]}"
        " (month and day where known)"
    ]


def test_a_bibliography_date_written_as_a_yaml_date_says_how_to_write_it(site):
    set_issued(site, "2017-12-04")
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('bibliography.yaml')}:7:11: error: source 'smith-2017': issued is a YAML"
        " date (2017-12-04); write it as CSL does: {date-parts: [[2017, 12, 4]]}"
    ]


def test_a_bibliography_date_with_a_word_in_it_is_an_error(site):
    set_issued(site, '{date-parts: [["spring", 2017]]}')
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('bibliography.yaml')}:7:11: error: source 'smith-2017': issued has date"
        " parts ['spring', 2017], which are not all whole numbers"
    ]


def test_a_bibliography_month_of_13_is_an_error_before_anything_is_written(site):
    set_issued(site, "{date-parts: [[2017, 13, 45]]}")
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('bibliography.yaml')}:7:11: error: source 'smith-2017': issued has month"
        " 13; a month is 1 to 12"
    ]


def test_a_bibliography_day_the_month_lacks_is_an_error(site):
    set_issued(site, "{date-parts: [[2017, 2, 29]]}")
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('bibliography.yaml')}:7:11: error: source 'smith-2017': issued has day"
        " 29, which 2017-02 does not have"
    ]


def test_a_yaml_syntax_error_in_the_bibliography_is_one_message(site):
    path = site.docs / "bibliography.yaml"
    path.write_text(RECORD.replace('title: "Talks resume"', "title: [Talks resume"))
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('bibliography.yaml')}:6:18: error: not valid YAML: expected ',' or ']',"
        " but got ':' (while parsing a flow sequence that starts at line 5)"
    ]


def test_a_bibliography_not_in_utf8_is_one_message(site):
    path = site.docs / "bibliography.yaml"
    path.write_bytes(RECORD.replace("Talks resume", "Caf\xe9 talks").encode("latin-1"))
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('bibliography.yaml')}:5:14: error: not valid UTF-8 (invalid continuation"
        " byte); save it as UTF-8"
    ]


def test_a_misspelled_citation_key_gets_did_you_mean(site):
    page = site.docs / "index.md"
    page.write_text(page.read_text().replace("[^smith-2017]", "[^smith-2071]"))
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('index.md')}:3:15: error: footnote '[^smith-2071]' has no definition on"
        " the page and no record in the bibliography; did you mean '[^smith-2017]'?"
    ]


# ---- the timeline ---------------------------------------------------------------------------


def test_a_contact_entry_with_a_bad_month_names_the_entry_and_line(site):
    page = site.docs / "timeline.md"
    page.write_text(page.read_text().replace('datetime="1994-10-21"', 'datetime="1994-16-06"'))
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('timeline.md')}:7:17: error: timeline entry '1994-10-geneva':"
        ' <time datetime="1994-16-06"> is not an ISO 8601 date (write YYYY-MM-DD, or YYYY-MM'
        " where the day is not established)"
    ]


def test_a_timeline_date_written_in_words_never_reaches_the_downloads(site):
    page = site.docs / "timeline.md"
    page.write_text(page.read_text().replace('datetime="1994-10-21"', 'datetime="27 July 1953"'))
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('timeline.md')}:7:17: error: timeline entry '1994-10-geneva':"
        ' <time datetime="27 July 1953"> is not an ISO 8601 date (write YYYY-MM-DD, or YYYY-MM'
        " where the day is not established)"
    ]


# ---- pages ------------------------------------------------------------------------------------


def test_an_empty_page_is_an_error(site):
    (site.docs / "timeline.md").write_text("\n\n")
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('timeline.md')}:1:1: error: page is empty (write it, or take it out of"
        " nav and delete it)"
    ]


def test_a_page_not_in_utf8_is_the_first_and_only_message(site):
    (site.docs / "timeline.md").write_bytes("# Timeline\n\nna\xefve ## {#x}\n".encode("latin-1"))
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('timeline.md')}:3:3: error: not valid UTF-8 (invalid continuation byte);"
        " save it as UTF-8"
    ]


def test_a_link_out_of_docs_is_refused_by_name(site):
    page = site.docs / "index.md"
    page.write_text(page.read_text() + "\n[Read me](../README.md)\n")
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('index.md')}:7:11: error: link to '../README.md' leads outside docs/"
        " (the site publishes only what is in docs/)"
    ]


# ---- symbolic links ---------------------------------------------------------------------------


def test_a_symlink_to_itself_is_named(site):
    os.symlink("loop", site.docs / "loop")
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('loop')}:1:1: error: symbolic link to 'loop' leads round in a loop;"
        " delete it"
    ]


def test_a_directory_loop_is_named_once_by_its_link(site):
    (site.docs / "extra").mkdir()
    os.symlink("..", site.docs / "extra" / "up")
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('extra/up')}:1:1: error: symbolic link to '..' leads round in a loop"
        " (to a folder that holds it); delete it"
    ]


def test_a_symlink_out_of_docs_is_refused_and_publishes_nothing(site, tmp_path):
    private = tmp_path / "private"
    private.mkdir()
    (private / "notes.txt").write_text("not for the site\n")
    os.symlink(private, site.docs / "private")
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('private')}:1:1: error: symbolic link to '{private}', outside docs/:"
        " refused (MkDocs would publish what it leads to); copy what the site needs into docs/"
        " and delete the link"
    ]


# ---- citations --------------------------------------------------------------------------------


def test_a_citation_inside_an_included_part_gets_its_definition(tmp_site, tmp_path, capsys):
    pages = {
        **PAGES,
        "principle.md": (
            "# Principle\n\nText.\n\n<!-- --8<-- [start:questions] -->\n"
            "1. Does it hold?[^smith-2017]\n<!-- --8<-- [end:questions] -->\n"
        ),
        "seminar.md": '# Seminar\n\n--8<-- "principle.md:questions"\n',
    }
    site = Site(tmp_site, tmp_path, capsys, pages)
    html = (site.out / "seminar" / "index.html").read_text(encoding="utf-8")
    assert 'id="fn:smith-2017"' in html


def test_an_unknown_key_inside_an_included_part_is_reported_where_it_is_written(
    tmp_site, tmp_path, capsys
):
    pages = {
        **PAGES,
        "principle.md": (
            "# Principle\n\nFirst [^smith-2017] and [x](#) here.\n\n"
            "<!-- --8<-- [start:questions] -->\n"
            "1. Does it hold?[^smith-2017]\n<!-- --8<-- [end:questions] -->\n"
        ),
        "seminar.md": '# Seminar\n\n--8<-- "principle.md:questions"\n',
    }
    site = Site(tmp_site, tmp_path, capsys, pages)
    page = site.docs / "principle.md"
    page.write_text(page.read_text().replace("hold?[^smith-2017]", "hold?[^smith-2071]"))
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('principle.md')}:6:17: error: footnote '[^smith-2071]' has no definition"
        " on the page and no record in the bibliography; did you mean '[^smith-2017]'?"
    ]


def test_a_key_written_in_inline_code_is_not_a_citation(site):
    page = site.docs / "index.md"
    page.write_text(page.read_text() + "\nTo cite it, write `[^smith-2017]` after the sentence.\n")
    assert site.build() == 0, site.capsys.readouterr().err


def test_a_chart_with_no_contact_entry_to_draw_is_an_error(site):
    page = site.docs / "index.md"
    page.write_text(page.read_text() + "\n<!-- commentary:contacts-chart -->\n")
    timeline = site.docs / "timeline.md"
    text = timeline.read_text()
    timeline.write_text(text.replace(".tl-contact ", "").replace('data-level="senior" ', ""))
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('index.md')}:7:1: error: the chart of contacts needs a timeline entry"
        " marked as a contact (a .tl-contact line with data-level and data-outcome); none is"
    ]


def test_a_quotation_mark_left_open_in_the_bibliography_is_named_where_it_opens(site):
    path = site.docs / "bibliography.yaml"
    path.write_text(RECORD.replace('title: "Talks resume"', 'title: "Talks resume'))
    status, errors = site.rebuild()
    assert status == 1
    assert errors == [
        f"{site.where('bibliography.yaml')}:5:10: error: not valid YAML: this quotation mark is"
        " not closed on its line (the parser gave up at line 6: expected <block end>, but found"
        " '<scalar>')"
    ]
