"""The bibliography: loading with line numbers, the checks, the rendered sources page, the short
citations, the BibTeX and CSL-JSON downloads, "how to cite" and the watch on dead addresses."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import markdown
import pytest
from commentary.bibliography import (
    GROUPS,
    BibliographyError,
    dead_links_summary,
    how_to_cite_markdown,
    load,
    parse,
    problems,
    render_sources_markdown,
    source_addresses,
    to_bibtex,
    to_csl_json,
)
from commentary.linkcheck import Problem
from pybtex.database import parse_string

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BIB = "docs/bibliography.yaml"
# A link to a reference on the sources page, as the pages write it.
SOURCE_LINK = re.compile(r"sources\.md#([a-z0-9-]+)")
# The item types of CSL 1.0.2 (https://docs.citationstyles.org/en/stable/specification.html#appendix-iii-types).
CSL_TYPES = frozenset(
    {
        "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book",
        "broadcast", "chapter", "classic", "collection", "dataset", "document", "entry",
        "entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic", "hearing",
        "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
        "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical",
        "personal_communication", "post", "post-weblog", "regulation", "report", "review",
        "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage",
    }
)
# The CSL variables the bibliography uses (a subset of CSL 1.0.2's variables).
CSL_VARIABLES = frozenset(
    {
        "id", "type", "author", "editor", "title", "title-short", "container-title",
        "collection-title", "collection-number", "genre", "number", "publisher",
        "publisher-place", "section", "volume", "issue", "page", "issued", "accessed", "URL",
        "note",
    }
)

# A small bibliography: two sources, written as the real file writes them.
TINY = textwrap.dedent(
    """\
    # A comment line.
    - id: carter-center-1994
      group: documents
      type: webpage
      author: [{literal: "The Carter Center"}]
      title: "Carter Trip Paves the Way for U.S.-North Korean Pact"
      title-short: "Carter Trip Paves the Way"
      container-title: "The Carter Center"
      issued: {date-parts: [[1994]]}
      URL: "https://www.cartercenter.org/news/documents/doc221.html"
      accessed: {date-parts: [[2026, 11, 29]]}

    - id: ap-2019-hanoi
      group: news
      type: article-newspaper
      author: [{literal: "Associated Press"}]
      title: "[Report on the collapse of the Hanoi summit]"
      container-title: "AP News"
      issued: {date-parts: [[2019, 2, 28]]}
      URL: "https://www.apnews.com/78d68909abf8c0b4c6442ad03b4d0fb4"
      accessed: {date-parts: [[2026, 11, 29]]}
      archive-url: "https://web.archive.org/web/https://www.apnews.com/78d68909abf8c0b4c6442ad03b4d0fb4"
      note: "Consulted via a reprint."
    """
)
CITED = [("carter-center-1994", "docs/a.md", 3, 5), ("ap-2019-hanoi", "docs/b.md", 7, 1)]


@pytest.fixture(scope="module")
def real():
    return load(ROOT / BIB)


@pytest.fixture(scope="module")
def real_page(real) -> str:
    """The real sources page, rendered once (citeproc-py takes seconds for the whole file)."""
    return render_sources_markdown(real)


def record_text(**fields: str) -> str:
    """A one-record bibliography with the given fields replaced (an empty value drops one)."""
    base = {
        "id": "x-2000",
        "group": "news",
        "type": "article-newspaper",
        "title": '"A title"',
        "issued": "{date-parts: [[2000, 1, 2]]}",
        "URL": '"https://example.org/x"',
    }
    base.update(fields)
    lines = [f"  {k}: {v}" for k, v in base.items() if v and k != "id"]
    return f"- id: {base['id']}\n" + "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Loading


def test_each_record_remembers_the_line_and_column_where_it_starts() -> None:
    bib = parse(TINY)
    assert [(r.key, r.line, r.col) for r in bib.records] == [
        ("carter-center-1994", 2, 3),
        ("ap-2019-hanoi", 13, 3),
    ]


def test_a_file_that_is_not_yaml_is_an_error_with_its_line() -> None:
    with pytest.raises(BibliographyError) as caught:
        parse("- id: a\n  title: [unclosed\n- id: b\n", BIB)
    assert str(caught.value.problem) == (
        f"{BIB}:3:5: error: not valid YAML: expected ',' or ']', but got ':'"
        " (while parsing a flow sequence that starts at line 2)"
    )


def test_a_file_that_is_not_a_list_is_an_error_at_its_start() -> None:
    with pytest.raises(BibliographyError) as caught:
        parse("id: a\n", BIB)
    assert str(caught.value.problem) == (
        f"{BIB}:1:1: error: the bibliography must be a list of records"
    )


def test_the_real_bibliography_keeps_every_key_of_the_first_edition(real) -> None:
    # bbc-2024-carter-kim left in the third edition: a 2025 retrospective cited for a 1994 fact.
    first_edition_keys = {
        "carter-center-1994", "crs-r45033", "joint-statement-2005", "singapore-statement-2018",
        "un-coi-2014", "communique-2000", "latimes-2000-clinton-trip", "dw-2016-sullivan",
        "cnbc-2018-snyder-normalization", "piie-cha-gallucci-review",
        "washpost-2018-singapore-diverge", "yeo-2018-monkey-cage",
    }  # fmt: skip
    assert first_edition_keys <= set(real.keys)
    assert len(real.records) >= 87


def test_every_source_link_on_the_pages_has_a_record(real) -> None:
    linked = {
        key for page in DOCS.rglob("*.md") for key in SOURCE_LINK.findall(page.read_text("utf-8"))
    } - set(GROUPS)
    assert sorted(linked - set(real.keys)) == []


def test_no_record_uses_a_mirror_domain(real) -> None:
    mirrors = ("fonts.nohib.com", "tiue.org", "theepochtimes.com", "globalr2p.org")
    assert [r.key for r in real.records if any(m in r.url for m in mirrors)] == []


# ---------------------------------------------------------------------------------------------
# Checks


def test_the_real_bibliography_has_no_problem_of_its_own(real) -> None:
    everything_cited = [(key, "docs/x.md", 1, 1) for key in real.keys]
    assert [str(p) for p in problems(real, everything_cited)] == []


def test_an_unknown_key_is_reported_where_it_is_cited() -> None:
    found = problems(parse(TINY, BIB), [*CITED, ("nobody-2000", "docs/c.md", 12, 4)])
    assert found == [Problem("docs/c.md", 12, 4, f"no source 'nobody-2000' in {BIB}")]


def test_an_unknown_key_close_to_a_known_one_gets_a_suggestion() -> None:
    found = problems(parse(TINY, BIB), [*CITED, ("carter-center-1995", "docs/c.md", 2, 9)])
    assert [str(p) for p in found] == [
        f"docs/c.md:2:9: error: no source 'carter-center-1995' in {BIB}"
        " (did you mean 'carter-center-1994'?)"
    ]


def test_a_record_nothing_cites_is_reported_at_its_line() -> None:
    found = problems(parse(TINY, BIB), CITED[:1])
    assert found == [Problem(BIB, 13, 3, "source 'ap-2019-hanoi' is cited nowhere")]


def test_a_record_without_a_title_is_reported_at_its_line() -> None:
    bib = parse("# head\n" + record_text(title=""), BIB)
    assert problems(bib, [("x-2000", "docs/a.md", 1, 1)]) == [
        Problem(BIB, 2, 3, "source 'x-2000' has no title")
    ]


def test_a_record_without_a_date_is_reported_at_its_line() -> None:
    bib = parse(record_text(issued=""), BIB)
    assert problems(bib, [("x-2000", "docs/a.md", 1, 1)]) == [
        Problem(BIB, 1, 3, "source 'x-2000' has no date (give issued, or undated: true)")
    ]


def test_an_undated_record_needs_no_date() -> None:
    bib = parse(record_text(issued="", undated="true"), BIB)
    assert problems(bib, [("x-2000", "docs/a.md", 1, 1)]) == []


def test_a_record_without_an_address_is_reported_at_its_line() -> None:
    bib = parse(record_text(URL=""), BIB)
    assert problems(bib, [("x-2000", "docs/a.md", 1, 1)]) == [
        Problem(BIB, 1, 3, "source 'x-2000' has no address (URL)")
    ]


def test_a_record_outside_the_sources_page_groups_is_reported() -> None:
    bib = parse(record_text(group="blogs"), BIB)
    assert problems(bib, [("x-2000", "docs/a.md", 1, 1)]) == [
        Problem(
            BIB,
            1,
            3,
            "source 'x-2000' has no group of the sources page (documents, news, analysis)",
        )
    ]


def test_a_key_used_twice_is_reported_at_the_second_record() -> None:
    bib = parse(record_text() + "\n" + record_text(title='"Another"'), BIB)
    assert problems(bib, [("x-2000", "docs/a.md", 1, 1)]) == [
        Problem(BIB, 8, 3, "source 'x-2000' is defined twice (first at line 1)")
    ]


# ---------------------------------------------------------------------------------------------
# The sources page


def test_render_gives_every_key_an_anchor_on_the_page(real, real_page) -> None:
    html = markdown.markdown(real_page, extensions=["attr_list"])
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert sorted(set(real.keys) - ids) == []


def test_render_keeps_the_section_headings_and_their_ids(real_page) -> None:
    headings = re.findall(r"^## .*$", real_page, re.M)
    assert headings == [
        "## Documents and official records { #documents }",
        "## News reports { #news }",
        "## Analysis and reference { #analysis }",
    ]


def test_render_sets_an_entry_in_chicago_style_with_its_address_as_a_link() -> None:
    assert render_sources_markdown(parse(TINY)).split("\n\n")[1] == (
        "The Carter Center. “Carter Trip Paves the Way for U.S.-North Korean Pact.” The Carter"
        " Center, 1994. <https://www.cartercenter.org/news/documents/doc221.html>.\n"
        "{ #carter-center-1994 }"
    )


def test_render_shows_the_note_and_the_archived_address_beside_the_entry() -> None:
    entry = render_sources_markdown(parse(TINY)).split("\n\n")[-1].rstrip("\n")
    assert entry == (
        "Associated Press. \\[Report on the collapse of the Hanoi summit\\]. *AP News*, February"
        " 28, 2019. <https://www.apnews.com/78d68909abf8c0b4c6442ad03b4d0fb4>. Consulted via a"
        " reprint. Archived copy:"
        " <https://web.archive.org/web/https://www.apnews.com/78d68909abf8c0b4c6442ad03b4d0fb4>.\n"
        "{ #ap-2019-hanoi }"
    )


def test_render_shows_every_archived_address_of_the_real_bibliography(real, real_page) -> None:
    records = real.records
    missing = [r.key for r in records if r.archive_url and f"<{r.archive_url}>" not in real_page]
    assert missing == []


def test_render_lists_each_section_alphabetically_ignoring_a_leading_the(real_page) -> None:
    documents = real_page.split("## News reports")[0]
    firsts = [line.split(".")[0] for line in documents.splitlines()[2::3]]
    assert firsts[:2] == ["The Carter Center", "The Carter Center"]
    keys = [first.removeprefix("The ").casefold().split()[0] for first in firsts]
    assert keys == sorted(keys)


def test_render_escapes_markdown_in_the_data() -> None:
    bib = parse(record_text(title='"Stars *and* [brackets]"'))
    assert render_sources_markdown(bib).split("\n\n")[1].startswith(
        "“Stars \\*and\\* \\[brackets\\],” January 2, 2000."
    )


# ---------------------------------------------------------------------------------------------
# Short citations


def test_short_cite_gives_organisation_short_title_and_year() -> None:
    assert parse(TINY).short_cite("carter-center-1994") == (
        "Carter Center, “Carter Trip Paves the Way,” 1994"
    )


def test_short_cite_leaves_a_description_unquoted() -> None:
    assert parse(TINY).short_cite("ap-2019-hanoi") == (
        "Associated Press, \\[Report on the collapse of the Hanoi summit\\], 2019"
    )


def test_short_cite_names_two_authors_by_family_name(real) -> None:
    assert real.short_cite("washpost-2018-singapore-diverge") == (
        "DeYoung and Wagner, “Trump and Kim declare summit a big success,” 2018"
    )


def test_short_cite_of_an_unsigned_piece_leads_with_the_outlet(real) -> None:
    assert real.short_cite("bbc-2009-six-party-quit") == (
        "BBC News, “Angry N Korea quits nuclear talks,” 2009"
    )


def test_short_cite_of_an_undated_source_says_nd(real) -> None:
    assert real.short_cite("nixon-library-nsc") == (
        "Richard Nixon Presidential Library and Museum, “National Security Council History,” n.d."
    )


def test_short_cite_puts_no_comma_after_a_question_mark(real) -> None:
    assert real.short_cite("yeo-2018-monkey-cage") == (
        "Yeo, “Will raising human rights issues really derail nuclear negotiations,” 2018"
    )
    bib = parse(record_text(title='"Is it so?"', author='[{family: "Doe", given: "J."}]'))
    assert bib.short_cite("x-2000") == "Doe, “Is it so?” 2000"


def test_short_cite_of_an_unknown_key_raises_key_error() -> None:
    with pytest.raises(KeyError):
        parse(TINY).short_cite("nobody")


# ---------------------------------------------------------------------------------------------
# Downloads


def untex(value: str) -> str:
    """A BibTeX field's text: outer braces and TeX escapes removed."""
    return re.sub(r"\\([&%$#_])", r"\1", value).removeprefix("{").removesuffix("}")


