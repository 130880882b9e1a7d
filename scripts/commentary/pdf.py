"""The seminar PDFs: the full edition and the handout, made from the pages MkDocs has rendered.

`make_pdfs(site, site_dir, paper)` reads the pages MkDocs has just rendered into `site_dir`,
takes the article of each, rewrites it for paper (below), and lays out two documents with
WeasyPrint's public API (`HTML(...).render()`, `Document.write_pdf(pdf_variant="pdf/ua-1",
finisher=...)`), using only the paged-media stylesheet `scripts/commentary/pdf.css` (the website
never loads it; Material's own CSS is not used here at all):

- `commentary.pdf`, the full edition: a cover, a table of contents, then every page in nav
  order, one chapter each;
- `handout.pdf`, the seminar handout: a cover, then the sections that `extra.handout` in
  `mkdocs.yml` lists (`page.md#section-id`, or `page.md` for a whole page), in that order.
  A heading's section runs to the next heading of its rank or higher; an id on another element
  takes that element alone. Nothing about the handout's contents is written here.

Both are tagged PDF/UA-1 as WeasyPrint writes it; the finisher adds `/Scope` to header cells.
After both are written, every `<span data-pdf-pages="handout.pdf">N</span>` in the rendered
pages is set to the number of pages the PDF has, so the links that give a page count are true.

For paper, each page's article is rewritten in Python before layout:

- Material content annotations (a `.annotate` block whose markers are the literal text "(1)",
  "(2)", ... followed by an `<ol>` of notes; Material's JavaScript, which never runs here, would
  turn them into tooltips) become real footnotes at the marker (`float: footnote`), so no note is
  lost and no bare "(1)" is printed. Markdown footnotes become footnotes at their reference too,
  except inside an annotation: a footnote cannot hold another, so a source cited there prints
  in brackets inside the annotation's note. Notes are numbered per chapter.
- Every id is namespaced by chapter (`timeline--1994-06-carter-pyongyang`); links between pages
  and the generated "Discussed in" backlinks become page references, "(p. 12)"; external links
  print their address; links to things that are not in the PDF (the PDF itself) lose their
  link. In the full edition a link to an id the PDF lacks is an error (`PdfError`), never
  dropped silently; in the handout, which holds a few sections, such a link is plain text.
- Permalink symbols, buttons, footnote back-references, collapsed `<details>` states and the
  screen-only controls (the timeline's filter line, the "show the data table" summary) go.
- Header cells get a `scope` (for the tagged PDF), and notes an id.

Page numbers. The page references, the contents' numbers and the folios are CSS: "3 of 55" is
`counter(page) " of " counter(pages)`; a page reference prints its link's `data-page`
attribute. The document is laid out once with placeholders, the page of every id is read from
the laid-out pages (`Page.anchors`), written into the attributes, and the document laid out
again; if a page moved (a number wider than its placeholder), again, and after `MAX_PASSES`
layouts WeasyPrint's own `target-counter()` is used (never wrong, but slower: it lays out
again each page that holds one; 36 s for the full edition where two layouts took 25 s). No
WeasyPrint or pydyf internal is used.

Two WeasyPrint 70 behaviours shape the document (each is handled where it arises): a run of
text ending in a space before an inline element can be split after its first word, so such
spaces move inside the element; and an empty inline anchor between two blocks (the build hooks
add some) breaks `break-after: avoid`, so its id moves to the next block. Footnotes use
`footnote-policy: line`: a note prints on the page of its call, except when WeasyPrint moves it
to the next page to make room for a paragraph's orphans (below).

A third WeasyPrint 70 behaviour loses notes (a step added by WeasyPrint PR #2437, issue #2432):
when the line that completes a paragraph's `orphans` would overflow the page, WeasyPrint moves
the page's earlier notes to the next page to make room and sets the line, but never lays out
the notes called in that line. Their calls print; their text is on no page. No CSS setting
avoids it short of making paragraphs unbreakable (`footnote-policy: block` loses other notes).
Each note carries an id, so a note a layout lost is one whose id no page lists in
`Page.anchors`; the next layout prints it inline after its call (`_inline_lost_notes`), which
costs a layout when it happens, and the PDF never lacks a note.

Design choice: WeasyPrint directly, not the mkdocs-to-pdf plugin. The plugin (the maintained fork
of mkdocs-with-pdf) runs inside every MkDocs build, `mkdocs serve` included; it brings its own
heading numbering, cover templates and theme handlers to override; it prints Material's
annotations as a bare "(1)" plus a detached list, and it has repeatedly broken on WeasyPrint
releases. Building the PDF afterwards from the rendered pages keeps the PDF out of the site build,
lets this module turn annotations and footnotes into real footnotes, and needs nothing beyond
WeasyPrint, which `pyproject.toml` already pins. Zensical ignores PDF plugins anyway.
"""

from __future__ import annotations

import copy
import datetime
import gc
import html
import os
import posixpath
import re
import time
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import tinyhtml5

from commentary.chart import SVG_NS, XLINK_NS, unqualify_svg
from commentary.config import display
from commentary.extension import (
    annotated_blocks,
    classes,
    heading_text,
    iterparent,
    replace_markers,
)

# What a heading's text leaves out: its permalink and its note calls.
HEADING_SKIP = frozenset({"headerlink", "fn"})

if TYPE_CHECKING:
    from commentary.site import Site

