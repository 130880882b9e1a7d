"""The seminar PDF (scripts/commentary/pdf.py): what the real one holds, how it is tagged, and how
pages are rewritten for it."""

from __future__ import annotations

import bisect
import io
import re
import shutil
import sys
import unicodedata
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A Material annotation marker left as text: "(1)" ... "(99)".
BARE_MARKER = re.compile(r"\(\d{1,2}\)")
# How many extra words may sit between two words of a note in the PDF: a page reference
# "(p. 12)", a printed address, or a source cited inside an annotation, printed in brackets.
GAP = 45
# A page reference as printed after its link.
PAGE_REFERENCE = re.compile(r" ?\(p\.\s?\d+\)")
# The page number printed at the foot of every page but the cover.
FOLIO = re.compile(r"^\d+ of \d+$")
HEADINGS = ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6")


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
def outline(reader) -> list[tuple[str, int]]:
    """The PDF's bookmarks, flattened in order: (title, page number from 1)."""
    flat: list[tuple[str, int]] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                flat.append((item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    return flat


@pytest.fixture(scope="module")
def front_matter(outline, chapters) -> tuple[range, int]:
    """The pages of the contents, and the page the first chapter starts on (from the outline)."""
    pages = dict(outline)
    first_chapter = pages[chapters[0].title]
    return range(pages["Contents"], first_chapter), first_chapter


@pytest.fixture(scope="module")
def toc_numbers(page_texts: list[str], chapters, front_matter) -> dict[str, int]:
    """The page number that the table of contents prints for each chapter (by nav title)."""
    numbers = {}
    contents = "\n".join(page_texts[number - 1] for number in front_matter[0])
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
def test_chapter_titles_appear_in_nav_order(chapters, page_texts, front_matter) -> None:
    body = " ".join(" ".join(words(text)) for text in page_texts[front_matter[1] - 1:])
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
    unique = [
        (link, label) for link, label in zip(links, labels, strict=True)
        if labels.count(label) == 1 and len(label.split()) >= 2  # names one place in the PDF
        # and is not the end of another label, whose "(p. N)" would match it in the text
        and not any(other != label and other.endswith(label) for other in labels)
    ]
    checked = 0
    for link, label in unique:
        printed = re.search(re.escape(label) + r" ?\(p\. ?(\d+)\)", flat)
        if printed is None:
            continue  # split by a page break or a footnote
        target = by_id[link.get("href")[1:]]
        lead = " ".join(words("".join(target.itertext()))[:6])
        page = int(printed.group(1))
        assert lead in " ".join(words(page_texts[page - 1])), f"{label!r} (p. {page}) -> {lead!r}"
        checked += 1
    assert checked >= len(unique) / 2, f"only {checked} of {len(unique)} references checked"


@pytest.mark.slow
def test_pages_after_the_cover_are_numbered_n_of_total(page_texts, outline) -> None:
    total = len(page_texts)
    after_cover = dict(outline)["Contents"]
    for number in range(after_cover, total + 1):
        assert f"{number} of {total}" in page_texts[number - 1]


@pytest.mark.slow
def test_metadata_gives_title_subject_and_language(reader) -> None:
    from commentary import linkcheck

    config = linkcheck.load_config(ROOT / "mkdocs.yml")
    assert reader.metadata.title == config["site_name"]
    assert reader.metadata.subject == " ".join(config["site_description"].split())
    assert reader.trailer["/Root"]["/Lang"] == "en"


@pytest.mark.slow
def test_outline_lists_chapters_in_nav_order_at_their_contents_page(
    outline, chapters, toc_numbers
) -> None:
    titles = [title for title, _ in outline]
    indexes = [titles.index(chapter.title) for chapter in chapters]
    assert indexes == sorted(indexes)
    for chapter, index in zip(chapters, indexes, strict=True):
        assert outline[index][1] == toc_numbers[chapter.title]


@pytest.mark.slow
def test_outline_has_each_chapters_sections(outline, chapters) -> None:
    titles = {" ".join(title.split()) for title, _ in outline}
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


# ---- the tagged PDF (PDF/UA-1) ------------------------------------------------------------------


@dataclass
class Tagged:
    """A structure element of a tagged PDF, with the text it marks."""

    role: str  # "/H1", "/P", "/Note", ...
    text: str  # the text of the element and everything under it, in reading order
    element: object  # the pypdf dictionary
    parent: object | None
    depth: int


@dataclass
class TaggedPdf:
    """What a reader following the tags gets: the elements, and the text left out as artifacts."""

    elements: list[Tagged]  # in reading order (each element before its kids)
    artifacts: dict[int, list[str]]  # page number (from 1) -> artifact text on it
    untagged: dict[int, list[str]]  # page number -> text marked neither way


def read_tags(reader) -> TaggedPdf:
    """The structure tree of a PDF with the text of each element (read with pypdf)."""
    from pypdf.generic import ArrayObject, DictionaryObject

    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages, 1)}
    marked: dict[tuple[int, int], str] = {}
    artifacts: dict[int, list[str]] = {}
    untagged: dict[int, list[str]] = {}
    for number, page in enumerate(reader.pages, 1):
        stack: list[int | None] = []

        def before(operator, operands, *_, stack=stack) -> None:
            if operator == b"BDC":
                properties = operands[1]
                is_mcid = isinstance(properties, DictionaryObject) and "/MCID" in properties
                stack.append(int(properties["/MCID"]) if is_mcid else None)
            elif operator == b"BMC":
                stack.append(None)
            elif operator == b"EMC":
                stack.pop()

        def text(value, *_, stack=stack, number=number) -> None:
            if not value:
                return
            if stack and stack[-1] is not None:
                key = (number, stack[-1])
                marked[key] = marked.get(key, "") + value
            elif stack:
                artifacts.setdefault(number, []).append(value)
            elif value.strip():
                untagged.setdefault(number, []).append(value)

        page.extract_text(visitor_operand_before=before, visitor_text=text)

    elements: list[Tagged] = []

    def walk(node, parent, page: int, depth: int) -> str:
        if "/Pg" in node:
            page = pages[node.raw_get("/Pg").idnum]
        record = Tagged(str(node.get("/S")), "", node, parent, depth)
        elements.append(record)
        kids = node.get("/K")
        kids = kids if isinstance(kids, ArrayObject) else [] if kids is None else [kids]
        parts = []
        for kid in kids:
            if isinstance(kid, int):
                parts.append(marked.get((page, int(kid)), ""))
                continue
            kid = kid.get_object()
            if kid.get("/Type") == "/MCR":
                parts.append(marked.get((pages[kid.raw_get("/Pg").idnum], int(kid["/MCID"])), ""))
            elif kid.get("/Type") != "/OBJR":
                parts.append(walk(kid, node, page, depth + 1))
        record.text = " ".join("".join(parts).split())
        return "".join(parts)

    root = reader.trailer["/Root"]["/StructTreeRoot"]
    for kid in root["/K"] if isinstance(root["/K"], ArrayObject) else [root["/K"]]:
        walk(kid.get_object(), None, 1, 0)
    return TaggedPdf(elements, artifacts, untagged)


