"""The project's Markdown extension: what the build adds to pages, under MkDocs and Zensical alike.

Fed by the site model (`Site.extension_data()`), it
- fills in the footnote definition of every `[^key]` a page cites but does not define, from the
  bibliography (a short citation and a link to the full reference on the sources page);
- replaces marker lines (`<!-- commentary:NAME -->`) with generated blocks: the bibliography,
  "how to cite", the chart of contacts;
- adds "Discussed in" backlinks at the end of each timeline and glossary entry that pages cite;
- points the back-link of a footnote cited inside an annotation at the annotated block;
- renders Material's content annotations at build time, as popovers that open without script
  (`_Annotations`, below).

Python-Markdown does not tell an extension which page it is converting, so the build puts one
stamp line before each page's text (`stamp()`); the extension reads it and takes it away. MkDocs
gets the extension as an instance from the hook; Zensical, which runs no hooks, gets it by name with
`data:` naming a JSON file that the build wrote from the same site model.
"""

from __future__ import annotations

import json
import posixpath
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import markdown
from markdown import util
from markdown.extensions import Extension
from markdown.extensions.footnotes import RE_REFERENCE, FootnoteBlockProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

# The first line the build puts before a page's text: which page this is.
STAMP_PREFIX = "<!-- commentary-page: "
STAMP_SUFFIX = " -->"
# A whole line that asks for a generated block.
MARKER_PREFIX = "<!-- commentary:"
MARKER_SUFFIX = " -->"
HEADING_LEVELS = {f"h{n}": n for n in range(1, 7)}
# An inline code span: a run of backticks, text that stays in one paragraph, the same run again.
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.DOTALL)
# The engine's placeholders inside tree text (stashed HTML, escaped characters).
PLACEHOLDER = re.compile(f"{util.STX}[^{util.ETX}]*{util.ETX}")
# An annotation marker as Material finds it in text, "(3)" (or "(3)!"), with the white space
# before it: (1) the space, (2) the number.
ANNOTATION_MARKER = re.compile(r"(\s*)\((\d+)\)!?")
# Elements whose text holds no annotation marker: code, and links (a button cannot sit in one).
NO_MARKERS = frozenset({"code", "pre", "kbd", "samp", "a", "script", "style"})


def stamp(src_uri: str) -> str:
    """The line that tells the extension which page follows."""
    return f"{STAMP_PREFIX}{src_uri}{STAMP_SUFFIX}\n"


@dataclass
class Data:
    """What the extension needs to render any page of one site (JSON-serialisable)."""

    footnotes: dict[str, str] = field(default_factory=dict)
    markers: dict[str, Any] = field(default_factory=dict)
    backlinks: dict[str, dict[str, list[tuple[str, str]]]] = field(default_factory=dict)
    sources_page: str = "sources.md"
    # Generated files this build will not write (the PDF under --no-pdf with no earlier one):
    # links to them are taken out of the pages rather than left to lead nowhere.
    absent: list[str] = field(default_factory=list)

    def dump(self, path: Path) -> None:
        """Write the data as JSON, for an engine that loads the extension by name."""
        path.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def read(cls, path: str | Path) -> Data:
        """Read data written by `dump`."""
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