STYLESHEET = Path(__file__).resolve().with_name("pdf.css")
PDF_NAME = "commentary.pdf"
HANDOUT_NAME = "handout.pdf"
# Where mkdocs.yml lists the handout's sections: `extra: handout: [page.md#id, ...]`.
HANDOUT_SETTING = "handout"
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
# WeasyPrint's output variant: tagged PDF 1.7 with PDF/UA-1 identification in its metadata.
PDF_VARIANT = "pdf/ua-1"
# Layouts with page numbers from the previous one before WeasyPrint's target-counter() is used.
MAX_PASSES = 3
# The page number a reference prints before the pages are known (as wide as two digits).
PLACEHOLDER = "00"
# CSS that prints page numbers with WeasyPrint's own target-counter() (the fallback).
TARGET_COUNTERS = (
    'a.xref::after { content: " (p.\\a0" target-counter(attr(href url), page) ")"; }\n'
    '.toc a.toc-entry::after { content: leader(".") target-counter(attr(href url), page); }\n'
)
# A page count the build fills in, in a rendered page: `<span data-pdf-pages="x.pdf">N</span>`.
PAGE_COUNT = re.compile(r'(<span data-pdf-pages="([^"]+)">)[^<]*(</span>)')

# The article the site comments on. Its author is not named in the source; never add one.
ARTICLE = {
    "title": (
        "On Trump \u2013 or any sitting president \u2013 meeting Kim Jong Un: "
        "The importance of senior-level engagement"
    ),
    "kind": "Blog post",
    "date": "May 2016",
    "author": "Author not named",
}
SUBTITLE = "An annotated commentary"

# A run of white space including a line break (collapsed to one space inside footnotes).
SPACE_RUN = re.compile(r"[ \t]*\n\s*")
# A URL's scheme and "www.", which an address printed as link text may leave out.
URL_PREFIX = re.compile(r"^[a-z]+://(www\.)?")
# Where Material's article starts in a rendered page (only that part is parsed).
ARTICLE_START = '<article class="md-content__inner'
ARTICLE_END = "</article>"
# Elements whose text never holds annotation markers.
CODE_TAGS = frozenset({"code", "pre", "kbd", "samp", "script", "style"})
# Elements that cannot sit inside the inline footnote element; renamed to classed spans.
BLOCK_TAGS = frozenset({
    "p", "div", "ul", "ol", "li", "blockquote", "dl", "dt", "dd", "table", "thead", "tbody",
    "tr", "th", "td", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "details", "summary", "hr",
})
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Site furniture inside the article that means nothing on paper, and screen-only controls
# (the timeline's filter line).
DROP_CLASSES = frozenset({
    "headerlink", "md-button", "footnote-backref", "md-content__button", "md-source-file",
    "md-feedback", "md-tags", "tl-filter",
})
# Collapsible blocks whose summary is a screen control ("show the data table"): on paper the
# content prints without it.
CONTROL_DETAILS = frozenset({"cc-data"})
DROP_TAGS = frozenset({"script", "style", "form", "input", "button", "nav", "iframe"})
# Bold labels that open a line of metadata under an entry ("**Source:** ...").
LABELS = frozenset({"Source", "Sources", "Bears on"})
# Inline elements (their text is laid out in the same lines as the text around them).
INLINE_TAGS = frozenset({
    "a", "abbr", "b", "cite", "code", "dfn", "em", "i", "kbd", "mark", "q", "s", "samp",
    "small", "span", "strong", "sub", "sup", "time", "u", "var",
})
# Schemes of links that leave the site; their address is printed.
EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto", "ftp"})


class PdfError(Exception):
    """The PDF cannot be made; the message says why, one line per problem."""


class PdfUnavailable(PdfError):
    """WeasyPrint, or the Pango library it loads when imported, is not installed."""


@dataclass
class Chapter:
    """One page of the site as a chapter of the PDF."""

    title: str  # the nav title
    src_uri: str  # docs-relative Markdown path
    dest_uri: str  # site-relative HTML path
    key: str  # the chapter's id and the prefix of every id in it
    part: str = ""  # the nav section it belongs to, if any
    first_in_part: bool = False
    body: etree.Element | None = None
    sections: list[tuple[str, str]] = field(default_factory=list)  # (id, title) of each h2
    keep: list[str] | None = None  # the ids of the sections it holds (None: the whole page)


@dataclass(frozen=True)
class Edition:
    """One of the two documents."""

    name: str  # its file name in the site
    kicker: str  # the line above the title on its cover
    handout: bool  # the sections of `extra.handout`, without contents (else every page)


FULL_EDITION = Edition(PDF_NAME, "Full edition", handout=False)
HANDOUT = Edition(HANDOUT_NAME, "Seminar handout", handout=True)
EDITIONS = (FULL_EDITION, HANDOUT)


@dataclass(frozen=True)
class Written:
    """A PDF written: where, and how many pages it has."""

    path: Path
    pages: int
    seconds: float  # how long it took, from its pages' articles to the written file


def make_pdfs(
    site: Site, site_dir: str | os.PathLike[str], paper: str = "a4",
    editions: tuple[Edition, ...] = EDITIONS,
) -> list[Written]:
    """Write the full edition and the handout into `site_dir`; fill in their page counts.

    Raises `PdfError` (`PdfUnavailable` when WeasyPrint or Pango is missing).
    """
    if paper not in PAPER_SIZES:
        raise PdfError(f"unknown paper size {paper!r}; use one of {', '.join(PAPER_SIZES)}")
    folder = Path(site_dir)
    weasyprint = _weasyprint()
    written = []
    for edition in editions:
        started = time.perf_counter()
        tree = document_tree(site, folder, edition)
        target = folder / edition.name
        with _without_cycle_collection():
            document = lay_out(weasyprint, tree, str(folder) + os.sep, PAPER_SIZES[paper])
            document.write_pdf(target, pdf_variant=PDF_VARIANT, finisher=add_header_scopes)
            pages = len(document.pages)
            del document, tree  # collected on leaving the block, before the next document
        written.append(Written(target, pages, time.perf_counter() - started))
    state_page_counts(folder, {item.path.name: item.pages for item in written})
    return written


