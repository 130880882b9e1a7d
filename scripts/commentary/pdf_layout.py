"""Laying the seminar PDF out with WeasyPrint 70 in one pass.

`render` lays out the document that `commentary.pdf` builds; `anchor_pages`,
`join_leader_dots` and `fill_page_numbers` then finish the laid-out pages before they are drawn.
Each step below removes work WeasyPrint 70 would otherwise do several times over; together they
took the 55-page edition from about 20 times MkDocs' build time to well under half of that (see
the README, "The seminar PDF", for the measurements and what the time goes to).

- Page numbers. With CSS `target-counter()`, WeasyPrint lays out again every page that holds one
  once the target's page is known, and again once the page count is known (its `pages` counter
  changes for every page), so the 645 page references and the contents cost most pages three
  layouts. Instead each prints a placeholder as wide as its widest number, "(p. 00)", the
  document is laid out once, and `fill_page_numbers` writes each number into its text box,
  right-aligned in the placeholder's width, so that no line moves; a contents line's dotted
  leader gains the dots that then fit before its number.
- Dotted leaders. WeasyPrint lays out `leader(".")` as one text box a dot, some five thousand on
  the two pages of contents, each then drawn and tagged alone; `join_leader_dots` makes each
  leader one run of the same dots at the same places.
- Footnote areas. Each time a note joins a page, WeasyPrint lays out the page's whole footnote
  area again to learn its height (`LayoutContext._update_footnote_area`), so a page with twenty
  notes lays out 210 notes. `_NoteByNote` lays out each note once, alone, and adds the heights
  and the margins between them. Every sum is checked against the footnote area WeasyPrint lays
  out in full for drawing each page; if one differs, the document is laid out again WeasyPrint's
  own way (`render`'s `footnotes_measured_note_by_note` attribute says which way was kept).

These steps use WeasyPrint 70's internals (`Page._page_box`, `TextBox`, the leader box,
`LayoutContext`), which `pyproject.toml` pins (`weasyprint~=70.0`); tests/test_pdf.py checks
the printed page numbers, the contents and the footnotes of the real PDF.
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as etree

from commentary.pdf import STYLESHEET, PdfError

# A page reference as printed: "(p. 12)", with a no-break space.
PAGE_REFERENCE = "(p.\u00a0{})"
# The folio at the foot of a page: "3 of 55".
FOLIO = "{} of {}"
# Characters of text a page holds at the least (about 3,000 on a full page of this PDF): the
# text's length over this overestimates the page count, which sets the placeholders' digits.
TEXT_PER_PAGE = 2000
# How far apart (in CSS px) a footnote area's height, measured note by note, and its height
# laid out in full may be (no more than rounding).
TOLERANCE = 1e-6


def render(weasyprint, tree: etree.Element, base_url: str, size: str, digits: int | None = None):
    """The document laid out: a `weasyprint.Document` whose page numbers are placeholders.

    Each page reference, each page number of the contents and each folio ("3 of 55") prints a
    placeholder with as many digits as the last page number ("00"), from an overestimate of the
    page count (`placeholder_digits`); should the layout end with more pages than that many
    digits can number, it is laid out again. Given `digits` (a part of the document, laid out
    with the whole document's placeholders), it is laid out once: the caller checks the count.
    """
    fixed = digits is not None
    digits = digits or placeholder_digits(tree)
    while True:
        with _NoteByNote() as notes:
            rendered = _layout(weasyprint, tree, base_url, size, digits)
        rendered.footnotes_measured_note_by_note = notes.held(rendered)
        if not rendered.footnotes_measured_note_by_note:
            rendered = _layout(weasyprint, tree, base_url, size, digits)
            rendered.footnotes_measured_note_by_note = False
        if fixed or len(str(len(rendered.pages))) <= digits:
            return rendered
        digits = len(str(len(rendered.pages)))


def placeholder_digits(tree: etree.Element) -> int:
    """How many digits the page-number placeholders have: those of an overestimated page count."""
    text = sum(len(part) for part in tree.find("body").itertext())
    return len(str(max(10, text // TEXT_PER_PAGE)))


def _layout(weasyprint, tree: etree.Element, base_url: str, size: str, digits: int):
    """The tree laid out with the stylesheet and placeholders of `digits` digits."""
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    number = "0" * digits
    reference = PAGE_REFERENCE.format(number).replace("\u00a0", "\\a0 ")
    stylesheets = [
        weasyprint.CSS(filename=str(STYLESHEET), font_config=fonts),
        weasyprint.CSS(
            string=(
                f"@page {{ size: {size}; }}\n"
                f'a.xref::after {{ content: " {reference}"; }}\n'
                f'@page {{ @bottom-center {{ content: "{FOLIO.format(number, number)}"; }} }}\n'
                f'.toc a::after {{ content: leader(".") "{number}"; }}'
            ),
            font_config=fonts,
        ),
    ]
    return _html(weasyprint, tree, base_url).render(stylesheets=stylesheets, font_config=fonts)


def _html(weasyprint, tree: etree.Element, base_url: str):
    """A `weasyprint.HTML` for a tree already parsed (and built) by `commentary.pdf`.

    WeasyPrint 70 takes a document only as text, which it parses with the same parser
    (tinyhtml5, elements without namespace) into the same kind of tree; it keeps the tree in
    two attributes, set here instead, which spares parsing the serialized tree again.
    """
    html = weasyprint.HTML(string="<html></html>", base_url=base_url)
    html.wrapper_element = type(html.wrapper_element).from_html_root(tree, content_language=None)
    html.etree_element = html.wrapper_element.etree_element
    return html


def anchor_pages(rendered) -> dict[str, int]:
    """The page number (from 1) of every id in the laid-out document."""
    pages: dict[str, int] = {}
    for number, page in enumerate(rendered.pages, start=1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages


def join_leader_dots(rendered) -> None:
    """Make each dotted leader one text box of dots instead of one box a dot.

    WeasyPrint places the dots edge to edge, each box as wide as one dot; one box of the same
    dots, at the first one's place, prints the same glyphs at the same places.
    """
    for page in rendered.pages:
        for box in page._page_box.descendants():
            if not box.is_leader or len(box.children) < 2:
                continue
            first = min(box.children, key=lambda dot: dot.position_x)
            run = first.copy()
            run.text = run.pango_layout.text = first.text * len(box.children)
            run.width = sum(dot.width for dot in box.children)
            box.children = (run,)


def fill_page_numbers(rendered, pages: dict[str, int]) -> None:
    """Write the page numbers into their placeholders, right-aligned in the placeholder's width.

    Only the text and the x position of each number's text box change, so nothing else on its
    line moves; a contents line's leader (one run, `join_leader_dots`) grows by the dots that
    now fit before the number.
    """
    from weasyprint.formatting_structure.boxes import InlineBox, TextBox

    measure = _TextWidths()
    for page in rendered.pages:
        for box in page._page_box.descendants():
            if box.element_tag != "a::after":
                continue
            target = box.element.get("href", "")[1:]
            classes = (box.element.get("class") or "").split()
            if isinstance(box, TextBox) and "xref" in classes:
                # The space before "(p." is dropped where the reference starts a line.
                text = " " * box.text.startswith(" ") + PAGE_REFERENCE.format(_page(pages, target))
                _retext(box, text, measure)
            elif isinstance(box, InlineBox) and box.children and box.children[0].is_leader:
                leader, number = box.children
                _retext(number, str(_page(pages, target)), measure)
                _extend_leader(leader, number.position_x)


def fill_folios(rendered, first: int, total: int) -> None:
    """Write each page's folio ("3 of 55") into its placeholder, centred where it was.

    The pages are numbered from `first`: a part of the document may start further on.
    """
    from weasyprint.formatting_structure.boxes import MarginBox, TextBox

    measure = _TextWidths()
    for number, page in enumerate(rendered.pages, start=first):
        for margin in page._page_box.children:
            if not isinstance(margin, MarginBox) or margin.at_keyword != "@bottom-center":
                continue
            for box in margin.descendants():
                if isinstance(box, TextBox):
                    width = box.width
                    _retext(box, FOLIO.format(number, total), measure)
                    box.position_x -= (width - box.width) / 2


def _page(pages: dict[str, int], target: str) -> int:
    if target not in pages:
        raise PdfError(f"page number for '#{target}': no such id in the laid-out PDF")
    return pages[target]


def _retext(box, text: str, measure: _TextWidths) -> None:
    """Give a text box new text, keeping its right edge where it is."""
    width = measure(text, box.style)
    box.position_x += box.width - width
    box.width = width
    box.text = box.pango_layout.text = text


def _extend_leader(leader, end: float) -> None:
    """Add to a leader's run of dots the dots that fit before `end` (on the same grid)."""
    (run,) = leader.children
    dot = run.width / len(run.text)
    more = int((end - (run.position_x + run.width)) / dot + 1e-6)
    if more > 0:
        run.text = run.pango_layout.text = run.text + run.text[0] * more
        run.width += dot * more
        leader.width += dot * more


class _TextWidths:
    """The width of a text in a computed style, as Pango lays it out (remembered)."""

    def __init__(self) -> None:
        self.known: dict[tuple, float] = {}

    def __call__(self, text: str, style) -> float:
        from weasyprint.text.line_break import Layout, line_size

        key = (
            text, tuple(style["font_family"]), style["font_size"], style["font_weight"],
            style["font_style"], style["font_stretch"],
        )
        if key not in self.known:
            layout = Layout(style)
            layout.set_text(text)
            self.known[key] = line_size(layout.get_first_line()[0], style)[0]
        return self.known[key]


class _NoteByNote:
    """While active, WeasyPrint learns a footnote area's height by laying out each note once.

    `LayoutContext._update_footnote_area` is replaced by one that lays out each note alone in a
    copy of the footnote area (once per note and page width), then adds the notes' heights, the
    collapsed margins between them, the area's space above the first and below the last. Areas
    with a fixed or maximum height, and areas in columns, keep WeasyPrint's own method. The
    height found for each page is kept, for `held` to compare with the area laid out in full.
    """

    def __enter__(self) -> _NoteByNote:
        from weasyprint.formatting_structure import build
        from weasyprint.layout import LayoutContext
        from weasyprint.layout.block import block_level_layout

        self.heights: dict[int, float] = {}  # page number -> footnote area height
        self.original = original = LayoutContext._update_footnote_area
        heights = self.heights
        metrics: dict[tuple[int, float], tuple[float, float, float, float, float]] = {}

        def measure(context, note) -> tuple[float, float, float, float, float] | None:
            """A note alone in the area: space above it, its height, space below, its margins.

            None if the note is not one block there (an inline footnote, say).
            """
            area = context.current_footnote_area
            key = (id(note), area.page.width)
            if key not in metrics:
                alone = build.create_anonymous_boxes(area.copy_with_children([note]).deepcopy())
                alone = block_level_layout(context, alone, -math.inf, None, area.page)[0]
                if len(alone.children) != 1:
                    return None
                (box,) = alone.children
                top = box.position_y + box.margin_top
                bottom = top + box.border_height()
                metrics[key] = (
                    top - alone.content_box_y(), box.border_height(),
                    alone.content_box_y() + alone.height - bottom,
                    box.margin_top, box.margin_bottom,
                )
            return metrics[key]

        def update_footnote_area(context) -> bool:
            area = context.current_footnote_area
            fixed = area.style["height"] != "auto" or area.style["max_height"].value != math.inf
            notes = [measure(context, note) for note in context.current_page_footnotes]
            if context.in_column or fixed or not notes or None in notes:
                return original(context)
            if area.height != "auto":
                context.page_bottom += area.margin_height()
            area.children = context.current_page_footnotes
            height = notes[0][0] + notes[0][1] + notes[-1][2]
            for above, below in itertools.pairwise(notes):
                height += _collapse(above[4], below[3]) + below[1]
            area.height = heights[context.current_page] = height
            context.page_bottom -= area.margin_height()
            return False  # an area of unlimited height holds its last note

        LayoutContext._update_footnote_area = update_footnote_area
        return self

    def __exit__(self, *exc_info) -> None:
        from weasyprint.layout import LayoutContext

        LayoutContext._update_footnote_area = self.original

    def held(self, rendered) -> bool:
        """Whether every page's footnote area, laid out in full, is as high as measured."""
        for number, page in enumerate(rendered.pages, start=1):
            for area in page._page_box.children:
                if type(area).__name__ == "FootnoteAreaBox" and area.children:
                    measured = self.heights.get(number)
                    if measured is None or abs(area.height - measured) > TOLERANCE:
                        return False
        return True


def _collapse(above: float, below: float) -> float:
    """Two adjoining vertical margins as one (CSS 2.1, 8.3.1)."""
    if above >= 0 and below >= 0:
        return max(above, below)
    if above <= 0 and below <= 0:
        return min(above, below)
    return above + below
