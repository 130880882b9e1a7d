"""The commentary's own rules, enforced on the real pages."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from commentary.site import Site
from conftest import ROOT

DOCS = ROOT / "docs"
SITE = Site.load(ROOT / "mkdocs.yml")
PAGES = [entry.file.src_uri for entry in SITE.reading_order]
PRINCIPLES = [uri for uri in PAGES if uri.startswith("principles/")]
ORIGINALITY = ROOT.parent / "shared" / "tools" / "originality.py"

# A Markdown link's target: "](target)" or a reference definition "[label]: target".
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)|^\s*\[[^\]]+\]:\s*(\S+)", re.M)
# A timeline entry: its heading id, then its <time datetime="...">.
TIMELINE_ENTRY = re.compile(
    r'<div class="tl-entry" markdown>\s*###\s+(?P<title>.+?)\s*\{\s*#(?P<id>[\w-]+)\s*\}\s*'
    r'<time datetime="(?P<date>[\d-]+)">(?P<shown>[\d-]+)</time>(?P<body>.*?)</div>',
    re.S,
)
SECTION_IDS = ["in-brief", "argument", "on-the-record", "what-happened-next"]
SECTION_IDS += ["matters-of-debate", "questions"]


def read(uri: str) -> str:
    return (DOCS / uri).read_text(encoding="utf-8")


def front_matter(text: str) -> dict:
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    return yaml.safe_load(match.group(1)) if match else {}


def body(text: str) -> str:
    return re.sub(r"^---\n.*?\n---\n", "", text, count=1, flags=re.S)


def targets(text: str) -> list[str]:
    """Every link target written in a page's Markdown."""
    return [a or b for a, b in LINK_TARGET.findall(text)]


def fragments_to(page_text: str, target: str) -> set[str]:
    """The #ids of `target` (e.g. 'timeline.md') that a page links to."""
    found = set()
    for link in targets(page_text):
        path, _, fragment = link.partition("#")
        if fragment and Path(path).name == target:
            found.add(fragment)
    return found