def test_bibtex_parses_with_pybtex_one_entry_per_record(real) -> None:
    parsed = parse_string(to_bibtex(real), "bibtex")
    assert list(parsed.entries) == real.keys


def test_bibtex_round_trip_keeps_author_title_date_container_and_address(real) -> None:
    parsed = parse_string(to_bibtex(real), "bibtex").entries
    for record in real.records:
        entry, fields = parsed[record.key], record.fields
        authors = [
            a.get("literal") or f"{a['family']}, {a['given']}" for a in fields.get("author", [])
        ]
        assert [untex(str(p)) for p in entry.persons.get("author", [])] == authors, record.key
        assert untex(entry.fields["title"]) == record.title, record.key
        if record.year is not None:
            parts = fields["issued"]["date-parts"][0]
            assert entry.fields["date"] == "-".join(
                f"{p:02d}" if i else str(p) for i, p in enumerate(parts)
            )
            assert entry.fields["year"] == str(record.year)
        if entry.type == "techreport":
            institution = fields.get("publisher") or fields["container-title"]
            assert untex(entry.fields["institution"]) == institution, record.key
        elif fields.get("container-title"):
            field = "journal" if entry.type == "article" else "howpublished"
            assert untex(entry.fields[field]) == fields["container-title"], record.key
        if entry.type != "techreport" and fields.get("publisher"):
            assert untex(entry.fields["publisher"]) == fields["publisher"], record.key
        assert entry.fields["url"] == record.url


