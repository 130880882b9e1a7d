"""The commentary's own rules, enforced on the real pages through the site model.

Pages are read as the site model scanned them (front matter, heading ids, links with the
section they sit under, rendered HTML), never by matching Markdown with regular expressions.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from itertools import pairwise
from urllib.parse import urlsplit
from xml.etree import ElementTree as etree

import markdown
import pytest
import tinyhtml5
from commentary import bibliography
from commentary.site import Site
from conftest import ROOT

DOCS = ROOT / "docs"
ORIGINALITY = ROOT.parent / "shared" / "tools" / "originality.py"
SECTION_IDS = ["in-brief", "argument", "on-the-record", "what-happened-next"]
SECTION_IDS += ["matters-of-debate", "questions"]
# Reprints on unrelated domains that the second edition replaced by the publishers' own copies.
MIRROR_DOMAINS = ("epochtimes.com", "globalr2p.org", "nohib.com", "tiue.org", "yahoo.com")
VERDICTS = {"correct", "imprecise", "wrong", "unverified"}
GLOSSARY_TERMS = [
    "dprk", "rok", "kpa", "nsc", "dni", "track-ii", "six-party-talks", "agreed-framework",
    "joint-statement-2005", "strategic-patience", "workers-party-congress",
    # Added for students in the second edition.
    "normalization", "illicit-activities", "light-water-reactor", "four-party-talks",
    "banco-delta-asia", "maximum-pressure", "sunshine-policy", "track-1-5", "working-level",
]  # fmt: skip


@pytest.fixture(scope="module")
def site() -> Site:
    """The real site, loaded and scanned once for this module."""
    return Site.load(ROOT / "mkdocs.yml")


def pages(site: Site) -> list[str]:
    return [entry.file.src_uri for entry in site.reading_order]


def principles(site: Site) -> list[str]:
    return [uri for uri in pages(site) if uri.startswith("principles/")]


def tree(site: Site, uri: str) -> etree.Element:
    """A page's rendered HTML as an element tree."""
    return tinyhtml5.parse(site.scans[uri].html, namespace_html_elements=False)


def classes(element: etree.Element) -> set[str]:
    return set((element.get("class") or "").split())


def fragments_to(site: Site, source: str, target: str) -> set[str]:
    """The ids of page `target` that page `source` links to."""
    return {
        e.fragment for e in site.edges if e.source == source and e.target == target and e.fragment
    }