@pytest.fixture(scope="module")
def tags(reader) -> TaggedPdf:
    return read_tags(reader)


@pytest.fixture(scope="module")
def document_tree(built_site: Path) -> etree.Element:
    """The PDF's HTML document, parsed (what WeasyPrint laid out)."""
    import tinyhtml5
    from commentary import linkcheck, pdf

    document = pdf.build_document(linkcheck.load_config(ROOT / "mkdocs.yml"), built_site)
    return tinyhtml5.parse(document, namespace_html_elements=False)


def heading_words(text: str) -> str:
    """A heading's words, without the page references it prints."""
    return " ".join(words(PAGE_REFERENCE.sub("", text)))


@pytest.mark.slow
def test_footnote_areas_measured_note_by_note_match_their_full_layout(built_site: Path) -> None:
    """The layout shortcut for footnote areas held on every page (pdf_layout._NoteByNote)."""
    from commentary import linkcheck, pdf, pdf_layout

    tree = pdf.document_tree(linkcheck.load_config(ROOT / "mkdocs.yml"), built_site)
    rendered = pdf_layout.render(pdf._weasyprint(), tree, f"{built_site}/", "A4")
    assert rendered.footnotes_measured_note_by_note


@pytest.mark.slow
def test_pdf_declares_pdf_ua_1_its_language_and_title(reader) -> None:
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfuaid:part(>|=\")1", xmp), "no PDF/UA identification in the XMP"


