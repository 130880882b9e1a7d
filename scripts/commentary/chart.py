"""The chart of the record: every US-North Korea contact on the timeline, by level and year.

`contacts_chart(entries, timeline_href)` returns HTML to put in a page: an inline SVG drawn at
build time with matplotlib (nothing runs in the reader's browser), then its data as a table in a
collapsed `<details>`, the chart's text alternative. Time runs across, the five levels of
contact (timeline.LEVELS) up the side, each contact is a mark shaped and shaded by its outcome,
and a dashed line marks the article's date. Every mark is a link, `{timeline_href}#{entry id}`,
with a `<title>` naming the entry.

matplotlib's SVG is rewritten before it is inlined (`_restyle`):

- deterministic: a fixed hash salt, no date, no metadata, no generated ids;
- self-contained and small: marker `<use>` references are inlined (round markers as circles),
  clip paths dropped and numbers rounded, so no id inside the chart is referenced from elsewhere
  (the PDF renames every id by chapter) and it costs about 3 kB gzipped, table included;
- themable: `style` attributes become presentation attributes, which any CSS rule overrides, and
  each part carries a class (`cc-mark cc-agreement`, `cc-axis`, `cc-grid`, `cc-article`,
  `cc-label`); commentary.css colours them from Material's palette variables, so the chart follows
  the light and dark schemes, while a reader without the site's CSS (WeasyPrint for the PDF)
  still gets the plain colours written in the attributes;
- accessible: `role="group"` named by its `<title>` and described by its `<desc>`; each link is
  named by its own `<title>`. (Not `role="img"`: an image's children are hidden from assistive
  technology, and the links inside must stay reachable.)

For the PDF, pdf.py parses the rendered page with tinyhtml5, which puts SVG elements in the SVG
namespace; `unqualify_svg` gives them back their plain names before ElementTree serialises the
page, or WeasyPrint would read `<ns0:svg>` as an unknown element. WeasyPrint draws the chart but
does not make its marks into links; the table's links work in the PDF.
"""

from __future__ import annotations

import copy
import datetime
import html
import io
import re
import xml.etree.ElementTree as etree
from collections.abc import Iterable, Sequence

from commentary.timeline import LEVELS, OUTCOMES, Entry

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XMLNS_NS = "http://www.w3.org/2000/xmlns/"
# Short labels for the side of the chart, in LEVELS' order (top to bottom).
LEVEL_LABELS = {
    "leader": "Leader and leader",
    "envoy": "Envoy and leader",
    "senior": "Senior officials",
    "working": "Working level",
    "track2": "Track 1.5 or II",
}
# The legend's words, and each outcome's mark: matplotlib marker, size, and shading.
OUTCOME_LABELS = {"agreement": "Agreement", "progress": "Progress", "none": "No agreement",
                  "release": "Release"}
MARKERS = {"agreement": ("o", 8.5), "progress": ("D", 7.5), "none": ("o", 8.5), "release": ("s", 7.5)}
# Fallback colours, written into the SVG for readers without the site's CSS (the PDF).
INK, RULE, MARK, TINT, PAPER = "#222222", "#d0d0d0", "#3949ab", "#9fa8da", "#ffffff"
FILLS = {"agreement": MARK, "progress": TINT, "none": PAPER, "release": TINT}
# The article's date, marked on the chart: the week of 17 May 2016 (its day is not known).
ARTICLE = datetime.date(2016, 5, 20)
ARTICLE_LABEL = "The article, May 2016"
# The span the chart always shows (wider if a contact falls outside it).
FIRST_YEAR, LAST_YEAR = 1994, 2019
# Ids of the chart's title and description (one chart a page).
TITLE_ID, DESC_ID = "contacts-chart-title", "contacts-chart-desc"
TITLE = "US\N{EN DASH}North Korea contacts by level, {first}\N{EN DASH}{last}"
SUMMARY = "The chart's data as a table"
# Two marks on one level closer than this (in years) are set slightly apart vertically.
CLOSE = 0.6
DODGE = 0.2
# A number in SVG path data or a coordinate attribute (rounded to 0.1 to keep the SVG small).
NUMBER = re.compile(r"-?\d+\.\d+")
# matplotlib's rcParams for a deterministic, text-as-text SVG.
RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "contacts-chart",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.linewidth": 0.8,
}