class _Page(Preprocessor):
    """Reads the stamp and fills in marker lines."""

    def __init__(self, md: markdown.Markdown, ext: CommentaryExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        self.ext.page = ""
        if lines and lines[0].startswith(STAMP_PREFIX) and lines[0].endswith(STAMP_SUFFIX):
            self.ext.page = lines[0][len(STAMP_PREFIX) : -len(STAMP_SUFFIX)]
            lines = lines[1:]
        out: list[str] = []
        for line in lines:
            name = _marker(line)
            if name is None:
                out.append(line)
            else:
                out.extend(self._block(name).split("\n"))
        return out

    def _block(self, name: str) -> str:
        """The generated block for a marker; a marker the data does not know stays visible."""
        value = self.ext.data.markers.get(name)
        if isinstance(value, dict):
            value = value.get(self.ext.page)
        if value is None:
            return f"<!-- commentary:{name} (nothing generated) -->"
        return value


class _Definitions(Preprocessor):
    """Adds the bibliography's footnote definitions for the keys a page cites without defining.

    It runs once included files are in the text and fenced code is stashed away, and it leaves
    out inline code, so a key written in code is not a citation and one in an included part is.
    """

    def __init__(self, md: markdown.Markdown, ext: CommentaryExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        return lines + self._definitions(lines)

    def _definitions(self, lines: list[str]) -> list[str]:
        """Definitions for the bibliography keys the page cites without defining them."""
        text = CODE_SPAN.sub("", "\n".join(lines))
        defined = {m.group(1) for m in FootnoteBlockProcessor.RE.finditer(text)}
        cited = dict.fromkeys(m.group(1) for m in RE_REFERENCE.finditer(text))
        page_dir = posixpath.dirname(self.ext.page)
        sources = posixpath.relpath(self.ext.data.sources_page, page_dir or ".")
        added = []
        for key in cited:
            short = self.ext.data.footnotes.get(key)
            if key in defined or short is None:
                continue
            added.append(f"[^{key}]: {short}; [full reference]({sources}#{key}).")
        return ["", *added] if added else []


class _Backlinks(Treeprocessor):
    """Adds "Discussed in" lines to entries, and retargets footnote back-links in annotations."""

    def __init__(self, md: markdown.Markdown, ext: CommentaryExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        incoming = self.ext.data.backlinks.get(self.ext.page, {})
        if incoming:
            add_backlinks(root, incoming)
        retarget_annotation_backlinks(root)
        if self.ext.data.absent:
            drop_links_to(root, self.ext.page, set(self.ext.data.absent))


def drop_links_to(root: etree.Element, page: str, absent: set[str]) -> None:
    """Take out the links from `page` to files that will not exist, keeping their words.

    A link that is all its paragraph holds (a download button) goes with its paragraph.
    """
    emptied: list[etree.Element] = []
    for parent, link in iterparent(root):
        if link.tag != "a":
            continue
        href = link.get("href", "").split("#")[0].split("?")[0]
        if not href or "://" in href:
            continue
        if posixpath.normpath(posixpath.join(posixpath.dirname(page), href)) not in absent:
            continue
        siblings = list(parent)
        alone = len(siblings) == 1 and not (parent.text or "").strip()
        if alone and not (link.tail or "").strip() and parent.tag == "p":
            emptied.append(parent)
            continue
        words = "".join(link.itertext()) + (link.tail or "")
        index = siblings.index(link)
        if index:
            siblings[index - 1].tail = (siblings[index - 1].tail or "") + words
        else:
            parent.text = (parent.text or "") + words
        parent.remove(link)
    for parent, paragraph in iterparent(root):
        if any(paragraph is gone for gone in emptied):
            parent.remove(paragraph)


def classes(element: etree.Element) -> set[str]:
    """The element's classes."""
    return set((element.get("class") or "").split())


def heading_text(element: etree.Element, skip: frozenset[str] = frozenset({"headerlink"})) -> str:
    """A heading's visible text, without its permalink (or any element of a class in `skip`)
    and without the engine's placeholders. The one helper for it: scan, timeline and PDF."""
    pieces: list[str] = []

    def walk(node: etree.Element) -> None:
        if classes(node) & skip:
            return
        pieces.append(node.text or "")
        for child in node:
            walk(child)
            pieces.append(child.tail or "")

    walk(element)
    return PLACEHOLDER.sub("", "".join(pieces)).strip()


def iterparent(root: etree.Element) -> Iterator[tuple[etree.Element, etree.Element]]:
    """Every (parent, child) pair under `root`, from a snapshot (safe to edit while iterating)."""
    for parent in list(root.iter()):
        for child in list(parent):
            yield parent, child


def add_backlinks(root: etree.Element, incoming: dict[str, list[tuple[str, str]]]) -> None:
    """At the end of each entry whose heading id is cited, list the citing sections.

    An entry runs from its heading to the next heading of the same or a higher level, or to the
    end of the block that holds it (a timeline entry's `<div>`). A heading followed by a deeper one
    opens a section of entries, not an entry: its entries carry the backlinks.
    """
    for parent, heading in iterparent(root):
        level = HEADING_LEVELS.get(heading.tag if isinstance(heading.tag, str) else "")
        links = incoming.get(heading.get("id", "")) if level else None
        if not links:
            continue
        siblings = list(parent)
        end = len(siblings)
        for index in range(siblings.index(heading) + 1, len(siblings)):
            other = _first_heading_level(siblings[index])
            if other is None:
                continue
            end = index if other <= level else -1
            break
        if end < 0:
            continue
        parent.insert(end, _backlinks_paragraph(links))


def _first_heading_level(element: etree.Element) -> int | None:
    """The level of the first heading at or inside `element`, in document order."""
    for node in element.iter():
        level = HEADING_LEVELS.get(node.tag if isinstance(node.tag, str) else "")
        if level:
            return level
    return None


def _backlinks_paragraph(links: list[tuple[str, str]]) -> etree.Element:
    """`<p class="backlinks"><em>Discussed in:</em> <a>…</a>, <a>…</a></p>`."""
    paragraph = etree.Element("p", {"class": "backlinks"})
    label = etree.SubElement(paragraph, "em")
    label.text = "Discussed in:"
    label.tail = " "
    for number, (title, href) in enumerate(links):
        link = etree.SubElement(paragraph, "a", {"href": href})
        link.text = title
        link.tail = ", " if number < len(links) - 1 else ""
    paragraph.tail = "\n"
    return paragraph


def annotated_blocks(
    root: etree.Element,
) -> Iterator[tuple[etree.Element, etree.Element, etree.Element]]:
    """Every block marked `annotate` that has notes, as (parent, block, notes).

    The notes are the `ol` right after the block, as Material reads them; each is found when
    its block is reached, so a caller may edit the tree between blocks (`iterparent`).
    """
    for parent, block in iterparent(root):
        if "annotate" not in classes(block):
            continue
        siblings = list(parent)
        index = siblings.index(block)
        notes = siblings[index + 1] if index + 1 < len(siblings) else None
        if notes is not None and notes.tag == "ol":
            yield parent, block, notes


def retarget_annotation_backlinks(root: etree.Element) -> None:
    """Point the back-link of a footnote cited inside an annotation at the annotated block.

    Material shows an annotation's text only while it is open, so a back-link to a reference
    inside it would lead nowhere; the reader lands on the block that carries the marker instead.
    The anchor is an empty element before the block: an id on the block itself would make
    Material turn its markers into links to ids it never creates. An annotation list is the `ol`
    that directly follows a block marked `annotate`, as Material reads it.
    """
    targets: dict[str, str] = {}
    number = 0
    for parent, block, notes in annotated_blocks(root):
        index = list(parent).index(block)
        refs = [
            sup.get("id", "") for sup in notes.iter("sup") if sup.get("id", "").startswith("fnref")
        ]
        if not refs:
            continue
        number += 1
        anchor = etree.Element("span", {"id": f"annotated-{number}"})
        parent.insert(index, anchor)
        targets.update(dict.fromkeys(refs, f"annotated-{number}"))
    if not targets:
        return
    for link in root.iter("a"):
        if "footnote-backref" in classes(link):
            ref = link.get("href", "").lstrip("#")
            if ref in targets:
                link.set("href", f"#{targets[ref]}")


# ---- Annotations that need no script ------------------------------------------------------
#
# Material turns the "(n)" markers of a `{ .annotate }` block into tooltips with its script while
# the page loads, and on a phone that work is most of what the page's script costs. The build
# does it instead, with the platform's popover attribute, so an annotation renders and opens
# without any script and the theme's script finds nothing to mount:
#
#   <p class="annotate">... in May 2016<span class="md-annotation"><span
#     class="annotation-number"> (1)</span><button type="button" class="md-annotation__index"
#     popovertarget="annotation-1-1" aria-label="Note 1" style="anchor-name: --annotation-1-1">
#     <span data-md-annotation-id="1"></span></button></span>.</p>
#   <ol class="md-annotation-list">
#     <li id="annotation-1-1" popover style="position-anchor: --annotation-1-1">...</li>
#   </ol>
#
# The block keeps its class, its list and the marker's text ("(1)", with the space before it):
# the seminar PDF (commentary/pdf.py) reads them from the built page and turns them into
# footnotes, and a browser without popovers shows the number and the list as they are written.
# The button and the number in the list reuse Material's annotation styles; commentary.css places
# an open note under its marker (CSS anchor positioning) and print.css prints the notes as a list.


class _Annotations(Treeprocessor):
    """Turns each annotation block's markers into buttons that open its notes as popovers."""

    def run(self, root: etree.Element) -> None:
        popover_annotations(root)


def popover_annotations(root: etree.Element) -> None:
    """Give every `.annotate` block's markers a popover button and its notes the popovers.

    An annotation list is the `ol` that directly follows the block, as Material and the PDF read
    it; marker n opens item n, and only the first "(n)" of each n is a marker. An item that no
    marker opens stays an ordinary list item, so no note is ever hidden.
    """
    number = 0
    for _, block, notes in annotated_blocks(root):
        items = [item for item in notes if item.tag == "li"]
        number += 1
        ids = [f"annotation-{number}-{n}" for n in range(1, len(items) + 1)]
        used = replace_markers(
            block, len(ids), lambda n, written, ids=ids: _marker_element(n, ids[n - 1], written),
            lambda element: "md-annotation" in classes(element),
        )
        if not used:
            continue
        notes.set("class", " ".join([*notes.get("class", "").split(), "md-annotation-list"]))
        for n, (item, note_id) in enumerate(zip(items, ids, strict=True), start=1):
            if n in used:
                item.set("id", note_id)
                item.set("popover", "")
                item.set("style", f"position-anchor: --{note_id}")


def replace_markers(
    block: etree.Element,
    count: int,
    make: Callable[[int, str], etree.Element],
    skip: Callable[[etree.Element], bool] = lambda element: False,
) -> set[int]:
    """Replace the first "(n)" of each n from 1 to `count` in the block's text; return those n.

    Each marker, with the white space before it, becomes `make(n, written)` (`written` is the
    marker's text as written, " (1)"). Markers are not looked for in code or links, nor inside
    an element for which `skip` is true. Shared by the site (popover buttons, below) and the
    PDF (footnotes, `commentary.pdf`), so both find the same markers.
    """
    used: set[int] = set()

    def split(text: str | None) -> tuple[str | None, list[tuple[etree.Element, str]]]:
        """The text before the first marker, and (marker, text after it) for each marker."""
        if not text:
            return text, []
        head: str | None = None
        pieces: list[tuple[etree.Element, str]] = []
        start = 0
        for match in ANNOTATION_MARKER.finditer(text):
            n = int(match.group(2))
            if not 1 <= n <= count or n in used:
                continue
            used.add(n)
            before = text[start : match.start()]
            if head is None:
                head = before
            else:
                pieces[-1] = (pieces[-1][0], before)
            pieces.append((make(n, match.group(0)), ""))
            start = match.end()
        if head is None:
            return text, []
        pieces[-1] = (pieces[-1][0], text[start:])
        return head, pieces

    def insert(element: etree.Element, position: int, pieces) -> None:
        for offset, (marker, tail) in enumerate(pieces):
            marker.tail = tail
            element.insert(position + offset, marker)

    def visit(element: etree.Element) -> None:
        if element.tag in NO_MARKERS:
            return
        head, pieces = split(element.text)
        if pieces:
            element.text = head
            insert(element, 0, pieces)
        for child in list(element):
            if skip(child):
                continue
            visit(child)
            head, pieces = split(child.tail)
            if pieces:
                child.tail = head
                insert(element, list(element).index(child) + 1, pieces)

    visit(block)
    return used


def _marker_element(n: int, note_id: str, written: str) -> etree.Element:
    """The marker: the number as written (for the PDF and old browsers) and the popover button."""
    marker = etree.Element("span", {"class": "md-annotation"})
    number = etree.SubElement(marker, "span", {"class": "annotation-number"})
    number.text = written
    button = etree.SubElement(marker, "button", {
        "type": "button",
        "class": "md-annotation__index",
        "popovertarget": note_id,
        "aria-label": f"Note {n}",
        "style": f"anchor-name: --{note_id}",
    })
    etree.SubElement(button, "span", {"data-md-annotation-id": str(n)})
    return marker


def _marker(line: str) -> str | None:
    """The name in a marker line, or None."""
    stripped = line.strip()
    if stripped.startswith(MARKER_PREFIX) and stripped.endswith(MARKER_SUFFIX):
        return stripped[len(MARKER_PREFIX) : -len(MARKER_SUFFIX)].strip()
    return None


class CommentaryExtension(Extension):
    """Registers the preprocessor and the tree processor; see the module's docstring."""

    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "data": ["", "the site's data: a Data object, or a JSON file from Data.dump"]
        }
        super().__init__(**kwargs)
        value = self.getConfig("data")
        self.data: Data = (
            value if isinstance(value, Data) else Data.read(value) if value else Data()
        )
        self.page = ""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.registerExtension(self)
        # Before pymdownx.snippets (32) and Python-Markdown's own preprocessors (30, 20).
        md.preprocessors.register(_Page(md, self), "commentary-page", 35)
        # After snippets (32) has included its files and fenced code (25) is stashed; before
        # raw HTML blocks (20) are, since entries hold their citations inside `<div markdown>`.
        md.preprocessors.register(_Definitions(md, self), "commentary-definitions", 22)
        # After footnotes (50) made its list and attr_list (8) set the explicit ids that entries
        # carry; before toc and MkDocs collect the page's anchors (5) and MkDocs rewrites links
        # to .md files into page addresses (0), so both see what this adds.
        md.treeprocessors.register(_Backlinks(md, self), "commentary-backlinks", 6)
        # After the footnote references (inline, 20) and abbreviations (7) are in the text, so
        # that markers are found in the text as it will be served.
        md.treeprocessors.register(_Annotations(md), "commentary-annotations", 5.5)


def makeExtension(**kwargs: Any) -> CommentaryExtension:
    """Python-Markdown's entry point, for engines that load extensions by name."""
    return CommentaryExtension(**kwargs)