@contextmanager
def _without_cycle_collection():
    """While active, Python's cyclic garbage collector does not run.

    Laying out makes hundreds of thousands of objects that live until the PDF is written, and
    each full collection goes through all of them: with the collector on, it took about a
    seventh of the PDF's time. The cycles left are collected once at the end.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect()


def _weasyprint():
    """The `weasyprint` module; `PdfUnavailable` if it or the Pango it loads is missing."""
    try:
        import weasyprint
    except ImportError as error:
        raise PdfUnavailable(f"WeasyPrint is not installed ({error})") from error
    except OSError as error:  # cffi's dlopen: Pango, HarfBuzz or fontconfig not found
        raise PdfUnavailable(
            f"WeasyPrint cannot load Pango ({' '.join(str(error).split())}); install Pango 1.44 "
            "or later (Debian: libpango-1.0-0 libpangoft2-1.0-0)"
        ) from error
    return weasyprint


# ---- layout ------------------------------------------------------------------------------------


def lay_out(weasyprint, tree: etree.Element, base_url: str, size: str):
    """The document laid out (a `weasyprint.Document`), each page reference with its page.

    Each numbered link (`data-page`) first prints a placeholder; then the page of its target,
    read from the previous layout, until a layout keeps every target on the page printed.
    """
    links = [link for link in tree.iter("a") if link.get("data-page") is not None]
    for link in links:
        link.set("data-page", PLACEHOLDER)
    notes = [element for element in tree.iter() if "fn" in classes(element)]
    printed: dict[str, int] | None = None
    for _ in range(MAX_PASSES):
        document = _render(weasyprint, tree, base_url, size)
        pages = anchor_pages(document)
        targets = {link.get("href", "")[1:] for link in links}
        missing = sorted(targets - pages.keys())
        if missing:
            raise PdfError(f"page number for '#{missing[0]}': no such id in the laid-out PDF")
        lost = _inline_lost_notes(tree, notes, pages)
        stable = printed is not None and all(printed[t] == pages[t] for t in targets)
        if stable and not lost:
            return document
        printed = {target: pages[target] for target in targets}
        for link in links:
            link.set("data-page", str(printed[link.get("href", "")[1:]]))
    for link in links:  # the numbers come from target-counter() alone
        del link.attrib["data-page"]
    while True:  # each layout that loses a note inlines it, so this ends
        document = _render(weasyprint, tree, base_url, size, TARGET_COUNTERS)
        if not _inline_lost_notes(tree, notes, anchor_pages(document)):
            return document


def _inline_lost_notes(
    tree: etree.Element, notes: list[etree.Element], pages: dict[str, int]
) -> list[str]:
    """Print inline each footnote that a layout lost (its id on no page); return their ids.

    The note stays where its call was and keeps its number, as a small block of its own:
    "[72. Foreign Affairs, ...]" (`.fn-inline` in pdf.css). A note called right after it then
    prints its own call, "73", not ",73".
    """
    lost = [note for note in notes if "fn" in classes(note) and note.get("id") not in pages]
    if not lost:
        return []
    parents = {id(child): parent for parent in tree.iter() for child in parent}
    for note in lost:
        note.set("class", " ".join(["fn-inline", *sorted(classes(note) - {"fn", "fn-after-fn"})]))
        siblings = list(parents[id(note)])
        after = siblings[siblings.index(note) + 1:]
        if after and "fn-after-fn" in classes(after[0]):
            after[0].set("class", " ".join(sorted(classes(after[0]) - {"fn-after-fn"})))
    return [note.get("id", "") for note in lost]


def _render(weasyprint, tree: etree.Element, base_url: str, size: str, extra_css: str = ""):
    """The tree laid out with the stylesheet, on paper of `size` (fonts found by fontconfig)."""
    unqualify_svg(tree)
    text = "<!DOCTYPE html>\n" + etree.tostring(tree, encoding="unicode", method="html")
    stylesheets = [
        weasyprint.CSS(filename=str(STYLESHEET)),
        weasyprint.CSS(string=f"@page {{ size: {size}; }}\n{extra_css}"),
    ]
    return weasyprint.HTML(string=text, base_url=base_url).render(stylesheets=stylesheets)


def anchor_pages(document) -> dict[str, int]:
    """The page number (from 1) of every id in a laid-out document."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages


def add_header_scopes(document, pdf) -> None:
    """WeasyPrint's finisher: give each header cell's structure element a `/Scope`.

    WeasyPrint writes `/TH` cells with `/Headers` on the data cells; PDF/UA checkers also look
    for the scope. A header cell in a table's head (`/THead`) heads its column, else its row.
    Only pydyf's public objects are read (`pdf.objects`, the dictionaries' keys).
    """
    import pydyf

    def get(reference):
        if isinstance(reference, bytes):
            return pdf.objects[int(reference.split(b" ", 1)[0])]
        return reference

    for element in pdf.objects:
        if not isinstance(element, pydyf.Dictionary) or element.get("S") != "/TH":
            continue
        row = get(element.get("P"))
        group = get(row.get("P")) if isinstance(row, pydyf.Dictionary) else None
        in_head = isinstance(group, pydyf.Dictionary) and group.get("S") == "/THead"
        attributes = element.get("A")
        if not isinstance(attributes, pydyf.Dictionary):
            attributes = element["A"] = pydyf.Dictionary({"O": "/Table"})
        attributes["Scope"] = "/Column" if in_head else "/Row"


def state_page_counts(site_dir: Path, counts: dict[str, int]) -> None:
    """Write each PDF's page count into the rendered pages that give it.

    A page says `<span data-pdf-pages="handout.pdf">20</span>` (the number in the Markdown is
    the last one known); here it becomes the count of the PDF just written.
    """
    def count(match: re.Match) -> str:
        name = posixpath.basename(match.group(2))
        if name not in counts:
            return match.group(0)
        return f"{match.group(1)}{counts[name]}{match.group(3)}"

    for page in site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if "data-pdf-pages" in text:
            page.write_text(PAGE_COUNT.sub(count, text), encoding="utf-8")


