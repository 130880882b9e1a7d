"""The chart of the record: every US-North Korea contact on the timeline, by level and year.

`contacts_chart(entries, timeline_href)` returns HTML to put in a page: the chart as inline SVG,
written here element by element (no plotting library, nothing run in the reader's browser), then
its data as a table in a collapsed `<details>`, the chart's text alternative.

The figure holds the chart drawn twice, from the same marks:

- wide (`.cc-wide`), for a screen and for the PDF: time runs across, the five levels of contact
  (timeline.LEVELS) up the side, a dashed line at the article's date;
- narrow (`.cc-narrow`, in a `hidden` block that commentary.css shows when the chart's box is
  narrower than 600 px, in place of the wide one): time runs down, the levels across, so that
  on a 390 px phone its labels are at least 11 px and each mark is a 26 px tap target apart from
  every other. Without the site's CSS (the PDF, a reader view) only the wide chart shows.

Each contact is a mark shaped and shaded by its outcome and linking to
`{timeline_href}#{entry id}`, named by a `<title>`. The marks are out of the Tab order
(`tabindex="-1"`): the keyboard path is the table below, one stop for its summary and then a
visible, named link per contact, rather than 28 unlabelled rings.

The SVG is deterministic, refers to nothing by id but its own `<title>` and `<desc>`, and is
themable: colours are presentation attributes (what the PDF prints) that commentary.css
overrides from Material's palette, by class (`cc-mark cc-agreement`, `cc-dot`, `cc-axis`,
`cc-grid`, `cc-article`, `cc-label`). Each `<svg>` is `role="group"` named by its `<title>` and
described by its `<desc>` (not `role="img"`, which would hide the links inside).

For the PDF, pdf.py parses the rendered page with tinyhtml5, which puts SVG elements in the SVG
namespace; `unqualify_svg` gives them back their plain names before ElementTree serialises the
page, or WeasyPrint would read `<ns0:svg>` as an unknown element.
"""

from __future__ import annotations

import datetime
import html
import math
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from commentary.timeline import LEVELS, OUTCOMES, Entry

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XMLNS_NS = "http://www.w3.org/2000/xmlns/"
# Short labels for the levels, in LEVELS' order (top to bottom, or left to right when narrow).
LEVEL_LABELS = {
    "leader": "Leader and leader",
    "envoy": "Envoy and leader",
    "senior": "Senior officials",
    "working": "Working level",
    "track2": "Track 1.5 or II",
}
# The same, as the narrow chart's column headings, a few words a line.
NARROW_LABELS = {
    "leader": ("Leader", "and", "leader"),
    "envoy": ("Envoy", "and", "leader"),
    "senior": ("Senior", "officials"),
    "working": ("Working", "level"),
    "track2": ("Track", "1.5 or II"),
}
# The legend's words for each outcome (every key of OUTCOMES has one), and its mark's shape.
OUTCOME_LABELS = {
    "agreement": "Agreement",
    "progress": "Progress",
    "release": "Release",
    "none": "No agreement",
}
SHAPES = {"agreement": "circle", "progress": "diamond", "release": "triangle", "none": "circle"}
# Colours written into the SVG, for readers without the site's CSS (the PDF).
INK, RULE, MARK, TINT, PAPER = "#222222", "#d0d0d0", "#3949ab", "#9fa8da", "#ffffff"
FILLS = {"agreement": MARK, "progress": TINT, "release": TINT, "none": PAPER}
# The article's date, marked on the chart: the week of 17 May 2016 (its day is not known).
ARTICLE = datetime.date(2016, 5, 20)
ARTICLE_LABEL = "The article, May 2016"
# The span the chart always shows (wider if a contact falls outside it).
FIRST_YEAR, LAST_YEAR = 1994, 2019
# Ids of the charts' titles and descriptions (one chart a page, drawn wide and narrow).
TITLE_ID, DESC_ID = "contacts-chart-title", "contacts-chart-desc"
NARROW_SUFFIX = "-narrow"
TITLE = "US\N{EN DASH}North Korea contacts by level, {first}\N{EN DASH}{last}"
SUMMARY = "The chart's data as a table"
# The entry's own words for its outcome may open with their category ("agreement: ...",
# "release secured: ..."); the table names the category once, so that opening is dropped.
CATEGORY_OPENING = re.compile(
    r"^[a-z][a-z ]{0,30}"  # a few lowercase words ("progress without agreement")
    r":\s+"  # then a colon: the rest is what came of the contact
)

