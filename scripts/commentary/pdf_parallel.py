"""Writing the seminar PDF with two processes: each lays out, draws and tags half of it.

Laying out, drawing and tagging are most of the PDF's time, and WeasyPrint does them on one
core. Chapters start on a new page and every page number is a placeholder written in after
layout (`commentary.pdf_layout`), so the document splits at a chapter into two documents that
can be laid out apart: `write` forks a process that lays out the back half (its chapters, with
the same head and body attributes) while this one lays out the front (cover, contents, the
first chapters). The two then swap their page counts and the page of each id, so each writes
the right numbers into its placeholders ("(p. 12)", the contents, the folio "57 of 113"), and
each writes its pages as a tagged PDF (`commentary.pdf_tags`) with WeasyPrint. The back half's
PDF objects come to this process, which joins them to its own as one PDF:

- its pages after this one's, its structure elements after this one's in the `Document`
  element, the parent tree's numbers (pages first, then annotations) and the named
  destinations merged; its fonts stay its own subsets, under other subset tags;
- internal links to the other half's ids are kept (WeasyPrint would drop a link to an id that
  is not in its document: `weasyprint.pdf.resolve_links` is replaced while writing), and the
  outline is made once, from both halves' bookmarks, after the pages are joined.

Where no process can be forked (no `fork` start method, other threads running), for a short
document, or if the other process fails otherwise than with `PdfError`, the whole document is
laid out and written by this process (`write_whole`), which gives the same PDF.

These steps use WeasyPrint 70's internals (`weasyprint.pdf.resolve_links`, `add_outlines`,
`Document.make_bookmark_tree`, the finisher's pydyf objects) and pydyf 0.13's (`PDF.objects`,
the page tree's `Kids`, `_to_bytes`), which `pyproject.toml` pins; pydyf compresses at level 6
instead of 9 here (`_Zlib`): the file is about 3% larger, written in half the time.
"""

from __future__ import annotations

import multiprocessing
import re
import sys
import traceback
import xml.etree.ElementTree as etree
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace

import pydyf

from commentary import pdf_layout, pdf_tags
from commentary.pdf import PDF_VARIANT, PdfError
from commentary.pdf import can_fork as _can_fork  # the name tests replace

# Below this many characters of text, one process writes the PDF: a second costs more than it
# saves (forking, sending the objects, joining them).
MIN_TEXT_TO_SPLIT = 100_000
# The share of the document's text laid out by the second process.
BACK_SHARE = 0.5
# zlib's compression level for streams (pydyf asks for 9).
LEVEL = 6
# A reference to an indirect object, as pydyf writes it.
REFERENCE = re.compile(rb"(\d+) 0 R")
# 72 PDF points per inch / 96 CSS pixels per inch: WeasyPrint's scale at zoom 1.
SCALE = 0.75


class _Fallback(Exception):
    """The PDF cannot be written in two processes; one process writes it instead."""


def write(weasyprint, tree: etree.Element, base_url: str, size: str, target) -> None:
    """Lay out and write the document `tree` as a tagged PDF to `target`, in two processes."""
    halves = _halves(tree)
    if halves is not None and _can_fork():
        try:
            _write_in_two(weasyprint, *halves, pdf_layout.placeholder_digits(tree), base_url, size,
                          target)
            return
        except _Fallback as fallback:
            if fallback.args or fallback.__cause__ is not None:  # a failure, not a too-short count
                reason = str(fallback.args[0] if fallback.args else fallback.__cause__)
                last = (reason.strip().splitlines() or ["no reason given"])[-1]
                print("commentary.pdf: the second process failed; the PDF is written by one "
                      f"process instead (slower): {last}", file=sys.stderr)
    write_whole(weasyprint, tree, base_url, size, target)


def write_whole(weasyprint, tree: etree.Element, base_url: str, size: str, target) -> None:
    """Lay out and write the document `tree` as a tagged PDF to `target`, in this process."""
    rendered = pdf_layout.render(weasyprint, tree, base_url, size)
    pages = pdf_layout.anchor_pages(rendered)
    _finish_layout(rendered, pages, 1, len(rendered.pages))
    with pdf_tags.Tagger(pages) as tagger, _compression():
        rendered.write_pdf(target, pdf_variant=PDF_VARIANT, finisher=tagger.finish)


def _finish_layout(rendered, pages: dict[str, int], first: int, total: int) -> None:
    """Write the page numbers in, join the leaders' dots, keep one annotation a link."""
    pdf_layout.join_leader_dots(rendered)
    pdf_layout.fill_page_numbers(rendered, pages)
    pdf_layout.fill_folios(rendered, first, total)
    pdf_tags.keep_one_link_annotation_per_link(rendered)