# ---- the document ------------------------------------------------------------------------------


def build_document(site: Site, site_dir: Path, edition: Edition = FULL_EDITION) -> str:
    """A document as one HTML text: cover, contents, then a section per chapter.

    Raises `PdfError` if a page is missing, or if a link would lead nowhere in the PDF.
    """
    root = document_tree(site, site_dir, edition)
    unqualify_svg(root)  # `<svg>`, not `<ns0:svg>`, as WeasyPrint's parser reads SVG in HTML
    return "<!DOCTYPE html>\n" + etree.tostring(root, encoding="unicode", method="html")


def document_tree(site: Site, site_dir: Path, edition: Edition = FULL_EDITION) -> etree.Element:
    """`build_document`'s document as the tree it is built as (what `make_pdfs` lays out)."""
    config = site.config
    if edition.handout:
        chapters = load_handout(site, Path(site_dir))
    else:
        chapters = load_chapters(site, Path(site_dir))
    by_dest = {chapter.dest_uri: chapter for chapter in chapters}
    # The handout's links to what it does not hold lead to the site, when its address is known.
    address = cover_address(config) if edition.handout else ""
    for chapter in chapters:
        _prepare(chapter, by_dest, address)
    known_ids = {
        element.get("id")
        for chapter in chapters
        for element in chapter.body.iter()
        if element.get("id")
    }
    docs = Path(config["docs_dir"])
    dangling = [
        f"{display(docs / chapter.src_uri)}: error: {problem}"
        for chapter in chapters
        for problem in _drop_dangling_xrefs(chapter.body, known_ids, address)
    ]
    if dangling and not edition.handout:
        raise PdfError("\n".join(dangling))
    name = str(config["site_name"])
    description = " ".join(str(config.get("site_description") or "").split())
    edition_date = site.edition.date()
    title = name if not edition.handout else f"{name}: {edition.kicker.lower()}"
    contents = "" if edition.handout else _contents(chapters)
    front = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_text(title)}</title>"
        f'<meta name="description" content="{_attr(description)}">'
        f'<meta name="dcterms.created" content="{edition_date.isoformat()}">'
        '<meta name="generator" content="scripts/commentary/pdf.py (WeasyPrint)">'
        f'</head><body data-site="{_attr(name)}">'
        f"{_cover(config, edition_date, edition.kicker)}{contents}</body></html>"
    )
    root = tinyhtml5.parse(front, namespace_html_elements=False)
    root.find("body").extend(chapter.body for chapter in chapters)
    for link in root.iter("a"):
        numbered = "xref" in classes(link) or link.get("class") == "toc-entry"
        if numbered and link.get("href", "").startswith("#"):
            link.set("data-page", PLACEHOLDER)
    return root


def cover_address(config, environ: dict[str, str] | None = None) -> str:
    """The address the cover prints: the site's, when SITE_URL gives it; else none.

    `site_url` in mkdocs.yml falls back to a placeholder when SITE_URL is not set: a printed
    placeholder would send readers nowhere.
    """
    environ = os.environ if environ is None else environ
    if not environ.get("SITE_URL", "").strip():
        return ""
    return str(config.get("site_url") or "")


# ---- chapters ----------------------------------------------------------------------------------


def load_chapters(site: Site, site_dir: Path) -> list[Chapter]:
    """The chapters in the site model's reading order, each with the article of its page."""
    chapters: list[Chapter] = []
    previous_part = ""
    for entry in site.reading_order:
        chapter = _chapter(entry, site_dir)
        chapter.first_in_part = bool(entry.section) and entry.section != previous_part
        chapters.append(chapter)
        previous_part = entry.section
    return chapters


def load_handout(site: Site, site_dir: Path) -> list[Chapter]:
    """The handout's chapters: a chapter per run of `extra.handout` items on the same page."""
    by_src = {entry.file.src_uri: entry for entry in site.reading_order}
    chapters: list[Chapter] = []
    for item, (src, fragment) in handout_items(site.config):
        entry = by_src.get(src)
        if entry is None:
            raise PdfError(_setting_error(site.config, item, f"no page '{src}' in the nav"))
        if chapters and chapters[-1].src_uri == src and chapters[-1].keep and fragment:
            chapter = chapters[-1]
        else:
            chapter = _chapter(entry, site_dir)
            chapter.part = ""
            chapter.keep = [] if fragment else None
            chapters.append(chapter)
        if fragment:
            if not any(element.get("id") == fragment for element in chapter.body.iter()):
                problem = f"no id '{fragment}' on '{src}'"
                raise PdfError(_setting_error(site.config, item, problem))
            chapter.keep.append(fragment)
    for number, chapter in enumerate(chapters, start=1):  # a page may be cut twice
        chapter.key = f"{chapter.key}-{number}"
    return chapters


def handout_items(config) -> Iterator[tuple[str, tuple[str, str]]]:
    """Each `extra.handout` item as written, with its page and its section id ("" for all)."""
    items = (config.get("extra") or {}).get(HANDOUT_SETTING)
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise PdfError(_setting_error(
            config, None, "extra.handout must list the handout's sections ('page.md#id')"
        ))
    for item in items:
        src, _, fragment = item.strip().partition("#")
        yield item, (src.lstrip("/"), fragment)


def _setting_error(config, item: str | None, problem: str) -> str:
    """`mkdocs.yml:line:col: error: problem`, at the item (or the `handout:` key) if found."""
    path = Path(str(config.get("config_file_path") or "mkdocs.yml"))
    line, column = 1, 1
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    pattern = rf"^\s*-\s*['\"]?({re.escape(item)})" if item else rf"^\s*({HANDOUT_SETTING}):"
    wanted = re.compile(pattern)
    for number, text in enumerate(lines, start=1):
        found = wanted.search(text)
        if found:
            line, column = number, found.start(1) + 1
            break
    return f"{display(path)}:{line}:{column}: error: extra.handout: {problem}"