# ---- The wide chart's geometry (user units; matplotlib's old figure of 6.4 x 3 in at 72/in) ----
WIDE_W, WIDE_H = 460.8, 216.0
WIDE_LEFT, WIDE_RIGHT, WIDE_TOP, WIDE_BOTTOM = 115.2, 451.6, 32.4, 190.1
WIDE_FONT, WIDE_SMALL = 10, 9
WIDE_MARK = 4.2  # a round mark's radius
# Two marks on one level closer than this (in years) are set slightly apart vertically.
CLOSE, DODGE = 0.6, 0.2

# ---- The narrow chart's geometry: shown about 1:1 on a phone (its box is 358 px at 390) ----
NARROW_W = 360.0
NARROW_FONT, NARROW_HEADING = 12, 11.5
NARROW_AXIS = 40.0  # the year labels' column on the left
NARROW_TOP = 118.0  # below the legend and the column headings
NARROW_YEAR = 24.0  # px per year, down the page
NARROW_MARK = 6.0  # a round mark's radius
HIT = 13.0  # a tap target's radius: 26 px across, apart from every other one
LANES = (0.0, -17.0, 17.0)  # where a mark may sit across its column, in order of preference


@dataclass(frozen=True)
class Mark:
    """A contact placed on a chart: its entry and its centre in user units."""

    entry: Entry
    x: float
    y: float


def contacts_chart(entries: Iterable[Entry], timeline_href: str) -> str:
    """The chart of every contact among `entries`, and its data as a collapsed table (HTML)."""
    contacts = sorted((entry for entry in entries if entry.is_contact), key=lambda e: e.date)
    if not contacts:
        raise ValueError("no timeline entry is marked as a contact (.tl-contact), so no chart")
    first = min(FIRST_YEAR, int(contacts[0].date[:4]))
    last = max(LAST_YEAR, int(contacts[-1].date[:4]))
    title = TITLE.format(first=first, last=last)
    description = _describe(contacts)
    wide = _wide(contacts, timeline_href, first, last)
    narrow = _narrow(contacts, timeline_href, first, last)
    caption = (
        f"{_esc(title)}. Each mark is a contact and links to its entry on the "
        f'<a href="{_esc(timeline_href)}">timeline</a>; the dashed line is the article\'s date. '
        "The table below lists every contact."
    )
    return "\n".join([
        # Marked as generated: its links are checked, but make no "Discussed in" backlinks.
        '<div class="contacts-chart" data-generated="chart">',
        # The drawing's labels would run together in the search index ("1994-201928 contacts");
        # Material's search leaves out what is marked so. The table below stays searchable.
        '<figure class="cc-figure" data-search-exclude>',
        _svg(wide, "cc-svg cc-wide", "", title, description),
        '<div class="cc-narrow" hidden>',
        _svg(narrow, "cc-svg", NARROW_SUFFIX, title, description),
        "</div>",
        f"<figcaption>{caption}</figcaption>",
        "</figure>",
        _table(contacts, timeline_href),
        "</div>",
    ])


# ---- Drawing: shared parts ---------------------------------------------------------------------


def _svg(root: etree.Element, classes: str, suffix: str, title: str, description: str) -> str:
    """`root` as inline SVG markup: classed, named by `title` and described by `description`."""
    root.set("class", classes)
    root.set("role", "group")
    root.set("aria-labelledby", TITLE_ID + suffix)
    root.set("aria-describedby", DESC_ID + suffix)
    heading = etree.Element("title", {"id": TITLE_ID + suffix})
    heading.text = title
    desc = etree.Element("desc", {"id": DESC_ID + suffix})
    desc.text = description
    root.insert(0, desc)
    root.insert(0, heading)
    return etree.tostring(root, encoding="unicode", short_empty_elements=True)


def _root(width: float, height: float) -> etree.Element:
    """An empty `<svg>` of that size in user units, scaled by the page's CSS."""
    return etree.Element("svg", {
        "xmlns": SVG_NS,
        "width": _n(width),
        "height": _n(height),
        "viewBox": f"0 0 {_n(width)} {_n(height)}",
        "font-family": "DejaVu Sans, sans-serif",
    })


def _add(parent: etree.Element, tag: str, text: str | None = None, **attributes: object) -> (
        etree.Element):
    """A child element; attribute names are written with `_` for `-`, numbers rounded."""
    element = etree.SubElement(parent, tag, {
        name.rstrip("_").replace("_", "-"): _n(value) if isinstance(value, float) else str(value)
        for name, value in attributes.items()
    })
    element.text = text
    return element


def _label(parent: etree.Element, x: float, y: float, text: str, size: float,
           anchor: str = "middle") -> etree.Element:
    """A line of text, its baseline at `y`."""
    return _add(parent, "text", text, x=x, y=y, font_size=size, text_anchor=anchor,
                fill=INK, class_="cc-label")