def text(element: etree.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def timeline_entries(site: Site) -> list[dict]:
    """Every timeline entry: id, date, shown date, links, and whether it follows the article."""
    entries = []
    after = False
    for element in tree(site, "timeline.md").iter():
        if element.tag == "h2" and element.get("id") == "after-the-article":
            after = True
        if element.tag != "div" or "tl-entry" not in classes(element):
            continue
        heading = next(element.iter("h3"))
        time = next(element.iter("time"))
        entries.append(
            {
                "id": heading.get("id"),
                "date": time.get("datetime"),
                "shown": text(time),
                "links": [a.get("href", "") for a in element.iter("a")],
                "after": after,
            }
        )
    return entries


def parse_date(value: str) -> date:
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


# ---- every page ------------------------------------------------------------------------------


def test_every_page_has_a_description_and_one_h1(site):
    for uri in pages(site):
        description = str(site.scans[uri].meta.get("description", ""))
        assert 40 <= len(description) <= 200, f"{uri}: description of {len(description)} characters"
        assert len(list(tree(site, uri).iter("h1"))) == 1, uri


def test_no_author_is_named():
    for path in DOCS.rglob("*.md"):
        assert "Barry" not in path.read_text(encoding="utf-8"), path


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


def test_principle_pages_have_every_section(site):
    for uri in principles(site):
        missing = [s for s in SECTION_IDS if s not in site.scans[uri].headings]
        assert missing == [], uri


def test_principle_pages_have_a_thousand_words_of_prose(site):
    for uri in principles(site):
        root = tree(site, uri)
        for parent in list(root.iter()):  # footnotes are citations, not prose
            for child in list(parent):
                if "footnote" in classes(child):
                    parent.remove(child)
        words = sum(len(re.findall(r"[A-Za-z][A-Za-z'\u2019-]*", text(p))) for p in root.iter("p"))
        assert words >= 1000, f"{uri}: {words} words"


def test_principle_pages_keep_eight_to_twelve_annotations(site):
    for uri in principles(site):
        count = 0
        for parent in tree(site, uri).iter():
            children = list(parent)
            for block, after in pairwise(children):
                if "annotate" in classes(block) and after.tag == "ol":
                    count += len([li for li in after if li.tag == "li"])
        assert 8 <= count <= 12, f"{uri}: {count} annotations"


def test_principle_pages_cite_five_sources_and_three_timeline_entries(site):
    for uri in principles(site):
        cited = {c.label for c in site.scans[uri].citations} | fragments_to(site, uri, "sources.md")
        assert len(cited) >= 5, uri
        assert len(fragments_to(site, uri, "timeline.md")) >= 3, uri


def test_principle_pages_have_three_questions_for_the_seminar(site):
    for uri in principles(site):
        source = (DOCS / uri).read_text(encoding="utf-8")
        start = source.index("<!-- --8<-- [start:questions] -->")
        block = source[start : source.index("<!-- --8<-- [end:questions] -->")]
        html = tinyhtml5.parse(markdown.markdown(block), namespace_html_elements=False)
        assert len(list(html.iter("li"))) >= 3, uri
        assert not list(html.iter("a")), f"{uri}: questions are reused elsewhere: no links"


def test_seminar_guide_includes_every_principles_questions(site):
    seminar = (DOCS / "seminar.md").read_text(encoding="utf-8")
    for uri in principles(site):
        assert f'--8<-- "{uri}:questions"' in seminar


def test_each_review_finding_is_said_once(site):
    """The five planks, the Singapore points, the 2005 commitment and the COI findings."""
    homes = {
        "five-planks": "principles/leader-first.md",
        "singapore": "principles/leader-first.md",
        "joint-statement-2005": "principles/nuclear-first.md",
        "coi-findings": "principles/both-koreas.md",
    }
    for anchor, home in homes.items():
        assert anchor in site.scans[home].headings, (home, anchor)
        linked_from = {e.source for e in site.edges if e.target == home and e.fragment == anchor}
        assert linked_from - {home}, f"nothing links to {home}#{anchor}"


# ---- timeline --------------------------------------------------------------------------------


def test_timeline_entries_are_well_formed(site):
    entries = timeline_entries(site)
    assert len(entries) >= 60
    for entry in entries:
        assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", entry["date"]), entry["id"]
        assert entry["date"] == entry["shown"], entry["id"]
        assert entry["id"].startswith(entry["date"][:7]), entry["id"]
        assert any("principles/" in href for href in entry["links"]), entry["id"]
        assert any("sources/#" in href or "sources.md#" in href for href in entry["links"]), (
            f"{entry['id']}: no source"
        )


def test_timeline_is_in_chronological_order(site):
    dates = [parse_date(entry["date"]) for entry in timeline_entries(site)]
    assert dates == sorted(dates)


def test_timeline_spans_the_armistice_to_the_summits(site):
    ids = [entry["id"] for entry in timeline_entries(site)]
    assert ids[0].startswith("1953-07")
    assert any(i.startswith("2016-05") for i in ids)
    assert any(i.startswith("2019-") for i in ids)


def test_events_after_the_article_are_set_apart(site):
    for entry in timeline_entries(site):
        assert entry["after"] == (parse_date(entry["date"]) > date(2016, 5, 31)), entry["id"]


def test_every_timeline_entry_up_to_2016_is_discussed(site):
    linked = set()
    for uri in pages(site):
        if uri != "timeline.md":
            linked |= fragments_to(site, uri, "timeline.md")
    before = [e["id"] for e in timeline_entries(site) if not e["after"]]
    assert [i for i in before if i not in linked] == []


def test_every_contact_entry_carries_its_level_and_outcome(site):
    levels = {"leader", "envoy", "senior", "working", "track2"}
    outcomes = {"agreement", "progress", "release", "none"}
    contacts = [p for p in tree(site, "timeline.md").iter("p") if "tl-contact" in classes(p)]
    assert len(contacts) >= 20
    for paragraph in contacts:
        assert paragraph.get("data-level") in levels, text(paragraph)
        assert paragraph.get("data-outcome") in outcomes, text(paragraph)


# ---- sources, glossary, fact-check -------------------------------------------------------------


def test_no_source_uses_a_replaced_mirror(site):
    for record in site.bibliography.records:
        host = urlsplit(record.url).netloc
        assert not any(host.endswith(domain) for domain in MIRROR_DOMAINS), record.key


def test_every_source_is_complete_and_cited(site):
    assert [p for p in site.problems if p.path.endswith("bibliography.yaml")] == []
    assert bibliography.problems(site.bibliography, []) != [], "the check must see uncited records"


def test_glossary_has_the_terms_a_reader_meets(site):
    headings = site.scans["glossary.md"].headings
    assert [term for term in GLOSSARY_TERMS if term not in headings] == []


def test_every_abbreviation_in_the_glossary_has_a_tooltip(site):
    abbreviations = (DOCS / "includes" / "abbreviations.md").read_text(encoding="utf-8")
    terms = [
        t for t in site.scans["glossary.md"].headings.values() if re.fullmatch(r"[A-Z]{2,6}", t)
    ]
    assert terms
    for abbreviation in terms:
        assert f"*[{abbreviation}]:" in abbreviations, abbreviation


def test_every_fact_check_row_has_a_verdict_and_links_to_its_discussion(site):
    rows = 0
    for table in tree(site, "factcheck.md").iter("table"):
        header = [text(th).lower() for th in table.iter("th")]
        if "verdict" not in header:
            continue
        verdict_at, discussed_at = header.index("verdict"), header.index("discussed in")
        for row in table.iter("tr"):
            cells = [c for c in row if c.tag == "td"]
            if not cells:
                continue
            rows += 1
            assert text(cells[verdict_at]).lower() in VERDICTS, text(cells[0])
            links = [a.get("href", "") for a in cells[discussed_at].iter("a")]
            assert any(not href.startswith("http") for href in links), text(cells[0])
    assert rows >= 20
    # The links themselves are checked, like every link, by the cross-link checker.
    assert [p for p in site.problems if "factcheck.md" in p.path] == []


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


def test_the_bibliography_downloads_are_offered(site):
    hrefs = {a.get("href") for a in tree(site, "sources.md").iter("a")}
    assert {"../bibliography.bib", "../bibliography.json"} <= hrefs or {
        "bibliography.bib",
        "bibliography.json",
    } <= hrefs