# ---- the two halves ------------------------------------------------------------------------------


def _halves(tree: etree.Element) -> tuple[etree.Element, etree.Element] | None:
    """The document as two documents, split before the chapter that best halves its text.

    None for a short document or one with nothing to split. The two share the original's
    elements, which stays whole (ElementTree elements do not know their parent).
    """
    body = tree.find("body")
    sizes = [sum(len(text) for text in child.itertext()) for child in body]
    total = sum(sizes)
    if total < MIN_TEXT_TO_SPLIT:
        return None
    splits = [
        index for index in range(1, len(body))
        if all("chapter" in (child.get("class") or "").split() for child in body[index:])
    ]
    if not splits:
        return None
    split = min(splits, key=lambda index: abs(sum(sizes[index:]) - BACK_SHARE * total))
    return _with_body(tree, list(body)[:split]), _with_body(tree, list(body)[split:])


def _with_body(tree: etree.Element, children: list[etree.Element]) -> etree.Element:
    """A copy of the document whose body holds `children` (the head and attributes the same)."""
    root = etree.Element(tree.tag, tree.attrib)
    for part in tree:
        if part.tag == "body":
            body = etree.SubElement(root, "body", part.attrib)
            body.text = part.text
            body.extend(children)
        else:
            root.append(part)
    return root


def _write_in_two(weasyprint, front, back, digits: int, base_url: str, size: str, target):
    """Lay out and write the front half here and the back half in a forked process."""
    context = multiprocessing.get_context("fork")
    here, there = context.Pipe()
    process = context.Process(
        target=_back_half, args=(there, weasyprint, back, digits, base_url, size), daemon=True
    )
    process.start()
    there.close()
    try:
        rendered = pdf_layout.render(weasyprint, front, base_url, size, digits)
        count, theirs = _receive(here, "laid")
        total = len(rendered.pages) + count
        if len(str(total)) > digits:  # placeholders too short: laid out again, in one process
            here.send(None)
            raise _Fallback
        pages = {anchor: len(rendered.pages) + page for anchor, page in theirs.items()}
        pages.update(pdf_layout.anchor_pages(rendered))
        here.send((len(rendered.pages), total, pages))
        _finish_layout(rendered, pages, 1, total)

        def finisher(document, pdf: pydyf.PDF) -> None:
            tagger.finish(document, pdf)
            part = _receive(here, "written")
            _join(pdf, part)
            from weasyprint.document import Document
            from weasyprint.pdf.anchors import add_outlines

            both = SimpleNamespace(pages=[*rendered.pages, *part.bookmarks])
            add_outlines(pdf, Document.make_bookmark_tree(both, SCALE, transform_pages=True))

        # The outline is made by the finisher, once the back half's pages are in the PDF.
        rendered.make_bookmark_tree = lambda *args, **kwargs: []
        with pdf_tags.Tagger(pages) as tagger, _links_to(set(theirs)), _compression():
            rendered.write_pdf(target, pdf_variant=PDF_VARIANT, finisher=finisher)
    finally:
        process.kill()
        process.join()
        here.close()


def _receive(connection, expected: str):
    """The other process's next message, which must be `expected`; else the reason why not."""
    try:
        kind, value = connection.recv()
    except (EOFError, OSError) as error:
        raise _Fallback from error
    if kind == "error":
        raise PdfError(value)
    if kind != expected:
        raise _Fallback(value)
    return value


def _back_half(connection, weasyprint, tree, digits: int, base_url: str, size: str) -> None:
    """The forked process: lay out the back half, learn its page numbers, send its PDF objects."""
    try:
        rendered = pdf_layout.render(weasyprint, tree, base_url, size, digits)
        own = pdf_layout.anchor_pages(rendered)
        connection.send(("laid", (len(rendered.pages), own)))
        numbering = connection.recv()
        if numbering is None:
            return
        offset, total, pages = numbering
        _finish_layout(rendered, pages, offset + 1, total)

        def finisher(document, pdf: pydyf.PDF) -> None:
            tagger.finish(document, pdf)
            bookmarks = [SimpleNamespace(bookmarks=p.bookmarks, height=p.height)
                         for p in rendered.pages]
            connection.send(("written", _export(pdf, bookmarks)))
            pdf.write = lambda *args, **kwargs: None  # the objects are written by the other process

        rendered.make_bookmark_tree = lambda *args, **kwargs: []
        with pdf_tags.Tagger(pages) as tagger, _links_to(set(pages) - set(own)):
            rendered.write_pdf(None, pdf_variant=PDF_VARIANT, finisher=finisher)
    except PdfError as error:
        connection.send(("error", str(error)))
    except BaseException:
        connection.send(("failed", traceback.format_exc()))