def _chapter(entry, site_dir: Path) -> Chapter:
    """A page's chapter, with the article of its rendered page."""
    file = entry.file
    page = site_dir / file.dest_uri
    if not page.is_file():
        raise PdfError(f"{display(page)}: rendered page for '{file.src_uri}' is missing")
    key = posixpath.splitext(file.src_uri)[0].replace("/", "-").lower() or "page"
    return Chapter(entry.title, file.src_uri, file.dest_uri, key, entry.section, False,
                   read_article(page))


def read_article(page: Path) -> etree.Element:
    """The `<article>` of a page rendered by Material (its content, without site chrome).

    Only the article's part of the page is parsed: the rest (navigation, search, scripts) is
    most of the page and means nothing here.
    """
    text = page.read_text(encoding="utf-8")
    start, end = text.find(ARTICLE_START), text.rfind(ARTICLE_END)
    source = text[start:end + len(ARTICLE_END)] if 0 <= start < end else text
    root = tinyhtml5.parse(source, namespace_html_elements=False)
    for element in root.iter("article"):
        if "md-content__inner" in classes(element):
            return element
    raise PdfError(f"{display(page)}: no Material article (article.md-content__inner) found")


def _keep_sections(chapter: Chapter) -> None:
    """Reduce a chapter's article to its title and the sections `chapter.keep` names.

    A heading's section is the heading and what follows it up to the next heading of its rank
    or higher; an id on any other element keeps that element.
    """
    body = chapter.body
    by_id = {element.get("id"): element for element in body.iter() if element.get("id")}
    parents = {id(child): parent for parent in body.iter() for child in parent}
    kept: list[etree.Element] = []
    for fragment in chapter.keep:
        start = by_id[fragment]
        kept.append(start)
        if start.tag not in HEADING_TAGS:
            continue
        rank = int(start.tag[1])
        siblings = list(parents[id(start)])
        for sibling in siblings[siblings.index(start) + 1:]:
            if sibling.tag in HEADING_TAGS and int(sibling.tag[1]) <= rank:
                break
            kept.append(sibling)
    title = etree.Element("h1")
    title.text = chapter.title
    for child in list(body):
        body.remove(child)
    body.text = None
    body.append(title)
    for element in kept:
        element = copy.deepcopy(element)
        element.tail = None
        body.append(element)


def _prepare(chapter: Chapter, by_dest: dict[str, Chapter], address: str = "") -> None:
    """Rewrite one chapter's article for paper, in place."""
    body = chapter.body
    _svg_in_its_namespace(body)
    _drop_furniture(body)
    _lift_empty_anchors(body)
    notes = _take_footnotes(body)
    if chapter.keep is not None:
        _keep_sections(chapter)
        body = chapter.body
    _annotations_to_footnotes(body, notes)
    _references_to_footnotes(body, notes)
    _open_details(body)
    _glue_entry_lines(body)
    _rewrite_links(body, chapter, by_dest, address)
    _namespace_ids(body, chapter.key)
    _number_notes(body, chapter.key)
    _separate_adjacent_calls(body)
    _shift_spaces_into_inline_elements(body)
    _scope_header_cells(body)
    body.tag = "section"
    body.attrib.clear()
    body.set("class", " ".join(["chapter"] + (["in-part"] if chapter.part else [])))
    body.set("id", chapter.key)
    body.set("data-title", chapter.title)
    h1 = body.find(".//h1")
    if h1 is not None:
        h1.set("data-title", chapter.title)
    if chapter.first_in_part:
        label = etree.Element("p", {"class": "part-title", "data-title": chapter.part})
        label.text = chapter.part
        body.insert(0, label)
    chapter.sections = [
        (h2.get("id", ""), _heading_text(h2)) for h2 in body.iter("h2") if h2.get("id")
    ]


def _drop_furniture(body: etree.Element) -> None:
    """Remove permalinks, buttons, scripts, screen-only controls; drop paragraphs left empty."""
    for parent, child in iterparent(body):
        control = child.tag == "summary" and classes(parent) & CONTROL_DETAILS
        if child.tag in DROP_TAGS or classes(child) & DROP_CLASSES or control:
            _remove(parent, child)
    for parent, child in iterparent(body):
        if child.tag == "p" and len(child) == 0 and not (child.text or "").strip():
            _remove(parent, child)


def _lift_empty_anchors(body: etree.Element) -> None:
    """Move the id of an empty inline anchor between two blocks onto the block after it.

    Such an anchor (the build's hooks put `<span id="annotated-3"></span>` before annotated
    paragraphs) makes an anonymous block between a heading and its paragraph, and WeasyPrint
    then no longer keeps the two together. An anchor whose next block has an id of its own
    stays where it is.
    """
    for parent, child in iterparent(body):
        empty = len(child) == 0 and not (child.text or "").strip()
        if child.tag not in INLINE_TAGS or not empty or not child.get("id"):
            continue
        siblings = list(parent)
        index = siblings.index(child)
        between_blocks = (
            0 < index < len(siblings) - 1
            and not (siblings[index - 1].tail or "").strip()
            and not (child.tail or "").strip()
            and siblings[index + 1].tag not in INLINE_TAGS
            and siblings[index - 1].tag not in INLINE_TAGS
        )
        if between_blocks and siblings[index + 1].get("id") is None:
            siblings[index + 1].set("id", child.get("id"))
            _remove(parent, child)