def _line(parent: etree.Element, x1: float, y1: float, x2: float, y2: float, kind: str,
          **style: object) -> etree.Element:
    """A straight line of a kind (`cc-axis`, `cc-grid`, `cc-article`)."""
    stroke = {"cc-grid": RULE}.get(kind, INK)
    return _add(parent, "path", d=f"M {_n(x1)} {_n(y1)} L {_n(x2)} {_n(y2)}", stroke=stroke,
                stroke_width=style.pop("width", 0.8), class_=kind, **style)


def _shape(parent: etree.Element, outcome: str, x: float, y: float, radius: float) -> None:
    """The mark of an outcome centred at (x, y): a circle, a diamond or a triangle."""
    paint = {"fill": FILLS[outcome], "stroke": MARK, "stroke_width": 1.5, "class_": "cc-dot"}
    shape = SHAPES[outcome]
    if shape == "circle":
        _add(parent, "circle", cx=x, cy=y, r=radius, **paint)
        return
    if shape == "diamond":
        r = radius * 1.25
        points = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    else:  # a triangle, point up, centred on its centroid
        r = radius * 1.45
        points = [(x, y - r), (x + r * math.sqrt(3) / 2, y + r / 2),
                  (x - r * math.sqrt(3) / 2, y + r / 2)]
    path = "M " + " L ".join(f"{_n(px)} {_n(py)}" for px, py in points) + " Z"
    _add(parent, "path", d=path, stroke_linejoin="miter", **paint)


def _marks(parent: etree.Element, marks: Sequence[Mark], timeline_href: str, radius: float,
           hit: float | None) -> None:
    """Each mark as a link to its entry, named by a `<title>`, out of the Tab order."""
    for mark in marks:
        entry = mark.entry
        link = _add(parent, "a", href=f"{timeline_href}#{entry.id}", tabindex="-1",
                    class_=f"cc-mark cc-{entry.outcome}")
        _add(link, "title", f"{entry.date}: {entry.title} "
                            f"({LEVEL_LABELS[entry.level].lower()}; "
                            f"{OUTCOME_LABELS[entry.outcome].lower()})")
        if hit is not None:
            # The tap target: an unpainted circle that still takes the pointer.
            _add(link, "circle", cx=mark.x, cy=mark.y, r=hit, fill="none",
                 pointer_events="all", class_="cc-hit")
        _shape(link, entry.outcome, mark.x, mark.y, radius)


def _legend(parent: etree.Element, places: Sequence[tuple[float, float]], radius: float,
            size: float) -> None:
    """One key per outcome: its mark centred at x and its word, on the baseline y of `places`."""
    legend = _add(parent, "g", class_="cc-legend")
    for outcome, (x, y) in zip(OUTCOMES, places, strict=True):
        key = _add(legend, "g", class_=f"cc-key cc-{outcome}")
        _shape(key, outcome, x, y - size * 0.35, radius)
        _label(legend, x + size * 1.3, y, OUTCOME_LABELS[outcome], size, "start")


# ---- The wide chart: time across, levels up the side --------------------------------------------


def _wide(contacts: Sequence[Entry], timeline_href: str, first: int, last: int) -> etree.Element:
    """The chart as matplotlib drew it before: time across, levels from the top down."""
    low, high = first - 0.6, last + 1.1
    levels = list(LEVELS)

    def x_of(year: float) -> float:
        return WIDE_LEFT + (year - low) * (WIDE_RIGHT - WIDE_LEFT) / (high - low)

    def y_of(row: float) -> float:  # row 0 is the bottom level, rows run from -0.6 to n - 0.4
        return WIDE_BOTTOM - (row + 0.6) * (WIDE_BOTTOM - WIDE_TOP) / (len(levels) + 0.2)

    root = _root(WIDE_W, WIDE_H)
    for row, level in enumerate(reversed(levels)):
        _line(root, WIDE_LEFT, y_of(row), WIDE_RIGHT, y_of(row), "cc-grid")
        _label(root, WIDE_LEFT - 6, y_of(row) + WIDE_FONT * 0.37, LEVEL_LABELS[level],
               WIDE_FONT, "end")
    _line(root, WIDE_LEFT, WIDE_BOTTOM, WIDE_RIGHT, WIDE_BOTTOM, "cc-axis")
    for year in range(first, last + 1):
        major = year % 5 == 0
        _line(root, x_of(year), WIDE_BOTTOM, x_of(year), WIDE_BOTTOM + (3.5 if major else 2),
              "cc-axis", width=0.8 if major else 0.6)
        if major:
            _label(root, x_of(year), WIDE_BOTTOM + 14.6, str(year), WIDE_FONT)
    article = x_of(_year(ARTICLE.isoformat()))
    _line(root, article, WIDE_TOP, article, WIDE_BOTTOM, "cc-article", width=1.0,
          stroke_dasharray="4 3")
    _label(root, article - 0.25 * (x_of(1) - x_of(0)), WIDE_TOP - 0.6, ARTICLE_LABEL,
           WIDE_SMALL, "end")
    marks = [
        Mark(entry, x_of(year), y_of(row))
        for entry, year, row in _wide_places(contacts, levels)
    ]
    _marks(root, marks, timeline_href, WIDE_MARK, hit=None)
    _legend(root, [(17, 14.6), (107.5, 14.6), (185.2, 14.6), (250, 14.6)], WIDE_MARK,
            WIDE_FONT)
    return root