def contacts_chart(entries: Iterable[Entry], timeline_href: str) -> str:
    """The chart of every contact among `entries`, and its data as a collapsed table (HTML)."""
    contacts = sorted((entry for entry in entries if entry.is_contact), key=lambda e: e.date)
    if not contacts:
        raise ValueError("no timeline entry is marked as a contact (.tl-contact), so no chart")
    first = min(FIRST_YEAR, int(contacts[0].date[:4]))
    last = max(LAST_YEAR, int(contacts[-1].date[:4]))
    title = TITLE.format(first=first, last=last)
    svg = _restyle(_draw(contacts, timeline_href, first, last), contacts, title)
    caption = (
        f"{_esc(title)}. Each mark is a contact and links to its entry on the "
        f'<a href="{_esc(timeline_href)}">timeline</a>; the dashed line is the article\'s date.'
    )
    return "\n".join([
        # Marked as generated: its links are checked, but make no "Discussed in" backlinks.
        '<div class="contacts-chart" data-generated="chart">',
        '<figure class="cc-figure">',
        svg,
        f"<figcaption>{caption}</figcaption>",
        "</figure>",
        _table(contacts, timeline_href),
        "</div>",
    ])


# ---- Drawing ------------------------------------------------------------------------------------


def _draw(contacts: Sequence[Entry], timeline_href: str, first: int, last: int) -> str:
    """matplotlib's SVG of the chart (before `_restyle`); marks are numbered in `contacts` order.

    A bare `Figure` (no pyplot): no backend to choose, no global figure to close.
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    levels = list(LEVELS)
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(6.4, 3.0))
        axes = figure.subplots()
        figure.patch.set_visible(False)
        axes.patch.set_visible(False)
        for y in range(len(levels)):
            rule = axes.axhline(y, color=RULE, linewidth=0.8, zorder=0, clip_on=False)
            rule.set_gid("cc-grid")
        article = _year(ARTICLE.isoformat())
        line = axes.axvline(article, color=INK, linewidth=1, linestyle=(0, (4, 3)),
                            clip_on=False, zorder=1)
        line.set_gid("cc-article")
        label = axes.text(article - 0.25, len(levels) - 0.45, ARTICLE_LABEL, ha="right",
                          va="bottom", fontsize=9)
        label.set_gid("cc-article-label")
        for number, (entry, x, y) in enumerate(_positions(contacts, levels)):
            marker, size = MARKERS[entry.outcome]
            (mark,) = axes.plot([x], [y], marker=marker, markersize=size, linestyle="none",
                                markerfacecolor=FILLS[entry.outcome], markeredgecolor=MARK,
                                markeredgewidth=1.5, clip_on=False, zorder=3)
            mark.set_gid(f"cc-mark-{number}")
            mark.set_url(f"{timeline_href}#{entry.id}")
        axes.set_xlim(first - 0.6, last + 1.1)
        axes.set_ylim(-0.6, len(levels) - 0.4)
        axes.set_yticks(range(len(levels)), [LEVEL_LABELS[key] for key in reversed(levels)])
        ticks = [year for year in range(first, last + 1) if year % 5 == 0]
        axes.set_xticks(ticks, [str(year) for year in ticks])
        axes.set_xticks(range(first, last + 1), minor=True)
        axes.tick_params(axis="y", length=0, pad=6)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        axes.spines["bottom"].set_gid("cc-axis")
        handles = [
            Line2D([], [], marker=MARKERS[key][0], markersize=MARKERS[key][1],
                   linestyle="none", markerfacecolor=FILLS[key], markeredgecolor=MARK,
                   markeredgewidth=1.5)
            for key in OUTCOMES
        ]
        legend = figure.legend(handles, [OUTCOME_LABELS[key] for key in OUTCOMES],
                               loc="upper left", ncols=len(OUTCOMES), frameon=False,
                               handletextpad=0.3, columnspacing=1.2, borderaxespad=0.3)
        legend.set_gid("cc-legend")
        for key, handle in zip(OUTCOMES, legend.legend_handles, strict=True):
            handle.set_gid(f"cc-key-{key}")
        figure.subplots_adjust(left=0.25, right=0.98, top=0.85, bottom=0.12)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def _positions(contacts: Sequence[Entry], levels: list[str]) -> list[tuple[Entry, float, float]]:
    """Each contact with its place: x in years, y by level, close neighbours set apart."""
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


def _year(date: str) -> float:
    """An ISO date (YYYY-MM-DD or YYYY-MM) as a fractional year; a month alone is its middle."""
    parts = [int(part) for part in date.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else 7
    day = parts[2] if len(parts) > 2 else 15
    start = datetime.date(year, 1, 1)
    length = (datetime.date(year + 1, 1, 1) - start).days
    return year + ((datetime.date(year, month, day) - start).days + 0.5) / length


# ---- Rewriting matplotlib's SVG -----------------------------------------------------------------


def _restyle(svg: str, contacts: Sequence[Entry], title: str) -> str:
    """matplotlib's SVG made deterministic, self-contained, themable and accessible (see above)."""
    root = etree.fromstring(svg)
    _inline_uses(root)
    for parent in list(root.iter()):
        for child in list(parent):
            if _local(child.tag) in ("metadata", "defs", "clipPath", "style"):
                parent.remove(child)
    marks = {f"cc-mark-{number}": entry for number, entry in enumerate(contacts)}
    linked = []
    for element in root.iter():
        gid = element.attrib.pop("id", "")
        _style_to_attributes(element)
        element.attrib.pop("clip-path", None)
        if element.get("transform", "").startswith("rotate(-0 "):
            del element.attrib["transform"]  # matplotlib's no-op rotation of every label
        for name in ("d", "x", "y", "transform"):
            if name in element.attrib:
                element.set(name, _round(element.get(name)))
        _circle(element)
        if _local(element.tag) not in ("text", "tspan"):
            element.text = None
        element.tail = None
        element.set("class", _class_of(element, gid, marks))
        if gid in marks:
            linked.append((element, marks[gid]))
        if not element.get("class"):
            del element.attrib["class"]
    for group, entry in linked:
        link = next(group.iter(f"{{{SVG_NS}}}a"))
        link.set("href", link.attrib.pop(f"{{{XLINK_NS}}}href"))
        link.attrib.pop("target", None)  # matplotlib opens a new window; the site does not
        name = etree.Element(f"{{{SVG_NS}}}title")
        name.text = (f"{entry.date}: {entry.title} ({LEVEL_LABELS[entry.level].lower()}; "
                     f"{OUTCOME_LABELS[entry.outcome].lower()})")
        link.insert(0, name)
    _collapse_groups(root)
    for name in ("width", "height"):
        root.set(name, _round(root.get(name).removesuffix("pt")))
    root.attrib.pop("version", None)
    root.set("font-family", "DejaVu Sans, sans-serif")
    root.set("class", "cc-svg")
    root.set("role", "group")
    root.set("aria-labelledby", TITLE_ID)
    root.set("aria-describedby", DESC_ID)
    heading = etree.Element(f"{{{SVG_NS}}}title", {"id": TITLE_ID})
    heading.text = title
    description = etree.Element(f"{{{SVG_NS}}}desc", {"id": DESC_ID})
    description.text = _describe(contacts)
    root.insert(0, description)
    root.insert(0, heading)
    unqualify_svg(root)
    return etree.tostring(root, encoding="unicode", short_empty_elements=True)