@pytest.mark.slow
def test_pdfua_checker_finds_nothing(built_site: Path, monkeypatch) -> None:
    """pdfua's machine-checkable subset of PDF/UA-1: no error, no warning.

    pdfua 0.1.3 cannot run one rule here, UA-14-001 (headings are not empty): its `as_integer`
    calls `getattr(kids, "is_integer", False)`, which pikepdf answers with ValueError instead of
    AttributeError when a heading's /K is an array, as in every PDF WeasyPrint writes. So the
    rule is run a second time with that one helper made to treat the error as "not a number";
    test_headings_are_tagged_in_reading_order checks that every heading has text itself.
    """
    import pdfua
    from pdfua.rules import structure

    path = str(built_site / "commentary.pdf")
    report = pdfua.validate(path)
    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []
    assert [(outcome.rule_id, outcome.skipped_reason) for outcome in report.skipped] == [(
        "UA-14-001",
        "rule raised ValueError: pikepdf.Object is not a Dictionary or Stream: "
        "cannot get key '/is_integer' on object of type array",
    )]

    def as_integer(value):
        try:
            return pdfua.document.as_integer(value)
        except ValueError:
            return None

    monkeypatch.setattr(structure, "as_integer", as_integer)
    only = pdfua.default_registry().select(["UA-14-001"])
    report = pdfua.Validator(pdfua.ValidatorOptions(registry=only)).validate(path)
    assert [o.skipped_reason for o in report.outcomes] == [None]
    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []


@pytest.mark.slow
def test_headings_are_tagged_in_reading_order(tags: TaggedPdf, document_tree) -> None:
    """Cover, contents, then every chapter's headings, at their levels, each with its text."""
    expected = [
        (f"/H{heading.tag[1]}", heading_words(heading_text(heading)))
        for heading in document_tree.iter()
        if heading.tag in ("h1", "h2", "h3", "h4", "h5", "h6")
    ]
    tagged = [(e.role, heading_words(e.text)) for e in tags.elements if e.role in HEADINGS]
    assert tagged == expected
    assert all(text for _, text in tagged), "a heading without text"