def _wide_places(contacts: Sequence[Entry], levels: list[str]) -> list[
        tuple[Entry, float, float]]:
    """Each contact with its year and row (bottom level 0), close neighbours set apart."""
    placed: list[tuple[Entry, float, float]] = []
    last_on_level: dict[str, tuple[float, int]] = {}
    for entry in contacts:
        x = _year(entry.date)
        y = float(len(levels) - 1 - levels.index(entry.level))
        previous = last_on_level.get(entry.level)
        step = previous[1] + 1 if previous and x - previous[0] < CLOSE else 0
        # 0, +1, -1, +2, ... dodges: up, down, further up
        offset = (step + 1) // 2 * (1 if step % 2 else -1)
        placed.append((entry, x, y + offset * DODGE))
        last_on_level[entry.level] = (x, step)
    return placed


# ---- The narrow chart: time down, levels across -------------------------------------------------


def _narrow(contacts: Sequence[Entry], timeline_href: str, first: int,
            last: int) -> etree.Element:
    """The chart for a phone: years down the left, one column per level."""
    levels = list(LEVELS)
    column = (NARROW_W - NARROW_AXIS) / len(levels)

    def x_of(level: str) -> float:
        return NARROW_AXIS + column * (levels.index(level) + 0.5)

    def y_of(year: float) -> float:
        return NARROW_TOP + (year - first + 0.5) * NARROW_YEAR

    marks = _narrow_places(contacts, x_of, y_of)
    bottom = max(y_of(last + 1), *(mark.y + HIT for mark in marks))
    root = _root(NARROW_W, bottom + 4)
    _legend(root, [(10, 18), (190, 18), (10, 40), (190, 40)], NARROW_MARK, NARROW_FONT)
    for level in levels:
        for line, words in enumerate(NARROW_LABELS[level]):
            _label(root, x_of(level), 70 + 14 * line, words, NARROW_HEADING)
        _line(root, x_of(level), y_of(first - 0.5), x_of(level), bottom, "cc-grid")
    _line(root, NARROW_AXIS, y_of(first - 0.5), NARROW_AXIS, bottom, "cc-axis")
    for year in range(first, last + 1):
        major = year % 5 == 0
        _line(root, NARROW_AXIS - (4 if major else 2), y_of(year), NARROW_AXIS, y_of(year),
              "cc-axis", width=0.8 if major else 0.6)
        if major:
            _label(root, NARROW_AXIS - 6, y_of(year) + NARROW_FONT * 0.37, str(year),
                   NARROW_FONT, "end")
    article = y_of(_year(ARTICLE.isoformat()))
    _line(root, NARROW_AXIS, article, NARROW_W - 2, article, "cc-article", width=1.0,
          stroke_dasharray="4 3")
    _label(root, NARROW_W - 2, article - 5, ARTICLE_LABEL, NARROW_FONT, "end")
    _marks(root, marks, timeline_href, NARROW_MARK, hit=HIT)
    return root


def _narrow_places(contacts: Sequence[Entry], x_of: Callable[[str], float],
                   y_of: Callable[[float], float]) -> list[Mark]:
    """Each contact in its level's column at its date, moved across (then down) off any other.

    A mark takes the first lane of LANES whose tap target stays clear of every placed one; where
    none is clear, it moves down a pixel at a time.
    """
    placed: list[Mark] = []
    for entry in contacts:
        y = y_of(_year(entry.date))
        while True:
            free = [
                Mark(entry, x_of(entry.level) + lane, y) for lane in LANES
                if all(math.dist((x_of(entry.level) + lane, y), (other.x, other.y)) >= 2 * HIT
                       for other in placed)
            ]
            if free:
                placed.append(free[0])
                break
            y += 1
    return placed