def _class_of(element: etree.Element, gid: str, marks: dict[str, Entry]) -> str:
    """The class a part of the chart gets, from the gid `_draw` gave it or from what it is."""
    if gid in marks:
        return f"cc-mark cc-{marks[gid].outcome}"
    if gid.startswith("cc-key-"):
        return f"cc-key cc-{gid.removeprefix('cc-key-')}"
    if gid.startswith("cc-"):
        return gid
    if _local(element.tag) == "text":
        return "cc-label"
    if _local(element.tag) == "path" and element.get("stroke") and not element.get("fill"):
        return "cc-axis"  # the tick marks
    return ""


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


def _inline_uses(root: etree.Element) -> None:
    """Replace each `<use href="#m...">` (matplotlib's markers and ticks) by the path it names."""
    defined = {
        element.get("id"): element
        for defs in root.iter(f"{{{SVG_NS}}}defs")
        for element in defs
        if element.get("id")
    }
    for parent in list(root.iter()):
        for index, use in enumerate(list(parent)):
            if use.tag != f"{{{SVG_NS}}}use":
                continue
            target = defined[use.get(f"{{{XLINK_NS}}}href", "").removeprefix("#")]
            path = copy.deepcopy(target)
            path.attrib.pop("id", None)
            path.set("transform", f"translate({use.get('x', '0')} {use.get('y', '0')})")
            if use.get("style"):
                path.set("style", use.get("style"))
            parent.remove(use)
            parent.insert(index, path)