def test_bibtex_escapes_tex_special_characters() -> None:
    bib = parse(record_text(title='"Issue & Policy 100% $ # _"'))
    assert "title = {{Issue \\& Policy 100\\% \\$ \\# \\_}}" in to_bibtex(bib)


def test_csl_json_parses_and_every_item_is_a_valid_csl_item(real) -> None:
    items = json.loads(to_csl_json(real))
    assert [item["id"] for item in items] == real.keys
    for item in items:
        record = real[item["id"]]
        assert item["type"] in CSL_TYPES, item["id"]
        assert item["title"], item["id"]
        assert item["URL"].startswith(("https://", "http://")), item["id"]
        assert "issued" in item or record.undated, item["id"]
        assert set(item) <= CSL_VARIABLES, (item["id"], set(item) - CSL_VARIABLES)


def test_csl_json_round_trip_keeps_author_title_date_container_and_address(real) -> None:
    for item in json.loads(to_csl_json(real)):
        fields = real[item["id"]].fields
        for name in ("author", "title", "issued", "container-title", "URL"):
            assert item.get(name) == fields.get(name), (item["id"], name)


def test_csl_json_leaves_out_the_project_fields() -> None:
    (item,) = [i for i in json.loads(to_csl_json(parse(TINY))) if i["id"] == "ap-2019-hanoi"]
    assert not {"group", "undated", "archive-url", "added-by"} & set(item)