def _take_footnotes(body: etree.Element) -> dict[str, etree.Element]:
    """Remove the page's footnote list; return each footnote's content by its id ("fn:x")."""
    notes: dict[str, etree.Element] = {}
    for parent, child in iterparent(body):
        if child.tag == "div" and "footnote" in classes(child):
            for item in child.iter("li"):
                if item.get("id"):
                    notes[item.get("id")] = _note_from(item, "fn fn-cite")
            _remove(parent, child)
    return notes


def _annotations_to_footnotes(body: etree.Element, notes: dict[str, etree.Element]) -> None:
    """Turn each `.annotate` block's markers and list into footnotes at the markers."""
    for parent, block, listing in annotated_blocks(body):
        items = [_note_from(li, "fn fn-annotation") for li in listing.findall("li")]
        for item in items:
            _inline_citations(item, notes)
        used = replace_markers(
            block, len(items), lambda n, written, items=items: items[n - 1],
            lambda element: "fn" in classes(element),
        )
        for number, item in enumerate(items, start=1):
            if number not in used:  # a note without a marker still prints, at the block's end
                item.tail = None
                block.append(item)
        _remove(parent, listing)
        block.set("class", " ".join(sorted(classes(block) - {"annotate"})) or "annotated")


def _inline_citations(note: etree.Element, notes: dict[str, etree.Element]) -> None:
    """Print the footnotes cited inside an annotation in brackets, where they are cited.

    A footnote cannot hold another, and one footnote per citation would also crowd the page
    (WeasyPrint lays the footnote area out again for each note it adds).
    """
    for parent, child in iterparent(note):
        target = _footnote_target(child)
        if target is None:
            continue
        cite = copy.deepcopy(notes.get(target, _missing_note(target)))
        cite.attrib.clear()
        _strip_end(cite, ".")
        cite.text = "[" + (cite.text or "")
        _append_text(cite, "]")
        cite.tail = child.tail
        _replace(parent, child, cite)
        _space_before(parent, cite)
        # Spliced in as plain text: WeasyPrint 70 can break a line after a lone word in the
        # text that follows a nested inline box with a page reference in it.
        _unwrap(parent, cite)


def _references_to_footnotes(body: etree.Element, notes: dict[str, etree.Element]) -> None:
    """Put each remaining footnote's text at its reference, as a footnote."""
    for parent, child in iterparent(body):
        target = _footnote_target(child)
        if target is None:
            continue
        note = copy.deepcopy(notes.get(target, _missing_note(target)))
        note.tail = child.tail
        _replace(parent, child, note)


def _number_notes(body: etree.Element, key: str) -> None:
    """Number the chapter's footnotes in the order they print, and give each an id."""
    number = 0
    for element in body.iter():
        if "fn" in classes(element):
            number += 1
            element.set("data-n", str(number))
            element.set("id", f"{key}--note-{number}")


def _separate_adjacent_calls(body: etree.Element) -> None:
    """Mark a footnote call that directly follows another, so the two print as "2,3", not "23"."""
    for parent in body.iter():
        previous = None
        for child in parent:
            if "fn" in classes(child):
                if previous is not None and not (previous.tail or "").strip():
                    child.set("class", child.get("class") + " fn-after-fn")
                previous = child
            else:
                previous = None


def _shift_spaces_into_inline_elements(body: etree.Element) -> None:
    """Move the space before (or at the end of) an inline element to the far side of its edge.

    WeasyPrint 70 measures a run of text that ends in a space, just before an inline element,
    with that space included; when the run fits a line only without it, the run is wrongly
    split after its first word, which then stands alone on a line. Text runs that never end
    in a space avoid that: "see <a>x</a>" becomes "see<a> x</a>", which prints the same.
    """
    preformatted = {id(element) for pre in body.iter("pre") for element in pre.iter()}
    for parent in body.iter():
        if id(parent) in preformatted:
            continue
        previous = None
        for child in parent:
            if child.tag in INLINE_TAGS and "fn" not in classes(child):
                before = parent.text if previous is None else previous.tail
                if before and before[-1].isspace() and before.strip():
                    stripped = before.rstrip()
                    if previous is None:
                        parent.text = stripped
                    else:
                        previous.tail = stripped
                    child.text = " " + (child.text or "").lstrip()
                last = child[-1] if len(child) else None
                end = last.tail if last is not None else child.text
                if end and end[-1].isspace() and end.strip():
                    if last is not None:
                        last.tail = end.rstrip()
                    else:
                        child.text = end.rstrip()
                    child.tail = " " + (child.tail or "").lstrip()
            previous = child


def _footnote_target(element: etree.Element) -> str | None:
    """The footnote id a Python-Markdown reference `<sup id="fnref:x">` points to, else None."""
    if element.tag != "sup" or not (element.get("id") or "").startswith("fnref"):
        return None
    link = element.find("a")
    href = link.get("href", "") if link is not None else ""
    return href[1:] if href.startswith("#") else None


def _missing_note(target: str) -> etree.Element:
    """The footnote printed for a reference to a footnote the page lacks."""
    note = etree.Element("span", {"class": "fn fn-cite"})
    note.text = f"[footnote {target} not found]"
    return note


def _note_from(item: etree.Element, classes: str) -> etree.Element:
    """A footnote element (`<span class="fn">`) holding the content of a list item."""
    item = copy.deepcopy(item)
    note = etree.Element("span", {"class": classes})
    children = list(item)
    # A lone leading paragraph is unwrapped so the note number sits on its first line.
    if children and children[0].tag == "p" and not (item.text or "").strip():
        first = children[0]
        note.text = first.text
        note.extend(list(first))
        _append_text(note, first.tail)
        rest = children[1:]
    else:
        note.text = item.text
        rest = children
    note.extend(rest)
    for element in note.iter():
        if element is not note and element.tag in BLOCK_TAGS:
            element.set("class", " ".join([f"fn-{element.tag}", *classes(element)]))
            element.tag = "span"
    _collapse_space(note)
    _strip_end(note)
    return note