@contextmanager
def _links_to(anchors: set[str]):
    """While active, WeasyPrint keeps internal links to `anchors`, ids of the other half.

    `weasyprint.pdf.resolve_links` lists each page's links and named destinations, and drops
    (with an error) a link to an id that is in none of the pages it is given; this one does the
    same but for links to `anchors`, whose named destinations the other half's PDF brings.
    """
    from weasyprint import pdf as weasyprint_pdf

    def resolve_links(pages):
        known, listed = set(anchors), []
        for page in pages:
            listed.append([
                (name, x, y) for name, (x, y, _, _) in page.anchors.items() if name not in known
            ])
            known.update(page.anchors)
        for page, destinations in zip(pages, listed, strict=True):
            links = [link for link in page.links if link[0] != "internal" or link[1] in known]
            yield links, destinations

    original = weasyprint_pdf.resolve_links
    weasyprint_pdf.resolve_links = resolve_links
    try:
        yield
    finally:
        weasyprint_pdf.resolve_links = original


class _Zlib:
    """pydyf's `zlib` while `_compression` is active: streams compressed at `LEVEL`."""

    compress = staticmethod(zlib.compress)

    @staticmethod
    def compressobj(level: int = -1, *args, **kwargs):
        return zlib.compressobj(LEVEL, *args, **kwargs)


@contextmanager
def _compression():
    """While active, pydyf compresses streams at `LEVEL` instead of 9 (pydyf 0.13's only level)."""
    original = pydyf.zlib
    pydyf.zlib = _Zlib
    try:
        yield
    finally:
        pydyf.zlib = original


# ---- sending one half's PDF objects and joining them to the other's -----------------------------


@dataclass
class _Part:
    """One half's PDF, as the objects the other half's PDF needs, under their own numbers."""

    objects: dict[int, pydyf.Object]  # number -> object, every object the pages and elements use
    pages: list[int]  # the pages' numbers, in order
    page_tree: int  # the number of the page tree (the pages' parent), which is not sent
    document: int  # the number of the `Document` element (the elements' parent), not sent
    elements: list[bytes]  # references to the `Document` element's kids, in order
    nums: list  # the parent tree's numbers: (key, value) pairs, pages then annotations
    destinations: list  # the named destinations: (name, destination) pairs
    bookmarks: list  # each page's bookmarks and height, for the outline


def _export(pdf: pydyf.PDF, bookmarks: list) -> _Part:
    """What another PDF needs of this one's pages: their objects, with streams compressed."""
    objects = pdf.objects
    catalog = pdf.catalog
    root = objects[_number(catalog["StructTreeRoot"])]
    document = objects[_number(root["K"][0])]
    nums = objects[_number(root["ParentTree"])]["Nums"]
    names = catalog.get("Names", {}).get("Dests", {}).get("Names", [])
    destinations = _pairs(names)
    pages = [_number(reference) for reference in pdf.page_references]
    kept = {pdf.pages.number, document.number}
    unwanted = {catalog.number, root.number, _number(root["ParentTree"])}
    found: dict[int, pydyf.Object] = {}
    pending = [*pages, *map(_number, document["K"]), *(
        _number(item) for _, destination in destinations for item in destination
        if _is_reference(item)
    )]
    while pending:
        number = pending.pop()
        if number in found or number in kept:
            continue
        if number in unwanted:
            raise RuntimeError(f"object {number} refers to the catalog or the structure root")
        found[number] = _portable(objects[number])
        pending.extend(_references(found[number]))
    return _Part(
        found, pages, pdf.pages.number, document.number, list(document["K"]),
        _pairs(nums), destinations, bookmarks,
    )


def _portable(item: pydyf.Object) -> pydyf.Object:
    """An object as it can be pickled: a stream becomes a plain pydyf stream, compressed."""
    if not isinstance(item, pydyf.Stream):
        return item
    data = b"\n".join(pydyf._to_bytes(part) for part in item.stream)
    extra = pydyf.Dictionary(item.extra)
    if item.compress:
        extra["Filter"] = "/FlateDecode"
        data = zlib.compress(data, LEVEL)
    return pydyf.Stream([data], extra)