# ---------------------------------------------------------------------------------------------
# How to cite


def test_how_to_cite_gives_plain_text_and_bibtex_from_the_citation_data() -> None:
    extra = {"citation": {"title": "A commentary", "bibtex_key": "a-commentary"}}
    edition = {"iso": "2026-11-29", "text": "29 November 2026"}
    plain = (
        "A commentary. Edition of 29 November 2026. https://example.org/c/"
        " (accessed [date accessed])."
    )
    assert how_to_cite_markdown(extra, edition, "https://example.org/c/") == "\n".join(
        [
            "Plain text:",
            "",
            "```text",
            plain,
            "```",
            "",
            "BibTeX:",
            "",
            "```bibtex",
            "@misc{a-commentary,",
            "  title   = {A commentary},",
            "  note    = {Edition of 29 November 2026},",
            "  year    = {2026},",
            "  url     = {https://example.org/c/},",
            "  urldate = {[date accessed]}",
            "}",
            "```",
            "",
        ]
    )


def test_how_to_cite_bibtex_parses_with_pybtex() -> None:
    text = how_to_cite_markdown(
        {"citation": {"title": "A commentary", "bibtex_key": "k"}},
        {"iso": "2026-11-29", "text": "29 November 2026"},
    )
    bibtex = text.split("```bibtex\n")[1].split("```")[0]
    assert parse_string(bibtex, "bibtex").entries["k"].fields["url"] == "[site address]"