def _collapse_space(note: etree.Element) -> None:
    """Turn line breaks in a note's source text into spaces.

    WeasyPrint keeps the source's line breaks inside footnotes (one sentence per line here).
    """
    def walk(element: etree.Element, preformatted: bool) -> None:
        preformatted = preformatted or element.tag in CODE_TAGS or "fn-pre" in classes(element)
        if element.text and not preformatted:
            element.text = SPACE_RUN.sub(" ", element.text)
        for child in element:
            walk(child, preformatted)
            if child.tail and not preformatted:
                child.tail = SPACE_RUN.sub(" ", child.tail)

    walk(note, False)


def _open_details(body: etree.Element) -> None:
    """Open every collapsible block: paper cannot expand it."""
    for details in body.iter("details"):
        details.set("open", "open")


def _glue_entry_lines(body: etree.Element) -> None:
    """Keep an entry's "Source:" line with the text above it (glossary terms, timeline entries)."""
    for paragraph in body.iter("p"):
        first = paragraph[0] if len(paragraph) else None
        if (
            first is not None
            and first.tag == "strong"
            and not (paragraph.text or "").strip()
            and (first.text or "").strip().rstrip(":") in LABELS
        ):
            paragraph.set("class", " ".join(sorted(classes(paragraph) | {"entry-meta"})))


def _rewrite_links(
    body: etree.Element, chapter: Chapter, by_dest: dict[str, Chapter], address: str = ""
) -> None:
    """Internal links become page references; external ones print their address.

    A link to a page the PDF does not hold loses its link; in a note, it prints the page's
    address on the site instead when the site's `address` is given (the handout: a note's
    "full reference" then says where). Each page reference keeps its site-relative target in
    `data-address`, for `_drop_dangling_xrefs`.
    """
    page_url = "http://site/" + chapter.dest_uri
    in_notes = _in_notes(body)
    for parent, link in iterparent(body):
        if link.tag != "a" or link.get("href") is None:
            continue
        href = link.get("href", "")
        parts = urlsplit(href)
        if parts.scheme in EXTERNAL_SCHEMES:
            _print_address(parent, link, href)
            continue
        if parts.scheme:
            continue
        resolved = urlsplit(urljoin(page_url, href))
        on_site = resolved.path.lstrip("/") + (f"#{resolved.fragment}" if resolved.fragment else "")
        if href.startswith("#"):
            target = f"{chapter.key}--{href[1:]}" if href[1:] else chapter.key
        else:
            path = resolved.path.lstrip("/")
            if path == "" or path.endswith("/"):
                path += "index.html"
            other = by_dest.get(path)
            if other is None:  # not part of the PDF (the PDF itself, a download)
                to = address and id(link) in in_notes and urljoin(address, on_site)
                _to_address(parent, link, to)
                continue
            fragment = resolved.fragment
            target = f"{other.key}--{fragment}" if fragment else other.key
        link.set("data-address", on_site)
        link.set("href", "#" + target)
        link.set("class", " ".join(sorted(classes(link) | {"xref"})))
        link.attrib.pop("title", None)


def _in_notes(body: etree.Element) -> set[int]:
    """The `id()` of every element inside a footnote."""
    return {
        id(element)
        for note in body.iter()
        if "fn" in classes(note)
        for element in note.iter()
        if element is not note
    }


def _to_address(parent: etree.Element, link: etree.Element, address: str) -> None:
    """Make a link lead to `address` and print it, or, without an address, unwrap it."""
    if not address:
        _unwrap(parent, link)
        return
    link.attrib.pop("data-address", None)
    link.attrib.pop("title", None)
    link.set("href", address)
    link.set("class", " ".join(sorted(classes(link) - {"xref"})))
    _print_address(parent, link, address)


def _print_address(parent: etree.Element, link: etree.Element, href: str) -> None:
    """Print an external link's address after it, unless its text already is the address."""
    link.set("class", " ".join(sorted(classes(link) | {"external"})))
    shown = href.removeprefix("mailto:")
    text = " ".join("".join(link.itertext()).split())
    if _same_address(text, shown):
        link.set("class", link.get("class") + " url")
        return
    address = etree.Element("span", {"class": "url"})
    address.text = f"<{shown}>"
    address.tail = link.tail
    link.tail = " "
    parent.insert(list(parent).index(link) + 1, address)


def _same_address(text: str, href: str) -> bool:
    """Whether a link's text is its address, give or take the scheme, "www." and a final "/"."""
    def bare(url: str) -> str:
        return URL_PREFIX.sub("", url.strip().lower()).rstrip("/")

    return bare(text) == bare(href)


def _namespace_ids(body: etree.Element, key: str) -> None:
    """Prefix every id with the chapter's key, so ids of different pages cannot clash."""
    for element in body.iter():
        if element.get("id"):
            element.set("id", f"{key}--{element.get('id')}")


def _drop_dangling_xrefs(body: etree.Element, known: set[str], address: str = "") -> list[str]:
    """Unwrap each page reference to an id the PDF lacks; return what each one was.

    Such a reference would have no page to print. In the full edition the site's own links are
    checked before the build, so one here means the rewriting for paper lost an id: the caller
    reports it. In the handout, which holds a few sections, it is text, or in a note it leads to
    the site (`address`).
    """
    problems = []
    in_notes = _in_notes(body)
    for parent, link in iterparent(body):
        if link.tag != "a" or "xref" not in classes(link):
            continue
        target = link.get("href", "")[1:]
        if target not in known:
            label = " ".join("".join(link.itertext()).split())
            problems.append(f"the PDF has no '#{target}' for the link '{label}'")
            on_site = link.get("data-address", "")
            to = address and on_site and id(link) in in_notes and urljoin(address, on_site)
            _to_address(parent, link, to)
    return problems