def heading_text(heading: etree.Element) -> str:
    """A heading's text as it prints: without the notes it calls (they print at the foot)."""
    parts = [heading.text or ""]
    for child in heading:
        if "fn" not in (child.get("class") or "").split():
            parts.append(heading_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


@pytest.mark.slow
def test_each_footnote_and_annotation_is_one_note_after_its_call(
    tags: TaggedPdf, document_tree
) -> None:
    expected = [
        element.get("id")
        for element in document_tree.iter()
        if "fn" in (element.get("class") or "").split()
    ]
    notes = [e for e in tags.elements if e.role == "/Note"]
    assert [str(note.element["/ID"]) for note in notes] == expected
    for note in notes:
        kids = [kid.get_object() for kid in note.parent["/K"] if not isinstance(kid, int)]
        before = kids[kids.index(note.element) - 1]
        assert before["/S"] in ("/Reference", *HEADINGS), f"{note.element['/ID']} after {before}"
        label = next(e for e in tags.elements if e.parent is note.element)
        assert label.role == "/Lbl" and label.text.rstrip(".") == note.element["/ID"].split("-")[-1]
    references = [e for e in tags.elements if e.role == "/Reference"]
    assert len(references) == len(notes)


@pytest.mark.slow
def test_page_furniture_is_artifact_not_text(tags: TaggedPdf, reader) -> None:
    total = len(reader.pages)
    assert not tags.untagged, "text neither tagged nor marked as an artifact"
    assert not [e.text for e in tags.elements if FOLIO.match(e.text)]
    for number in range(2, total + 1):
        assert f"{number} of {total}" in "".join(tags.artifacts.get(number, []))


@pytest.mark.slow
def test_every_link_is_one_described_annotation_inside_a_link_element(reader, tags) -> None:
    holders = {}
    for element in tags.elements:
        for kid in element.element.get("/K", []) if element.role == "/Link" else []:
            if not isinstance(kid, int) and kid.get_object().get("/Type") == "/OBJR":
                holders[kid.get_object().raw_get("/Obj").idnum] = element
    annotations = [
        annotation for page in reader.pages for annotation in page.get("/Annots", [])
        if annotation.get_object()["/Subtype"] == "/Link"
    ]
    assert annotations
    for annotation in annotations:
        described = str(annotation.get_object().get("/Contents", ""))
        assert described.strip(), "a link annotation without a description"
        assert annotation.idnum in holders, f"annotation {described!r} is not in a /Link"
    links = [e for e in tags.elements if e.role == "/Link"]
    assert all(PAGE_REFERENCE.sub("", e.text).strip() for e in links), "a link without text"


@pytest.mark.slow
def test_lists_and_tables_are_tagged_as_such(tags: TaggedPdf, document_tree) -> None:
    for element in tags.elements:
        if element.role == "/LI":
            assert element.parent["/S"] == "/L"
        if element.role == "/TH":
            attributes = element.element["/A"]
            assert attributes["/Scope"] in ("/Column", "/Row"), element.text
    tables = [e for e in tags.elements if e.role == "/Table"]
    assert len(tables) == len(list(document_tree.iter("table")))


# ---- the rewriting, on a tiny site -------------------------------------------------------------

TINY_CONFIG = """site_name: Tiny
site_url: https://example.org/tiny/
theme:
  name: material
markdown_extensions:
  - attr_list
  - footnotes
  - md_in_html
  - tables
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

| Year | Event |
| ---- | ----- |
| 1994 | Framework |

<figure markdown>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40" width="100" height="40">
<title>Contacts by year</title>
<desc>One contact in 1994.</desc>
<rect x="10" y="10" width="20" height="20" fill="#3949ab"/>
</svg>
<figcaption>A chart.</figcaption>
</figure>

[^a]: Source A; [full reference](other.md#entry).
"""
TINY_OTHER = """# Other page

## Entry { #entry }

Text of the entry.
"""


def build_tiny_site(root: Path, pages: dict[str, str]) -> tuple[object, Path]:
    """A tiny site rendered by MkDocs under `root`: (its config, its site folder)."""
    from commentary import engines
    from commentary.site import Site

    (root / "docs").mkdir()
    for name, text in pages.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    config_file = root / "mkdocs.yml"
    config_file.write_text(TINY_CONFIG, encoding="utf-8")
    model = Site.load(config_file)
    engines.build_mkdocs(model.config, root / "site")
    return model.config, root / "site"


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    """A two-page site, rendered once for this module: (its config, its site folder)."""
    root = tmp_path_factory.mktemp("tiny")
    return build_tiny_site(root, {"index.md": TINY_INDEX, "other.md": TINY_OTHER})


@pytest.fixture(scope="module")
def tiny_document(tiny_site) -> str:
    """The PDF's HTML document (before layout) for the two-page site."""
    from commentary import pdf

    return pdf.build_document(*tiny_site)


@pytest.fixture(scope="module")
def tiny_tree(tiny_document: str) -> etree.Element:
    import tinyhtml5

    return tinyhtml5.parse(tiny_document, namespace_html_elements=False)


@pytest.fixture(scope="module")
def tiny_pdf(tiny_site, tmp_path_factory: pytest.TempPathFactory):
    """The two-page site's PDF, read with pypdf."""
    import pypdf
    from commentary import pdf

    config, site = tiny_site
    copy = tmp_path_factory.mktemp("tiny-pdf") / "site"
    shutil.copytree(site, copy)
    return pypdf.PdfReader(pdf.make_pdf(config, copy))


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


def test_notes_are_numbered_and_named_per_chapter(tiny_tree) -> None:
    assert [(note.get("data-n"), note.get("id")) for note in notes(tiny_tree)] == [
        ("1", "index--note-1"), ("2", "index--note-2"), ("3", "index--note-3"),
        ("4", "index--note-4"), ("5", "index--note-5"),
    ]


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


def test_header_cells_say_what_they_head(tiny_tree) -> None:
    assert [(th.get("scope"), text(th)) for th in tiny_tree.iter("th")] == [
        ("col", "Year"), ("col", "Event"),
    ]


def test_inline_svg_is_written_with_plain_names(tiny_document: str, tiny_tree) -> None:
    assert "<svg" in tiny_document and "ns0:" not in tiny_document
    svg = next(tiny_tree.iter("{http://www.w3.org/2000/svg}svg"))
    assert svg.get("viewBox") == "0 0 100 40"
    assert svg.find("{http://www.w3.org/2000/svg}title").text == "Contacts by year"


def test_page_reference_prints_the_page_of_its_target(tiny_pdf) -> None:
    texts = [" ".join(page.extract_text().split()) for page in tiny_pdf.pages]
    entry_page = next(n for n, t in enumerate(texts, 1) if "Text of the entry" in t)
    assert f"See the entry (p. {entry_page})" in " ".join(texts)


def test_inline_svg_is_a_figure_described_by_its_title_and_description(tiny_pdf) -> None:
    figures = [e for e in read_tags(tiny_pdf).elements if e.role == "/Figure"]
    assert [str(figure.element["/Alt"]) for figure in figures] == [
        "Contacts by year. One contact in 1994"
    ]


def test_footnote_area_measured_note_by_note_matches_its_full_layout(tiny_site) -> None:
    from commentary import pdf, pdf_layout

    config, site = tiny_site
    tree = pdf.document_tree(config, site)
    rendered = pdf_layout.render(pdf._weasyprint(), tree, f"{site}/", "A4")
    assert rendered.footnotes_measured_note_by_note


def test_footnote_area_measured_wrong_is_laid_out_again_in_full(tiny_site, monkeypatch) -> None:
    from commentary import pdf, pdf_layout

    config, site = tiny_site
    tree = pdf.document_tree(config, site)
    monkeypatch.setattr(pdf_layout, "_collapse", lambda above, below: above + below + 5)
    rendered = pdf_layout.render(pdf._weasyprint(), tree, f"{site}/", "A4")
    assert not rendered.footnotes_measured_note_by_note
    monkeypatch.undo()
    again = pdf_layout.render(pdf._weasyprint(), pdf.document_tree(config, site), f"{site}/", "A4")
    assert [page.anchors for page in rendered.pages] == [page.anchors for page in again.pages]


def test_link_to_an_id_the_pdf_lacks_is_an_error_naming_its_page(tmp_path: Path) -> None:
    from commentary import pdf

    pages = {"index.md": "# Home\n\nSee [gone](other.md#nowhere).\n", "other.md": TINY_OTHER}
    config, site = build_tiny_site(tmp_path, pages)
    with pytest.raises(pdf.PdfError) as raised:
        pdf.build_document(config, site)
    index = Path(config["docs_dir"]) / "index.md"
    assert str(raised.value) == (
        f"{pdf._shown(index)}: error: the PDF has no '#other--nowhere' for the link 'gone'"
    )


def test_unknown_paper_size_is_refused(tmp_path: Path) -> None:
    from commentary import pdf

    with pytest.raises(pdf.PdfError) as raised:
        pdf.make_pdf({}, tmp_path, paper="a5")
    assert str(raised.value) == "unknown paper size 'a5'; use one of a4, letter"


def test_missing_pango_is_one_clear_error(tmp_path: Path, monkeypatch) -> None:
    """WeasyPrint loads Pango with cffi's dlopen when imported; without it, OSError."""
    from commentary import pdf

    class NoPango:
        def find_spec(self, name, path=None, target=None):
            if name == "weasyprint":
                raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: "
                              "cannot open shared object file: No such file or directory")

    for name in [name for name in sys.modules if name.split(".")[0] == "weasyprint"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [NoPango(), *sys.meta_path])
    with pytest.raises(pdf.PdfUnavailable) as raised:
        pdf.make_pdf({}, tmp_path)
    assert str(raised.value) == (
        "WeasyPrint cannot load Pango (cannot load library 'libpango-1.0-0': libpango-1.0-0: "
        "cannot open shared object file: No such file or directory); install Pango 1.44 or "
        "later (Debian: libpango-1.0-0 libpangoft2-1.0-0)"
    )
    assert isinstance(raised.value, pdf.PdfError)


