"""The tagged PDF: WeasyPrint 70's structure tree, completed for PDF/UA-1.

With `pdf_variant="pdf/ua-1"` WeasyPrint 70 writes a tagged PDF 1.7: a structure tree built from
its boxes (headings, paragraphs, lists, tables, links), `/Lang`, the title shown in the viewer's
title bar and the PDF/UA identification in the XMP metadata. What it leaves undone, and what
`Tagger.finish` does about it, once the tree is built and before the file is written:

- Page furniture. The text of the page-margin boxes (running heads, "3 of 55") is marked as
  content whose structure elements are left out of the tree ("allowed only in PDF 2.0", says
  WeasyPrint). Content that is in no element of the tree becomes a Pagination artifact.
- Footnotes. A footnote call is a `NonStruct` in the text and its note a `Span` in a `NonStruct`
  footnote area after the page's text. The call becomes a `Reference`, the note a `Note` with an
  `/ID`, moved to just after its call (after the heading, for a call in a heading), and the
  note's number a `Lbl`: a screen reader reads each note where it is called.
- Pages. The tree is built page by page, so a chapter, a paragraph or a list that runs over a
  page break is two elements. Consecutive elements made from the same HTML element are merged
  into one (a table head repeated on the next page becomes a Pagination artifact).
- Links. WeasyPrint gives every box inside a link a link annotation of its own, and makes the
  link's pseudo-elements links of their own; `keep_one_link_annotation_per_link` drops the
  copies before the PDF is written, and the pseudo-elements' text (the "(p. 12)" of a page
  reference, the page number in the contents) joins its link. The contents' dotted leaders
  become Layout artifacts. Each link annotation is described by its text and the page it leads
  to, or its address, instead of its target's id.
- Header cells get `/Scope` (Column or Row, from the `scope` the document gives each `<th>`)
  besides the `/Headers` and `/ID`s WeasyPrint writes; an inline SVG's `/Alt` is its `<title>`
  and `<desc>`, not the title alone; `<abbr title>` gives a `/Span` with its expansion (`/E`);
  `<code>` a `/Code`.

How: while WeasyPrint builds the tree, `Tagger` records which box each structure element was made
for (it wraps `weasyprint.pdf.tags._build_box_tree`, the one function that makes the elements, for
the duration of the `with` block), and WeasyPrint's `finisher` hook then calls `Tagger.finish`
with the pydyf objects, before the file is written. These are WeasyPrint 70 internals
(`pyproject.toml` pins `weasyprint~=70.0`); tests/test_pdf.py checks the resulting tree.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pydyf

from commentary.chart import SVG_NS
from commentary.pdf import _same_address

# Structure types a footnote call may sit in, inside a heading (its note goes after the heading).
HEADINGS = frozenset({"/H1", "/H2", "/H3", "/H4", "/H5", "/H6"})
SVG = f"{{{SVG_NS}}}"  # an SVG element's tag as ElementTree names it


def keep_one_link_annotation_per_link(rendered) -> None:
    """Keep the link annotations of links' own boxes, not of the boxes inside them.

    WeasyPrint 70 gives every box inside a link (an `<em>`, the `::after` of a page reference)
    an annotation of its own with the same target, inside the link's; only the link's own boxes
    (one a line) carry the link (`box.link`).
    """
    for page in rendered.pages:
        page.links[:] = [link for link in page.links if link[3].link is not None]


class Tagger:
    """Records the box of each structure element WeasyPrint makes; `finish` completes the tree.

    `pages` maps every id in the document to its page number (from 1), for the links'
    descriptions.
    """

    def __init__(self, pages: dict[str, int]) -> None:
        self.pages = pages
        self.boxes: dict[int, object] = {}  # structure element's object number -> its box
        self._original = None

    def __enter__(self) -> Tagger:
        from weasyprint.pdf import tags

        self._original = original = tags._build_box_tree
        boxes = self.boxes

        def build_box_tree(box, parent, pdf, *args):
            if not isinstance(pdf, _PagesKnown):
                pdf = _PagesKnown(pdf)
            for element in original(box, parent, pdf, *args):
                # The innermost call made the element; the page's and the body's pass it on.
                boxes.setdefault(element.number, box)
                yield element

        tags._build_box_tree = build_box_tree
        return self

    def __exit__(self, *exc_info) -> None:
        from weasyprint.pdf import tags

        tags._build_box_tree = self._original

    def finish(self, document, pdf: pydyf.PDF) -> None:
        """WeasyPrint's finisher: complete the structure tree (see the module's docstring)."""
        _Tree(pdf, self.boxes, self.pages).complete()
        _describe_links(document, self.pages)


class _PagesKnown:
    """A pydyf PDF whose page references are listed once, not once per structure element.

    (`pydyf.PDF.page_references` builds the list anew at each use, and WeasyPrint 70 uses it
    for every element it makes: half a second for this PDF.)
    """

    def __init__(self, pdf: pydyf.PDF) -> None:
        self._pdf = pdf
        self.page_references = pdf.page_references

    def __getattr__(self, name: str):
        return getattr(self._pdf, name)


class _Tree:
    """The structure tree of one PDF being written, with the box of each element made for one."""

    def __init__(self, pdf: pydyf.PDF, boxes: dict[int, object], pages: dict[str, int]) -> None:
        self.pdf = pdf
        self.boxes = boxes
        self.pages = pages
        self.page_references = pdf.page_references
        self.page_numbers = {ref: index for index, ref in enumerate(self.page_references)}
        root = self.get(pdf.catalog["StructTreeRoot"])
        self.document = self.get(root["K"][0])
        self.nums = self.get(root["ParentTree"])["Nums"]
        self.absorbed: dict[int, pydyf.Dictionary] = {}  # element number -> element it joined
        self.artifacts: dict[tuple[int, int], str] = {}  # (page index, MCID) -> artifact type
        self.in_tree: set[int] = set()  # numbers of the elements in the finished tree

    def get(self, reference) -> pydyf.Object:
        """The object a reference (b"12 0 R") stands for."""
        if type(reference) is bytes:
            return self.pdf.objects[int(reference.split(b" ", 1)[0])]
        return reference

    def element(self, kid) -> pydyf.Dictionary | None:
        """The structure element a kid of `/K` refers to, or None (an MCID, an object reference)."""
        if type(kid) is bytes:
            target = self.pdf.objects[int(kid.split(b" ", 1)[0])]
            if target.get("Type") == "/StructElem":
                return target
        return None

    def children(self, element: pydyf.Dictionary) -> list[pydyf.Dictionary]:
        return [child for kid in element["K"] if (child := self.element(kid)) is not None]

    def walk(self, element: pydyf.Dictionary) -> Iterator[pydyf.Dictionary]:
        """The element and every element under it, in reading order."""
        yield element
        for child in self.children(element):
            yield from self.walk(child)

    # ---- the passes ------------------------------------------------------------------------

    def complete(self) -> None:
        calls, areas, leaders, pseudo_links = {}, [], [], []
        for element in list(self.walk(self.document)):
            box = self.boxes.get(element.number)
            if box is None:
                continue
            tag = box.element_tag or ""
            if type(box).__name__ == "FootnoteAreaBox":
                areas.append(element)
            elif tag.endswith("::footnote-call"):
                element["S"] = "/Reference"
                calls[id(box.element)] = element
            elif tag.endswith("::footnote-marker"):
                element["S"] = "/Lbl"
            elif box.is_leader:
                leaders.append(element)
            elif tag in ("a::before", "a::after") and element["S"] == "/Link":
                pseudo_links.append(element)
            else:
                self.describe(element, box)
        for area in areas:
            self.place_notes(area, calls)
        for leader in leaders:
            for page, mcid in self.mcids(leader):
                self.artifacts[page, mcid] = "/Layout"
            self.name_contents_entry(self.get(self.get(leader["P"])["P"]))
            self.detach(leader)
        for element in pseudo_links:
            parent = self.get(element["P"])
            if parent.get("S") == "/Link":
                self.absorb(element, parent, at=list(parent["K"]).index(element.reference))
        self.merge_fragments(self.document)
        self.make_artifacts()

    def describe(self, element: pydyf.Dictionary, box) -> None:
        """Add what the element's HTML says and WeasyPrint leaves out (scope, alternative text)."""
        html = box.element
        if element["S"] == "/TH":
            scope = "/Row" if html.get("scope") == "row" else "/Column"
            element["A"]["Scope"] = scope
        elif element["S"] == "/Figure" and html.tag == f"{SVG}svg":
            texts = [
                " ".join("".join(part.itertext()).split())
                for name in ("title", "desc")
                if (part := html.find(f"{SVG}{name}")) is not None
            ]
            if any(texts):
                element["Alt"] = pydyf.String(". ".join(text.rstrip(".") for text in texts if text))
        elif box.element_tag == "abbr" and html.get("title"):
            element["S"] = "/Span"
            element["E"] = pydyf.String(html.get("title"))
        elif box.element_tag == "code":
            element["S"] = "/Code"

    def name_contents_entry(self, link: pydyf.Dictionary) -> None:
        """Say a contents entry as "Title, page 3": its title and number are two runs of text."""
        box = self.boxes.get(link.number)
        if link.get("S") == "/Link" and box is not None:
            label = " ".join(" ".join(box.element.itertext()).split())
            page = self.pages.get(box.element.get("href", "")[1:])
            if label and page:
                link["Alt"] = pydyf.String(f"{label}, page {page}")

    def place_notes(self, area: pydyf.Dictionary, calls: dict[int, pydyf.Dictionary]) -> None:
        """Move each note of a footnote area to just after its call, as a `Note`."""
        for note in self.children(area):
            box = self.boxes.get(note.number)
            call = calls.get(id(box.element)) if box is not None else None
            if call is None:
                continue
            note["S"] = "/Note"
            note["ID"] = pydyf.String(box.element.get("id") or f"note-{note.number}")
            before = call
            parent = self.get(call["P"])
            for ancestor in self.ancestors(call):
                if ancestor.get("S") in HEADINGS:  # not inside the heading: after it
                    before, parent = ancestor, self.get(ancestor["P"])
                    break
            self.remove_kid(area, note)
            parent["K"].insert(list(parent["K"]).index(before.reference) + 1, note.reference)
            note["P"] = parent.reference
        if not area["K"]:
            self.detach(area)

    def merge_fragments(self, element: pydyf.Dictionary) -> None:
        """Join consecutive kids made from the same HTML element (split by a page break)."""
        self.in_tree.add(element.number)
        kept: list = []
        previous, previous_source, seen = None, None, set()
        for kid in list(element["K"]):
            child = self.element(kid)
            source = self.source(child)
            if source is not None and source == previous_source:
                self.absorb(child, previous)
                continue
            if source is not None and source in seen and source[1] in ("thead", "tfoot"):
                for page, mcid in self.mcids(child):  # a table head repeated on the next page
                    self.artifacts[page, mcid] = "/Pagination"
                self.absorbed[child.number] = element
                child.clear()
                continue
            kept.append(kid)
            previous, previous_source = child, source
            if source is not None:
                seen.add(source)
        element["K"][:] = kept
        for index in reversed(range(len(kept))):  # from the end: absorbing may change the length
            child = self.element(kept[index])
            if child is None:
                continue
            if child.number in self.boxes:
                self.merge_fragments(child)
            else:  # a `Span` WeasyPrint made for one run of text: its content joins the parent
                self.absorb(child, element, at=index)

    def make_artifacts(self) -> None:
        """Mark as artifacts the content in no element of the tree, and the content set aside.

        Run after `merge_fragments`, which lists the elements of the finished tree.
        """
        for index in range(0, len(self.nums), 2):
            key, value = self.nums[index], self.nums[index + 1]
            if isinstance(value, pydyf.Array):  # a page: the parent element of each MCID
                for mcid, reference in enumerate(value):
                    number = self.survivor(int(reference.split(b" ", 1)[0]))
                    if number not in self.in_tree:
                        self.artifacts.setdefault((key, mcid), "/Pagination")
                    value[mcid] = b"null" if (key, mcid) in self.artifacts else (
                        self.pdf.objects[number].reference
                    )
            else:  # an annotation: the element holding it
                number = self.survivor(int(value.split(b" ", 1)[0]))
                self.nums[index + 1] = self.pdf.objects[number].reference
        by_page: dict[int, dict[int, str]] = {}
        for (page, mcid), kind in self.artifacts.items():
            by_page.setdefault(page, {})[mcid] = kind
        for page, kinds in by_page.items():
            # In a page's content stream, marked content is "/Span", <</MCID n>>, "BDC".
            items = self.get(self.get(self.page_references[page])["Contents"]).stream
            for position, item in enumerate(items):
                if isinstance(item, pydyf.Dictionary) and item.get("MCID") in kinds:
                    items[position - 1] = "/Artifact"
                    items[position] = pydyf.Dictionary({"Type": kinds[item["MCID"]]})

    # ---- tree edits ------------------------------------------------------------------------

    def source(self, element: pydyf.Dictionary | None) -> tuple[int, str] | None:
        """The HTML element (and pseudo-element) a structure element was made for."""
        box = self.boxes.get(element.number) if element is not None else None
        if box is None or box.element is None:
            return None
        return id(box.element), box.element_tag

    def absorb(self, element: pydyf.Dictionary, into: pydyf.Dictionary, at: int | None = None):
        """Put `element`'s kids into `into` (at `at`, or at the end, for `element` if there)."""
        kids = []
        for kid in element["K"]:
            if isinstance(kid, int) and element.get("Pg") != into.get("Pg"):
                kid = pydyf.Dictionary({"Type": "/MCR", "Pg": element["Pg"], "MCID": kid})
            elif (child := self.element(kid)) is not None:
                child["P"] = into.reference
            kids.append(kid)
        if at is None:
            into["K"].extend(kids)
        else:
            into["K"][at:at + 1] = kids
        self.absorbed[element.number] = into
        element.clear()

    def detach(self, element: pydyf.Dictionary) -> None:
        """Take an element out of the tree (content left in it becomes an artifact)."""
        self.remove_kid(self.get(element["P"]), element)
        element.clear()

    def remove_kid(self, parent: pydyf.Dictionary, element: pydyf.Dictionary) -> None:
        parent["K"].remove(element.reference)

    def survivor(self, number: int) -> int:
        """The number of the element that element `number` was merged into, if it was."""
        while number in self.absorbed:
            number = self.absorbed[number].number
        return number

    def ancestors(self, element: pydyf.Dictionary) -> Iterator[pydyf.Dictionary]:
        while "P" in element and element is not self.document:
            element = self.get(element["P"])
            if element.get("Type") != "/StructElem":
                return
            yield element

    def mcids(self, element: pydyf.Dictionary) -> Iterator[tuple[int, int]]:
        """(page index, MCID) of all the content marked under an element."""
        page = self.page_numbers.get(element.get("Pg"))
        for kid in element["K"]:
            if isinstance(kid, int):
                yield page, kid
            elif isinstance(kid, pydyf.Dictionary) and kid.get("Type") == "/MCR":
                yield self.page_numbers[kid["Pg"]], kid["MCID"]
            elif (child := self.element(kid)) is not None:
                yield from self.mcids(child)


def _describe_links(document, pages: dict[str, int]) -> None:
    """Describe each link annotation by the link's text and where it leads."""
    for page in document.pages:
        for kind, target, _, box in page.links:
            annotation = box.link_annotation
            if annotation is None:
                continue
            label = " ".join(itertools.chain.from_iterable(
                text.split() for text in box.element.itertext()
            ))
            if kind == "internal" and target in pages:
                where = f"page {pages[target]}"
                description = f"{label}, {where}" if label else where.capitalize()
            elif label and not _same_address(label, target):
                description = f"{label}, {target}"
            else:
                description = target
            annotation["Contents"] = pydyf.String(description)