def _style_to_attributes(element: etree.Element) -> None:
    """`style="fill: #fff; stroke-width: 0.8"` as presentation attributes, which CSS overrides.

    The font family is left out: the site's CSS sets it, and the SVG root names DejaVu Sans,
    matplotlib's face, for the PDF.
    """
    style = element.attrib.pop("style", "")
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name and name != "font-family":
            element.set(name, value)


def _circle(element: etree.Element) -> None:
    """A round marker (matplotlib draws it as four Bézier curves) as an SVG circle."""
    d, transform = element.get("d", ""), element.get("transform", "")
    if element.tag != f"{{{SVG_NS}}}path" or " C " not in d or not transform.startswith(
            "translate("):
        return
    x, y = transform.removeprefix("translate(").removesuffix(")").split()
    radius = d.split()[2]  # "M 0 4.2 C ...": the path starts at (0, r)
    for name in ("d", "transform"):
        del element.attrib[name]
    element.tag = f"{{{SVG_NS}}}circle"
    for name, value in (("cx", x), ("cy", y), ("r", radius)):
        element.set(name, value)


def _collapse_groups(root: etree.Element) -> None:
    """Unwrap `<g>` elements that carry nothing (no attribute), keeping their children in place."""
    changed = True
    while changed:
        changed = False
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == f"{{{SVG_NS}}}g" and not child.attrib:
                    parent.remove(child)
                    for offset, grandchild in enumerate(list(child)):
                        parent.insert(index + offset, grandchild)
                    changed = True
                    break


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


def _round(value: str) -> str:
    """Every decimal number in `value` rounded to one place, whitespace collapsed."""
    rounded = NUMBER.sub(lambda match: f"{float(match.group()):.1f}".removesuffix(".0"), value)
    return " ".join(rounded.split())


def _local(tag: str) -> str:
    """A tag without its namespace."""
    return tag.rpartition("}")[2]


# ---- The text alternative -----------------------------------------------------------------------


def _table(contacts: Sequence[Entry], timeline_href: str) -> str:
    """The chart's data as a table, in a collapsed `<details>`."""
    rows = []
    for entry in contacts:
        outcome = OUTCOME_LABELS[entry.outcome]
        if entry.outcome_text:
            outcome += f": {entry.outcome_text}"
        rows.append(
            f'<tr><td><time datetime="{_esc(entry.date)}">{_esc(entry.date)}</time></td>'
            f'<td><a href="{_esc(timeline_href)}#{_esc(entry.id)}">{_esc(entry.title)}</a></td>'
            f"<td>{_esc(LEVEL_LABELS[entry.level])}</td><td>{_esc(outcome)}</td></tr>"
        )
    return "\n".join([
        '<details class="cc-data">',
        f"<summary>{SUMMARY}</summary>",
        "<table>",
        '<thead><tr><th scope="col">Date</th><th scope="col">Contact</th>'
        '<th scope="col">Level</th><th scope="col">Outcome</th></tr></thead>',
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
        "</details>",
    ])


def _esc(text: str) -> str:
    """Text for HTML, quotes escaped too."""
    return html.escape(text, quote=True)