# ---- two processes (commentary.pdf_parallel) -----------------------------------------------------


def written(tiny_site, folder: Path) -> Path:
    """The two-page site's PDF, made in a copy of its site folder."""
    from commentary import pdf

    config, site = tiny_site
    shutil.copytree(site, folder)
    return pdf.make_pdf(config, folder)


def what_it_says(path: Path) -> dict:
    """What a PDF shows and tells a reader: text, outline, links, destinations, tags, artifacts."""
    import pypdf

    reader = pypdf.PdfReader(path)
    outline: list = []

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                outline.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    links = [
        (number, str(annotation.get("/Contents")), str(annotation.get("/Dest")))
        for number, page in enumerate(reader.pages)
        for annotation in (reference.get_object() for reference in page.get("/Annots") or [])
    ]
    destinations = {
        name: reader.get_destination_page_number(where)
        for name, where in reader.named_destinations.items()
    }
    tags = read_tags(reader)
    return {
        "text": [page.extract_text() for page in reader.pages],
        "outline": outline,
        "links": links,
        "destinations": destinations,
        "elements": [(element.role, element.text, element.depth) for element in tags.elements],
        "artifacts": tags.artifacts,
        "untagged": tags.untagged,
    }


def run_alone(request) -> bool:
    """Run this test again in a fresh interpreter if other threads run in this one; True if so.

    The PDF forks its second process only where no other thread runs (a fork copies none but
    the caller's), and earlier tests leave servers and browsers running in this process.
    """
    import subprocess
    import threading

    if threading.active_count() == 1:
        return False
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return True


