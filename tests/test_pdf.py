"""The seminar PDF (scripts/pdf.py): what the real one holds, and how pages are rewritten for it."""

from __future__ import annotations

import bisect
import io
import re
import shutil
import unicodedata
import xml.etree.ElementTree as etree
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A Material annotation marker left as text: "(1)" ... "(99)".
BARE_MARKER = re.compile(r"\(\d{1,2}\)")
# How many extra words may sit between two words of a note in the PDF: a page reference
# "(p. 12)", a printed address, or a source cited inside an annotation, printed in brackets.
GAP = 45


# ---- helpers -----------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """The words of a text, lowercased, without digits or punctuation (for order-only matching)."""
    return re.findall(r"[^\W\d_]+", unicodedata.normalize("NFKC", text).lower())


def contains_in_order(haystack: list[str], needle: list[str], gap: int = GAP) -> bool:
    """Whether `needle` occurs in `haystack` in order, with at most `gap` other words between."""
    if not needle:
        return True
    positions: dict[str, list[int]] = {}
    for index, word in enumerate(haystack):
        positions.setdefault(word, []).append(index)
    for start in positions.get(needle[0], []):
        at = start
        for word in needle[1:]:
            found = positions.get(word, [])
            i = bisect.bisect_right(found, at)
            if i == len(found) or found[i] - at > gap + 1:
                break
            at = found[i]
        else:
            return True
    return False


def item_text(item: etree.Element) -> str:
    """The text of a list item, without a footnote's back-reference arrow."""
    return "".join(item.itertext()).replace("\u21a9", "")


def notes_of(article: etree.Element) -> list[str]:
    """The text of every annotation and every footnote of a rendered page."""
    found = []
    for parent in article.iter():
        children = list(parent)
        for index, child in enumerate(children[:-1]):
            following = children[index + 1]
            if "annotate" in (child.get("class") or "").split() and following.tag == "ol":
                found.extend(item_text(li) for li in following.findall("li"))
    for block in article.iter("div"):
        if "footnote" in (block.get("class") or "").split():
            found.extend(item_text(li) for li in block.iter("li"))
    return found


@pytest.fixture(scope="module")
def chapters(built_site: Path):
    """The real site's chapters, in nav order, each with its rendered (unmodified) article."""
    from commentary import linkcheck, pdf

    return pdf.load_chapters(linkcheck.load_config(ROOT / "mkdocs.yml"), built_site)


@pytest.fixture(scope="module")
def reader(built_site: Path):
    import pypdf

    return pypdf.PdfReader(built_site / "commentary.pdf")