def _scope_header_cells(body: etree.Element) -> None:
    """Say what each header cell heads: its column in a table's head, else its row."""
    for table in body.iter("table"):
        in_head = {id(cell) for head in table.iter("thead") for cell in head.iter("th")}
        for cell in table.iter("th"):
            if not cell.get("scope"):
                cell.set("scope", "col" if id(cell) in in_head else "row")


def _svg_in_its_namespace(body: etree.Element) -> None:
    """Put inline SVG given with plain names (`<svg>`, `xlink:href`) in its namespaces.

    So it is laid out as an image (WeasyPrint knows SVG by its namespace) and its links are not
    taken for the page's.
    """
    for svg in [element for element in body.iter() if element.tag == "svg"]:
        for element in svg.iter():
            if isinstance(element.tag, str) and not element.tag.startswith("{"):
                element.tag = f"{{{SVG_NS}}}{element.tag}"
            for name in [name for name in element.attrib if name.startswith("xlink:")]:
                element.set(f"{{{XLINK_NS}}}{name.partition(':')[2]}", element.attrib.pop(name))


# ---- front matter ------------------------------------------------------------------------------


def _cover(config, edition: datetime.date, kicker: str) -> str:
    """The cover page: title, subtitle, the article's citation, the edition date and address."""
    name = str(config["site_name"])
    url = cover_address(config)
    rights = " ".join(str(config.get("copyright") or "").split())
    when = f"{edition.day} {edition:%B %Y}"
    return (
        '<section class="cover">'
        f'<p class="cover-kicker">{_text(kicker)}</p>'
        f'<h1 class="cover-title">{_text(name)}</h1>'
        f'<p class="cover-subtitle">{_text(SUBTITLE)}</p>'
        '<div class="cover-article">'
        '<p class="cover-label">The article</p>'
        f'<p class="cover-citation">\u201c{_text(ARTICLE["title"])}.\u201d '
        f'{_text(ARTICLE["kind"])}, {_text(ARTICLE["date"])}. {_text(ARTICLE["author"])}.</p>'
        "</div>"
        '<div class="cover-edition">'
        f'<p>Edition of <time datetime="{edition.isoformat()}">{when}</time></p>'
        + (f'<p class="cover-url"><a href="{_attr(url)}">{_text(url)}</a></p>' if url else "")
        + (f'<p class="cover-rights">{_text(rights)}</p>' if rights else "")
        + "</div></section>"
    )


def _contents(chapters: list[Chapter]) -> str:
    """The table of contents: parts, chapters and their sections, each with its page."""
    rows = [
        '<nav class="toc" id="contents"><h1 class="toc-title">Contents</h1><ol class="toc-list">'
    ]
    for chapter in chapters:
        if chapter.first_in_part:
            rows.append(
                f'<li class="toc-part"><a href="#{chapter.key}">{_text(chapter.part)}</a></li>'
            )
        level = "toc-chapter toc-in-part" if chapter.part else "toc-chapter"
        rows.append(
            f'<li class="{level}"><a class="toc-entry" href="#{chapter.key}">'
            f"{_text(chapter.title)}</a>"
        )
        if chapter.sections:
            rows.append('<ol class="toc-sections">')
            rows.extend(
                f'<li><a class="toc-entry" href="#{_attr(anchor)}">{_text(title)}</a></li>'
                for anchor, title in chapter.sections
            )
            rows.append("</ol>")
        rows.append("</li>")
    rows.append("</ol></nav>")
    return "".join(rows)


# ---- element helpers ---------------------------------------------------------------------------


def _heading_text(heading: etree.Element | None) -> str:
    """A heading's text without its permalink symbol or its notes, on one line."""
    if heading is None:
        return ""
    return " ".join(heading_text(heading, skip=HEADING_SKIP).split())


def _append_text(element: etree.Element, text: str | None) -> None:
    """Add text at the end of an element's content."""
    if not text:
        return
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _strip_end(element: etree.Element, extra: str = "") -> None:
    """Remove trailing whitespace, no-break spaces (and `extra`) at the end of an element."""
    strip = " \t\n\u00a0" + extra
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "").rstrip(strip) or None
    else:
        element.text = (element.text or "").rstrip(strip)


def _space_before(parent: etree.Element, element: etree.Element) -> None:
    """Make sure a space separates `element` from the text or element just before it."""
    index = list(parent).index(element)
    if index > 0:
        before = parent[index - 1]
        if not before.tail or not before.tail[-1].isspace():
            before.tail = (before.tail or "") + " "
    elif parent.text and not parent.text[-1].isspace():
        parent.text += " "


def _remove(parent: etree.Element, child: etree.Element) -> None:
    """Remove `child`, keeping the text that follows it."""
    index = list(parent).index(child)
    tail = child.tail
    parent.remove(child)
    if tail:
        if index > 0:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _replace(parent: etree.Element, old: etree.Element, new: etree.Element) -> None:
    """Put `new` where `old` is (`new` brings its own tail)."""
    index = list(parent).index(old)
    parent.remove(old)
    parent.insert(index, new)


def _unwrap(parent: etree.Element, element: etree.Element) -> None:
    """Replace an element by its content."""
    index = list(parent).index(element)
    children = list(element)
    parent.remove(element)
    lead = element.text or ""
    if index > 0:
        parent[index - 1].tail = (parent[index - 1].tail or "") + lead
    else:
        parent.text = (parent.text or "") + lead
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if element.tail:
        if children:
            children[-1].tail = (children[-1].tail or "") + element.tail
        elif index > 0:
            parent[index - 1].tail = (parent[index - 1].tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail


def _text(value: str) -> str:
    """Text escaped for HTML content."""
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    """Text escaped for an HTML attribute value."""
    return html.escape(value, quote=True)