def test_two_processes_write_the_pdf_one_process_writes(
    request, tiny_site, tmp_path, monkeypatch
) -> None:
    """The document split in two halves, laid out apart and joined, reads the same as one."""
    import pdfua
    from commentary import pdf_parallel

    if run_alone(request):
        return

    monkeypatch.setattr(pdf_parallel, "_can_fork", lambda: False)
    one = written(tiny_site, tmp_path / "one")
    monkeypatch.undo()
    monkeypatch.setattr(pdf_parallel, "MIN_TEXT_TO_SPLIT", 0)

    def whole(*args) -> None:
        raise AssertionError("written by one process")

    monkeypatch.setattr(pdf_parallel, "write_whole", whole)
    two = written(tiny_site, tmp_path / "two")
    said = what_it_says(two)
    assert said == what_it_says(one)
    assert any(PAGE_REFERENCE.search(text) for text in said["text"])  # "See the entry (p. 4)"
    assert [f"{f.rule_id}: {f.message}" for f in pdfua.validate(str(two)).findings] == []


def test_a_failing_second_process_leaves_the_pdf_to_this_one(
    request, tiny_site, tmp_path, monkeypatch, capsys
) -> None:
    import pypdf
    from commentary import pdf_parallel

    if run_alone(request):
        return

    monkeypatch.setattr(pdf_parallel, "MIN_TEXT_TO_SPLIT", 0)

    def fail(*args):
        raise RuntimeError("lost")

    monkeypatch.setattr(pdf_parallel, "_export", fail)  # runs in the forked process
    whole = pdf_parallel.write_whole
    calls = []
    monkeypatch.setattr(pdf_parallel, "write_whole", lambda *a: calls.append(1) or whole(*a))
    path = written(tiny_site, tmp_path / "site")
    assert calls == [1]
    assert len(pypdf.PdfReader(path).pages) > 2
    said = capsys.readouterr().err
    assert "the second process failed" in said and "lost" in said  # a slower build says why


def test_streams_are_compressed_at_level_6() -> None:
    import random
    import zlib

    import pydyf
    from commentary import pdf_parallel

    chance = random.Random(0)
    data = " ".join(chance.choice(["a", "bb", "ccc", "dddd", "e f"]) for _ in range(5000)).encode()
    level = {}
    for n in (6, 9):
        compressor = zlib.compressobj(n)
        level[n] = compressor.compress(data) + compressor.flush()
    assert level[6] != level[9]
    with pdf_parallel._compression():
        assert level[6] in pydyf.Stream([data], compress=True).data
    assert level[9] in pydyf.Stream([data], compress=True).data