# ---- Words --------------------------------------------------------------------------------------


def _year(date: str) -> float:
    """An ISO date (YYYY-MM-DD or YYYY-MM) as a fractional year; a month alone is its middle."""
    parts = [int(part) for part in date.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else 7
    day = parts[2] if len(parts) > 2 else 15
    start = datetime.date(year, 1, 1)
    length = (datetime.date(year + 1, 1, 1) - start).days
    return year + ((datetime.date(year, month, day) - start).days + 0.5) / length


def _describe(contacts: Sequence[Entry]) -> str:
    """The chart in words: how many contacts at each level, when, and what came of them."""
    first, last = contacts[0].date[:4], contacts[-1].date[:4]
    sentences = [
        f"{len(contacts)} contacts between the United States and North Korea from {first} to "
        f"{last}, by level."
    ]
    for level in LEVELS:
        here = [entry for entry in contacts if entry.level == level]
        if not here:
            continue
        counts = ", ".join(
            f"{OUTCOME_LABELS[key].lower()} {sum(entry.outcome == key for entry in here)}"
            for key in OUTCOMES
            if any(entry.outcome == key for entry in here)
        )
        span = _span(here[0].date[:4], here[-1].date[:4])
        noun = "contact" if len(here) == 1 else "contacts"
        sentences.append(f"{LEVEL_LABELS[level]}: {len(here)} {noun}, {span}; {counts}.")
    sentences.append(f"A dashed line marks the article's date, {ARTICLE:%B %Y}.")
    return " ".join(sentences)


def _span(first: str, last: str) -> str:
    """"1994" or "1994-2009"."""
    return first if first == last else f"{first}\N{EN DASH}{last}"


def _outcome(entry: Entry) -> str:
    """The table's outcome: its category once, then the entry's own words without theirs."""
    label = OUTCOME_LABELS[entry.outcome]
    words = CATEGORY_OPENING.sub("", entry.outcome_text.strip())
    return f"{label}: {words}" if words else label


def _n(value: float) -> str:
    """A number for SVG: rounded to one decimal place, without a trailing `.0`."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def unqualify_svg(root: etree.Element) -> None:
    """Give SVG elements and attributes their plain names, as an HTML page writes them inline.

    ElementTree writes a namespaced tag as `<ns0:svg>`, which an HTML parser (a browser,
    WeasyPrint) does not read as SVG; a plain `<svg>` inside HTML is SVG by the HTML parsing
    rules. For a page parsed with tinyhtml5 (the PDF), call this before serialising it.
    """
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(f"{{{SVG_NS}}}"):
            element.tag = _local(element.tag)
        for name in [name for name in element.attrib if name.startswith("{")]:
            value = element.attrib.pop(name)
            if not name.startswith(f"{{{XMLNS_NS}}}"):
                element.set(_local(name), value)


def _local(tag: str) -> str:
    """A tag without its namespace."""
    return tag.rpartition("}")[2]


# ---- The text alternative -----------------------------------------------------------------------

# The table's columns: header, and the class its cells carry (commentary.css lays the rows out as
# blocks on a phone, naming each cell by its column; explicit roles keep it a table there).
COLUMNS = (("Date", "cc-date"), ("Contact", "cc-contact"), ("Level", "cc-level"),
           ("Outcome", "cc-outcome"))


def _table(contacts: Sequence[Entry], timeline_href: str) -> str:
    """The chart's data as a table, in a collapsed `<details>`."""
    rows = []
    for entry in contacts:
        cells = (
            f'<time datetime="{_esc(entry.date)}">{_esc(entry.date)}</time>',
            f'<a href="{_esc(timeline_href)}#{_esc(entry.id)}">{_esc(entry.title)}</a>',
            _esc(LEVEL_LABELS[entry.level]),
            _esc(_outcome(entry)),
        )
        rows.append('<tr role="row">' + "".join(
            f'<td role="cell" class="{kind}" data-label="{header}">{cell}</td>'
            for (header, kind), cell in zip(COLUMNS, cells, strict=True)
        ) + "</tr>")
    head = "".join(f'<th scope="col" role="columnheader">{header}</th>' for header, _ in COLUMNS)
    return "\n".join([
        '<details class="cc-data">',
        f"<summary>{SUMMARY}</summary>",
        '<table role="table">',
        f'<thead role="rowgroup"><tr role="row">{head}</tr></thead>',
        '<tbody role="rowgroup">',
        *rows,
        "</tbody>",
        "</table>",
        "</details>",
    ])


def _esc(text: str) -> str:
    """Text for HTML, quotes escaped too."""
    return html.escape(text, quote=True)