def prose_words(text: str) -> int:
    """Words of the page's own prose: no front matter, footnote definitions, markup or URLs."""
    text = body(text)
    text = re.sub(r"^\[\^[^\]]+\]:.*(\n {4}.*)*", "", text, flags=re.M)
    text = re.sub(r"<!--.*?-->|<[^>]+>|\{[^}]*\}", " ", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)|\[\^[^\]]+\]", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    return len(re.findall(r"[A-Za-z][A-Za-z'\u2019-]*", text))


def annotations(text: str) -> int:
    """List items of Material annotation lists (the list after a `{ .annotate }` block)."""
    count = 0
    lines = body(text).splitlines()
    for index, line in enumerate(lines):
        if line.strip() != "{ .annotate }":
            continue
        for following in lines[index + 1 :]:
            if re.match(r"^\d+\.\s", following):
                count += 1
            elif following.strip() and not following.startswith(("    ", "\t")):
                break
    return count


def timeline_entries() -> list[re.Match[str]]:
    return list(TIMELINE_ENTRY.finditer(read("timeline.md")))


def parse_date(value: str) -> date:
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


# ---- every page ------------------------------------------------------------------------------


@pytest.mark.parametrize("uri", PAGES)
def test_page_has_a_description(uri):
    description = front_matter(read(uri)).get("description", "")
    assert 40 <= len(description) <= 200, f"{uri}: description of {len(description)} characters"


@pytest.mark.parametrize("uri", PAGES)
def test_page_has_exactly_one_h1(uri):
    text = re.sub(r"```.*?```", "", body(read(uri)), flags=re.S)
    assert len(re.findall(r"^# ", text, re.M)) == 1


@pytest.mark.parametrize("uri", PAGES)
def test_no_author_is_named(uri):
    assert "Barry" not in read(uri), "the article's author is not named in the source"


def test_no_sentence_is_copied_from_the_article():
    if not ORIGINALITY.is_file():
        pytest.skip(f"no originality tool at {ORIGINALITY}")
    result = subprocess.run(
        [sys.executable, str(ORIGINALITY), str(DOCS)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "shared with the article" not in result.stdout


def test_spelling():
    result = subprocess.run(
        [sys.executable, "-m", "codespell_lib", "docs", "README.md", "scripts", "overrides"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


# ---- principle pages -------------------------------------------------------------------------


@pytest.mark.parametrize("uri", PRINCIPLES)
def test_principle_page_has_every_section(uri):
    text = read(uri)
    for section in SECTION_IDS:
        assert re.search(rf"^## .*\{{ #{section} \}}", text, re.M), f"{uri}: no #{section}"


@pytest.mark.parametrize("uri", PRINCIPLES)
def test_principle_page_has_a_thousand_words_of_prose(uri):
    assert prose_words(read(uri)) >= 1000


@pytest.mark.parametrize("uri", PRINCIPLES)
def test_principle_page_has_eight_annotations(uri):
    assert annotations(read(uri)) >= 8


@pytest.mark.parametrize("uri", PRINCIPLES)
def test_principle_page_cites_five_sources(uri):
    assert len(fragments_to(read(uri), "sources.md")) >= 5


@pytest.mark.parametrize("uri", PRINCIPLES)
def test_principle_page_links_three_timeline_entries(uri):
    assert len(fragments_to(read(uri), "timeline.md")) >= 3


@pytest.mark.parametrize("uri", PRINCIPLES)
def test_principle_page_has_three_questions_for_the_seminar(uri):
    block = re.search(
        r"<!-- --8<-- \[start:questions\] -->(.*?)<!-- --8<-- \[end:questions\] -->",
        read(uri),
        re.S,
    )
    assert block, f"{uri}: no questions section for the seminar guide"
    assert len(re.findall(r"^\d+\.\s", block.group(1), re.M)) >= 3
    assert "](" not in block.group(1), "questions are reused elsewhere: no relative links"


def test_seminar_guide_includes_every_principles_questions():
    text = read("seminar.md")
    for uri in PRINCIPLES:
        assert f'--8<-- "{uri}:questions"' in text


# ---- timeline --------------------------------------------------------------------------------


def test_timeline_entries_are_well_formed():
    entries = timeline_entries()
    assert len(entries) >= 30
    for entry in entries:
        assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", entry["date"]), entry["id"]
        assert entry["date"] == entry["shown"], entry["id"]
        assert entry["id"].startswith(entry["date"][:7]), entry["id"]
        assert "**Bears on:**" in entry["body"] and "principles/" in entry["body"], entry["id"]
        assert "**Source:**" in entry["body"] and "sources.md#" in entry["body"], entry["id"]


def test_timeline_is_in_chronological_order():
    dates = [parse_date(entry["date"]) for entry in timeline_entries()]
    assert dates == sorted(dates)


def test_timeline_spans_the_armistice_to_the_summits():
    ids = [entry["id"] for entry in timeline_entries()]
    assert ids[0].startswith("1953-07")
    assert any(i.startswith("2016-05") for i in ids)
    assert any(i.startswith("2019-") for i in ids)


def test_events_after_the_article_are_set_apart():
    text = read("timeline.md")
    after = text.index("{ #after-the-article }")
    for entry in timeline_entries():
        is_after = parse_date(entry["date"]) > date(2016, 5, 31)
        assert (entry.start() > after) == is_after, entry["id"]


def test_every_timeline_entry_up_to_2016_is_discussed():
    linked = set()
    for uri in PAGES:
        if uri != "timeline.md":
            linked |= fragments_to(read(uri), "timeline.md")
    text = read("timeline.md")
    before = [e["id"] for e in timeline_entries() if e.start() < text.index("#after-the-article")]
    assert [i for i in before if i not in linked] == []


# ---- sources and glossary --------------------------------------------------------------------


def source_ids() -> list[str]:
    return re.findall(r"^\{ #([\w-]+) \}$", read("sources.md"), re.M)


def test_every_source_is_cited_somewhere():
    cited = set()
    for uri in PAGES:
        if uri != "sources.md":
            cited |= fragments_to(read(uri), "sources.md")
    assert [s for s in source_ids() if s not in cited] == []


def test_every_source_has_author_title_date_and_url():
    text = read("sources.md")
    for source in source_ids():
        paragraph = text[: text.index(f"{{ #{source} }}")].rsplit("\n\n", 1)[-1]
        assert re.search(r"<https?://[^>]+>", paragraph), f"{source}: no URL"
        assert re.search(r"\b(1[89]\d\d|20\d\d)\b", paragraph), f"{source}: no date"


GLOSSARY_TERMS = [
    "dprk", "rok", "kpa", "nsc", "dni", "track-ii", "six-party-talks", "agreed-framework",
    "joint-statement-2005", "strategic-patience", "workers-party-congress",
]  # fmt: skip


def test_glossary_has_the_terms_a_reader_meets():
    text = read("glossary.md")
    for term in GLOSSARY_TERMS:
        assert f"{{ #{term} }}" in text, term


def test_every_abbreviation_in_the_glossary_has_a_tooltip():
    abbreviations = read("includes/abbreviations.md")
    headings = re.findall(r"^### ([A-Z]{2,6})\b", read("glossary.md"), re.M)
    assert headings
    for abbreviation in headings:
        assert f"*[{abbreviation}]:" in abbreviations, abbreviation


# ---- generated backlinks ---------------------------------------------------------------------


@pytest.mark.slow
def test_timeline_entries_show_where_they_are_discussed(built_site):
    html = (built_site / "timeline" / "index.html").read_text(encoding="utf-8")
    carter = html[html.index('id="1994-06-carter-pyongyang"') :]
    carter = carter[: carter.index("</div>")]
    assert "Discussed in:" in carter
    assert 'href="../principles/leader-first/#' in carter


@pytest.mark.slow
def test_glossary_terms_show_where_they_are_discussed(built_site):
    html = (built_site / "glossary" / "index.html").read_text(encoding="utf-8")
    assert html.count("Discussed in:") >= 5