def _join(pdf: pydyf.PDF, part: _Part) -> None:
    """Add the other half's pages, elements, parent-tree numbers and destinations to `pdf`."""
    objects = pdf.objects
    root = objects[_number(pdf.catalog["StructTreeRoot"])]
    document = objects[_number(root["K"][0])]
    parent_tree = objects[_number(root["ParentTree"])]
    numbers = {part.page_tree: pdf.pages.number, part.document: document.number}
    for number in sorted(part.objects):
        pdf.add_object(part.objects[number])
        numbers[number] = part.objects[number].number
    seen: set[int] = set()
    for item in part.objects.values():
        _renumber(item, numbers, seen)
        if isinstance(item, dict) and item.get("Type") in ("/Font", "/FontDescriptor"):
            _retag(item)

    # Parent tree: this half's pages, the other's, this half's annotations, the other's.
    own_pages = len(pdf.pages["Kids"]) // 3
    count = len(part.pages)
    mine = _pairs(parent_tree["Nums"])
    annotations = [(key + count, value) for key, value in mine if key >= own_pages]
    theirs = [(key + own_pages, _renumbered(value, numbers)) for key, value in part.nums]
    their_pages = [(key, value) for key, value in theirs if key < own_pages + count]
    their_annotations = [
        (key + len(annotations), value) for key, value in theirs if key >= own_pages + count
    ]
    for page in pdf.page_references:
        _shift_annotations(pdf, objects[_number(page)], count)
    for number in part.pages:
        page = objects[numbers[number]]
        page["StructParents"] += own_pages
        _shift_annotations(pdf, page, own_pages + len(annotations))
        pdf.pages["Kids"].extend([page.number, 0, "R"])
        pdf.pages["Count"] += 1
    pairs = [pair for pair in mine if pair[0] < own_pages] + their_pages
    pairs += annotations + their_annotations
    parent_tree["Nums"] = pydyf.Array([item for pair in pairs for item in pair])

    document["K"].extend(_renumbered(kid, numbers) for kid in part.elements)

    if part.destinations:
        names = pdf.catalog.setdefault("Names", pydyf.Dictionary())
        destinations = names.setdefault("Dests", pydyf.Dictionary({"Names": pydyf.Array()}))
        listed = _pairs(destinations["Names"])
        listed += [(name, _renumbered(where, numbers)) for name, where in part.destinations]
        listed.sort(key=lambda pair: pair[0].string)
        destinations["Names"] = pydyf.Array([item for pair in listed for item in pair])


def _shift_annotations(pdf: pydyf.PDF, page: pydyf.Dictionary, by: int) -> None:
    """Move the parent-tree keys of a page's annotations by `by`."""
    for reference in page.get("Annots", ()):
        annotation = pdf.objects[_number(reference)]
        if "StructParent" in annotation:
            annotation["StructParent"] += by


def _retag(font: pydyf.Dictionary) -> None:
    """Give a font subset from the other half a subset tag of its own (ROT13 of the tag)."""
    for key in ("BaseFont", "FontName"):
        name = font.get(key)
        if isinstance(name, bytes) and re.match(rb"/[A-Z]{6}\+", name):
            tag = bytes((letter - 65 + 13) % 26 + 65 for letter in name[1:7])
            font[key] = b"/" + tag + name[7:]


def _pairs(items: list) -> list[tuple]:
    """A flat PDF array of keys and values (a number tree's, a name tree's) as pairs."""
    return list(zip(items[0::2], items[1::2], strict=True))


def _is_reference(value) -> bool:
    return type(value) is bytes and REFERENCE.fullmatch(value) is not None


def _number(reference: bytes) -> int:
    return int(reference.split(b" ", 1)[0])


def _references(item) -> list[int]:
    """The numbers of the objects an object refers to."""
    found: list[int] = []

    def walk(value) -> None:
        if _is_reference(value):
            found.append(_number(value))
        elif isinstance(value, pydyf.Stream):
            walk(value.extra)
        elif isinstance(value, dict):
            for child in value.values():
                walk(child)
        elif isinstance(value, (list, tuple)):
            for child in value:
                walk(child)

    if not _is_reference(item):  # the references inside the object, not the object itself
        walk(item)
    return found


def _renumbered(value, numbers: dict[int, int], seen: set[int] | None = None):
    """A value with its references renumbered: objects written inside it are changed in place."""
    if _is_reference(value):
        return b"%d 0 R" % numbers[_number(value)]
    if isinstance(value, tuple):
        return tuple(_renumbered(item, numbers, seen) for item in value)
    if isinstance(value, (dict, list, pydyf.Stream)):
        _renumber(value, numbers, set() if seen is None else seen)
    return value


def _renumber(item, numbers: dict[int, int], seen: set[int]) -> None:
    """Renumber, in place, the references in an object and in the objects written inside it."""
    if id(item) in seen:
        return
    seen.add(id(item))
    container = item.extra if isinstance(item, pydyf.Stream) else item
    keys = list(container) if isinstance(container, dict) else range(len(container))
    for key in keys:
        container[key] = _renumbered(container[key], numbers, seen)