# ---------------------------------------------------------------------------------------------
# The watch on dead addresses


def test_source_addresses_lists_each_address_once() -> None:
    assert source_addresses(parse(TINY + "\n" + TINY.split("\n\n")[1])) == (
        "https://www.apnews.com/78d68909abf8c0b4c6442ad03b4d0fb4\n"
        "https://www.cartercenter.org/news/documents/doc221.html\n"
    )


def test_dead_links_summary_names_each_dead_address_by_its_key() -> None:
    report = {
        "total": 2,
        "fail_map": {
            "lychee/source-urls.txt": [
                {
                    "url": "https://www.apnews.com/78d68909abf8c0b4c6442ad03b4d0fb4",
                    "status": {"text": "404 Not Found", "code": 404},
                }
            ]
        },
    }
    assert dead_links_summary(parse(TINY), report).splitlines()[-1] == (
        "| `ap-2019-hanoi` | <https://www.apnews.com/78d68909abf8c0b4c6442ad03b4d0fb4> |"
        " 404 Not Found |"
        " <https://web.archive.org/web/https://www.apnews.com/78d68909abf8c0b4c6442ad03b4d0fb4> |"
    )


def test_dead_links_summary_says_so_when_every_address_answered() -> None:
    assert dead_links_summary(parse(TINY), {"total": 2, "fail_map": {}}) == (
        "## Source addresses\n\nAll 2 source addresses answered.\n"
    )