@pytest.fixture(scope="module")
def page_texts(reader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def toc_numbers(page_texts: list[str], chapters) -> dict[str, int]:
    """The page number that the table of contents prints for each chapter (by nav title)."""
    numbers = {}
    contents = "\n".join(text for text in page_texts[1:4] if text.lstrip().startswith("Contents"))
    for chapter in chapters:
        line = re.search(re.escape(chapter.title) + r"[ .]*?(\d+)\s*$", contents, re.MULTILINE)
        assert line, f"no line for {chapter.title!r} in the table of contents"
        numbers[chapter.title] = int(line.group(1))
    return numbers


def heading(chapter) -> str:
    return " ".join(words("".join(chapter.body.find(".//h1").itertext()).replace("\u00b6", "")))


# ---- the real PDF ------------------------------------------------------------------------------


@pytest.mark.slow
def test_pdf_is_written_into_the_site_and_opens(built_site: Path, reader) -> None:
    assert (built_site / "commentary.pdf").stat().st_size > 10_000
    assert len(reader.pages) > 10


@pytest.mark.slow
def test_chapter_titles_appear_in_nav_order(chapters, page_texts: list[str]) -> None:
    body = " ".join(" ".join(words(text)) for text in page_texts[2:])
    at = 0
    for chapter in chapters:
        found = body.find(heading(chapter), at)
        assert found >= 0, f"chapter {chapter.title!r} missing or out of nav order"
        at = found


@pytest.mark.slow
def test_every_annotation_and_footnote_text_is_in_the_pdf(chapters, page_texts) -> None:
    pdf_words = words(" ".join(page_texts))
    missing = [
        f"{chapter.src_uri}: {note[:70]!r}"
        for chapter in chapters
        for note in notes_of(chapter.body)
        if not contains_in_order(pdf_words, words(note))
    ]
    assert not missing, "notes not found in the PDF:\n" + "\n".join(missing)


@pytest.mark.slow
def test_no_annotation_marker_prints_as_bare_number(page_texts: list[str]) -> None:
    bare = [(number, m.group()) for number, text in enumerate(page_texts, 1)
            for m in BARE_MARKER.finditer(text)]
    assert not bare


@pytest.mark.slow
def test_contents_page_number_is_the_page_each_chapter_starts_on(
    chapters, page_texts, toc_numbers
) -> None:
    for chapter in chapters:
        number = toc_numbers[chapter.title]
        title = heading(chapter)
        # The page opens with the chapter's heading (under its part's label, if it has one).
        opening = words(page_texts[number - 1])[: len(words(chapter.part)) + len(title.split())]
        assert title in " ".join(opening), f"{chapter.title!r} does not start on p. {number}"


@pytest.mark.slow
def test_cross_references_print_the_page_of_their_target(built_site, page_texts) -> None:
    import tinyhtml5
    from commentary import linkcheck, pdf

    document = pdf.build_document(linkcheck.load_config(ROOT / "mkdocs.yml"), built_site)
    tree = tinyhtml5.parse(document, namespace_html_elements=False)
    by_id = {element.get("id"): element for element in tree.iter() if element.get("id")}
    links = [link for link in tree.iter("a") if "xref" in (link.get("class") or "").split()]
    labels = [" ".join("".join(link.itertext()).split()) for link in links]
    flat = " ".join(" ".join(text.split()) for text in page_texts)
    checked = 0
    for link, label in zip(links, labels, strict=True):
        if labels.count(label) > 1 or len(label.split()) < 2:
            continue  # only labels that name one place in the whole PDF
        printed = re.search(re.escape(label) + r" ?\(p\. ?(\d+)\)", flat)
        if printed is None:
            continue  # split by a page break or a footnote
        target = by_id[link.get("href")[1:]]
        lead = " ".join(words("".join(target.itertext()))[:6])
        page = int(printed.group(1))
        assert lead in " ".join(words(page_texts[page - 1])), f"{label!r} (p. {page}) -> {lead!r}"
        checked += 1
    assert checked >= 20, "too few cross-references could be checked"


@pytest.mark.slow
def test_pages_are_numbered_n_of_total(page_texts: list[str]) -> None:
    total = len(page_texts)
    for number, text in enumerate(page_texts[2:], start=3):
        assert f"{number} of {total}" in text


@pytest.mark.slow
def test_metadata_gives_title_subject_and_language(reader) -> None:
    from commentary import linkcheck

    config = linkcheck.load_config(ROOT / "mkdocs.yml")
    assert reader.metadata.title == config["site_name"]
    assert reader.metadata.subject == " ".join(config["site_description"].split())
    assert reader.trailer["/Root"]["/Lang"] == "en"


@pytest.mark.slow
def test_outline_lists_chapters_in_nav_order_at_their_contents_page(
    reader, chapters, toc_numbers
) -> None:
    flat: list[tuple[str, int]] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                flat.append((item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    titles = [title for title, _ in flat]
    indexes = [titles.index(chapter.title) for chapter in chapters]
    assert indexes == sorted(indexes)
    for chapter, index in zip(chapters, indexes, strict=True):
        assert flat[index][1] == toc_numbers[chapter.title]


@pytest.mark.slow
def test_outline_has_each_chapters_sections(reader, chapters) -> None:
    titles = set()

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.add(" ".join(item.title.split()))

    walk(reader.outline)
    for chapter in chapters:
        for h2 in chapter.body.iter("h2"):
            text = " ".join("".join(h2.itertext()).replace("\u00b6", "").split())
            assert text in titles, f"section {text!r} of {chapter.title!r} not in the outline"


@pytest.mark.slow
def test_every_character_is_in_an_embedded_font(reader, chapters) -> None:
    from fontTools.ttLib import TTFont

    covered: set[str] = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font \
                else font
            program = described["/FontDescriptor"]["/FontFile2"].get_object().get_data()
            covered.update(map(chr, TTFont(io.BytesIO(program)).getBestCmap()))
    used = {
        char
        for chapter in chapters
        for char in "".join(chapter.body.itertext())
        if not char.isspace() and char not in "\u00b6\u21a9"
    }
    assert not sorted(used - covered), "characters without a glyph in the PDF's fonts"


@pytest.mark.slow
def test_letter_paper_gives_us_letter_pages(built_site: Path, tmp_path: Path) -> None:
    import pypdf
    from commentary import linkcheck, pdf

    copy = tmp_path / "site"
    shutil.copytree(built_site, copy)
    target = pdf.make_pdf(linkcheck.load_config(ROOT / "mkdocs.yml"), copy, paper="letter")
    box = pypdf.PdfReader(target).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


# ---- the rewriting, on a tiny site -------------------------------------------------------------

TINY_CONFIG = """site_name: Tiny
site_url: https://example.org/tiny/
theme:
  name: material
markdown_extensions:
  - attr_list
  - footnotes
  - md_in_html
  - toc:
      permalink: true
nav:
  - Home: index.md
  - Part:
      - "Other page": other.md
"""
TINY_INDEX = """# Home

Claim one (1) and claim two (2).
{ .annotate }

1.  First note, cited.[^a]
2.  Second note.

See [the entry](other.md#entry) and [a site](https://example.com/x).[^a]

<a class="md-button" href="commentary.pdf">Download the PDF</a>

Last claim (1).
{ .annotate }

1.  Marked note.
2.  Note without a marker.

[^a]: Source A; [full reference](other.md#entry).
"""
TINY_OTHER = """# Other page

## Entry { #entry }

Text of the entry.
"""


@pytest.fixture(scope="module")
def tiny_document(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The PDF's HTML document (before layout) for a two-page site, built once for this module."""
    from commentary import engines, pdf
    from commentary.site import Site

    root = tmp_path_factory.mktemp("tiny")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text(TINY_INDEX, encoding="utf-8")
    (root / "docs" / "other.md").write_text(TINY_OTHER, encoding="utf-8")
    config_file = root / "mkdocs.yml"
    config_file.write_text(TINY_CONFIG, encoding="utf-8")
    site = root / "site"
    model = Site.load(config_file)
    engines.build_mkdocs(model.config, site)
    return pdf.build_document(model.config, site)


@pytest.fixture(scope="module")
def tiny_tree(tiny_document: str) -> etree.Element:
    import tinyhtml5

    return tinyhtml5.parse(tiny_document, namespace_html_elements=False)


def text(element: etree.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def notes(tree: etree.Element) -> list[etree.Element]:
    return [element for element in tree.iter() if "fn" in (element.get("class") or "").split()]


def test_annotation_markers_become_footnotes_at_the_marker(tiny_document, tiny_tree) -> None:
    assert "(1)" not in tiny_document and "(2)" not in tiny_document
    paragraph = next(p for p in tiny_tree.iter("p") if text(p).startswith("Claim one"))
    assert paragraph.text == "Claim one"
    first, second = notes(paragraph)
    assert first.get("class") == "fn fn-annotation" and first.get("data-n") == "1"
    assert first.tail == " and claim two"
    assert text(second).startswith("Second note") and second.tail == "."


def test_source_cited_inside_an_annotation_prints_in_brackets_in_its_note(tiny_tree) -> None:
    first = notes(tiny_tree)[0]
    assert text(first) == "First note, cited. [Source A; full reference]"


def test_markdown_footnote_becomes_a_footnote_at_its_reference(tiny_tree) -> None:
    paragraph = next(p for p in tiny_tree.iter("p") if text(p).startswith("See"))
    (note,) = notes(paragraph)
    assert note.get("class") == "fn fn-cite" and note.get("data-n") == "3"
    assert text(note) == "Source A; full reference."


def test_annotation_without_a_marker_still_prints_at_the_end_of_its_block(tiny_tree) -> None:
    paragraph = next(p for p in tiny_tree.iter("p") if text(p).startswith("Last claim"))
    assert [text(note) for note in notes(paragraph)] == ["Marked note.", "Note without a marker."]
    assert notes(paragraph)[-1] is paragraph[-1]


def test_external_link_prints_its_address(tiny_tree) -> None:
    paragraph = next(p for p in tiny_tree.iter("p") if text(p).startswith("See"))
    address = next(e for e in paragraph.iter("span") if e.get("class") == "url")
    assert text(address) == "<https://example.com/x>"


def test_cross_link_becomes_page_reference_to_namespaced_id(tiny_tree) -> None:
    link = next(a for a in tiny_tree.iter("a") if text(a) == "the entry")
    assert link.get("href") == "#other--entry" and link.get("class") == "xref"
    assert any(e.get("id") == "other--entry" for e in tiny_tree.iter("h2"))


def test_buttons_permalinks_and_backrefs_are_dropped(tiny_document: str) -> None:
    assert "Download the PDF" not in tiny_document
    assert "headerlink" not in tiny_document and "footnote-backref" not in tiny_document


def test_contents_lists_parts_chapters_and_sections(tiny_document: str) -> None:
    contents = tiny_document[tiny_document.index('<nav class="toc"'):]
    contents = contents[:contents.index("</nav>")]
    targets = re.findall(r'<a href="#([^"]+)">', contents)
    assert targets == ["index", "other", "other", "other--entry"]


def test_cover_cites_the_article_without_an_author(tiny_document: str) -> None:
    cover = tiny_document[tiny_document.index('<section class="cover"'):]
    cover = cover[:cover.index("</section>")]
    assert "On Trump \u2013 or any sitting president \u2013 meeting Kim Jong Un" in cover
    assert "Blog post, May 2016. Author not named." in cover


def test_unknown_paper_size_is_refused(tmp_path: Path) -> None:
    from commentary import pdf

    with pytest.raises(ValueError, match="paper"):
        pdf.make_pdf({}, tmp_path, paper="a5")
