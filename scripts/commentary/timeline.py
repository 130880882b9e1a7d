"""The timeline as data: its entries read from the rendered page, written as CSV and JSON.

`entries_from_html(html)` reads the RENDERED HTML of the timeline page (the whole page or just
its content), so the downloads and the chart come from the very entries a reader sees, never
from a second copy. Each entry is a `<div class="tl-entry">` holding:

- an `<h3 id="YYYY-MM-slug">` title (its permalink symbol is not part of the title);
- a `<time datetime="YYYY-MM-DD">` (or `YYYY-MM` where the day is not established);
- on a US-North Korea contact, a meta line
  `<p class="tl-meta tl-contact" data-level="envoy" data-outcome="agreement">`
  whose text reads "**Contact:** who met whom · **Outcome:** what came of it";
- a "**Bears on:**" line of links to the principle pages, and a "**Source:**" line of links to
  `sources.md#key` (or, once MkDocs has rewritten them, `../sources/#key`).

`to_csv(entries)` and `to_json(entries)` give the two downloads (the build writes them as
`timeline.csv` and `timeline.json` beside the pages).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import posixpath
import xml.etree.ElementTree as etree
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import tinyhtml5

from commentary.extension import classes, heading_text

# The levels of a contact, from the top down: the value of `data-level`, and what it means.
LEVELS = {
    "leader": "Leader meets leader",
    "envoy": "A US envoy meets the North's leader",
    "senior": "Senior officials, without the leader",
    "working": "Working-level negotiators",
    "track2": "Unofficial (Track 1.5 or II)",
}
# The outcome of a contact as its entry states it: the value of `data-outcome`.
OUTCOMES = {
    "agreement": "An agreement or a signed statement",
    "progress": "Progress short of an agreement",
    "release": "A prisoner release, without an agreement",
    "none": "No agreement",
}
# The bold labels that open an entry's lines (the text of the line's first <strong>).
BEARS_ON, SOURCE, CONTACT, OUTCOME = "Bears on", "Source", "Contact", "Outcome"
# The columns of the CSV download, in order; the JSON uses the same names.
FIELDS = (
    "id", "date", "title", "level", "level_text", "outcome", "outcome_text",
    "principles", "sources",
)
# What the downloads say about themselves (the JSON's header; the site's licence).
DESCRIPTION = (
    "The entries of the commentary's history timeline: date, title, level and outcome of each "
    "US\N{EN DASH}North Korea contact, the principles each entry bears on, and its sources."
)
LICENCE = "CC BY 4.0"


class TimelineError(ValueError):
    """An entry the downloads and the chart cannot use; `entry` and `written` say where it is."""

    def __init__(self, entry: str, written: str, message: str) -> None:
        super().__init__(message)
        self.entry = entry  # the entry's id ("" when it has none)
        self.written = written  # the text to look for in the page's source (the wrong value)
        self.message = message


@dataclass(frozen=True)
class Entry:
    """One timeline entry, as the page shows it."""

    id: str
    date: str  # ISO 8601: YYYY-MM-DD, or YYYY-MM where the day is not established
    title: str
    level: str | None = None  # a key of LEVELS, on a US-North Korea contact only
    level_text: str = ""  # the entry's own words for who met whom
    outcome: str | None = None  # a key of OUTCOMES, on a contact only
    outcome_text: str = ""  # the entry's own words for what came of it
    principles: tuple[str, ...] = ()  # slugs of the principle pages: "leader-first", ...
    sources: tuple[str, ...] = ()  # keys on the sources page: "carter-center-1994", ...

    @property
    def is_contact(self) -> bool:
        """Whether the entry records a US-North Korea contact (it has a level)."""
        return self.level is not None

    def as_dict(self) -> dict[str, object]:
        """The entry as the JSON download writes it."""
        return {
            "id": self.id,
            "date": self.date,
            "title": self.title,
            "level": self.level,
            "level_text": self.level_text,
            "outcome": self.outcome,
            "outcome_text": self.outcome_text,
            "principles": list(self.principles),
            "sources": list(self.sources),
        }


# ---- Reading the rendered page ------------------------------------------------------------------


def entries_from_html(html: str) -> list[Entry]:
    """Every timeline entry of a rendered page, in page order.

    Raises TimelineError (a ValueError), naming the entry, for an entry without an id, without a
    date or with a date that is not ISO 8601 (YYYY-MM-DD or YYYY-MM), and for a contact line
    whose level or outcome is not one of LEVELS or OUTCOMES.
    """
    root = tinyhtml5.parse(html, namespace_html_elements=False)
    return [_entry(div) for div in root.iter("div") if "tl-entry" in classes(div)]


def _entry(div: etree.Element) -> Entry:
    """One `div.tl-entry` as an Entry."""
    heading = next(div.iter("h3"), None)
    if heading is None or not heading.get("id"):
        text = _text(div)[:60]
        raise TimelineError("", text, f"timeline entry without an <h3> id: {text!r}")
    entry_id = heading.get("id")
    time = next(div.iter("time"), None)
    if time is None or not time.get("datetime"):
        message = f"timeline entry '{entry_id}' has no <time datetime>"
        raise TimelineError(entry_id, entry_id, message)
    date = time.get("datetime")
    if not is_iso_date(date):
        raise TimelineError(
            entry_id,
            date,
            f"timeline entry '{entry_id}': <time datetime=\"{date}\"> is not an ISO 8601 date"
            " (write YYYY-MM-DD, or YYYY-MM where the day is not established)",
        )
    fields: dict[str, object] = {}
    for line in div.iter("p"):
        kinds = classes(line)
        if "tl-contact" in kinds:
            fields.update(_contact(line, entry_id))
        elif "tl-meta" in kinds:
            label = _label(line)
            hrefs = [link.get("href", "") for link in line.iter("a")]
            if label == BEARS_ON:
                fields["principles"] = tuple(_unique(filter(None, map(_principle, hrefs))))
            elif label.startswith(SOURCE):
                fields["sources"] = tuple(_unique(filter(None, map(_source_key, hrefs))))
    return Entry(entry_id, date, _clean(heading_text(heading)), **fields)


def is_iso_date(text: str) -> bool:
    """Whether `text` is a real day (YYYY-MM-DD) or month (YYYY-MM) in ISO 8601's form."""
    if len(text) not in (7, 10) or text[4] != "-":
        return False
    try:
        datetime.date.fromisoformat(text if len(text) == 10 else f"{text}-01")
    except ValueError:
        return False
    return True


def _contact(line: etree.Element, entry_id: str) -> dict[str, object]:
    """The level and outcome of a contact line: categories and the entry's own words."""
    level, outcome = line.get("data-level"), line.get("data-outcome")
    if level not in LEVELS:
        raise TimelineError(
            entry_id, f'data-level="{level}"',
            f"timeline entry '{entry_id}': data-level {level!r} is not one of {', '.join(LEVELS)}")
    if outcome not in OUTCOMES:
        raise TimelineError(
            entry_id, f'data-outcome="{outcome}"',
            f"timeline entry '{entry_id}': data-outcome {outcome!r} is not one of "
            f"{', '.join(OUTCOMES)}")
    words = _labelled_text(line)
    return {
        "level": level,
        "level_text": words.get(CONTACT, ""),
        "outcome": outcome,
        "outcome_text": words.get(OUTCOME, ""),
    }


def _label(line: etree.Element) -> str:
    """The bold label a line opens with ("Bears on" for "**Bears on:** ..."), or ""."""
    first = line[0] if len(line) else None
    if first is None or first.tag != "strong" or (line.text or "").strip():
        return ""
    return _text(first).rstrip(":").strip()


def _labelled_text(line: etree.Element) -> dict[str, str]:
    """The words after each bold label of a line: {"Contact": "...", "Outcome": "..."}."""
    parts: dict[str, list[str]] = {}
    current: list[str] | None = None
    for child in line:
        if child.tag == "strong":
            current = parts.setdefault(_text(child).rstrip(":").strip(), [])
        elif current is not None:
            current.append("".join(child.itertext()))
        if current is not None:
            current.append(child.tail or "")
    return {label: _clean("".join(words)).rstrip("·").strip() for label, words in parts.items()}


def _principle(href: str) -> str | None:
    """The slug of the principle page a link points to ("leader-first"), or None."""
    parent, name = _page_name(href)
    return name if parent == "principles" and name else None


def _source_key(href: str) -> str | None:
    """The key on the sources page a link points to ("carter-center-1994"), or None."""
    _, name = _page_name(href)
    fragment = unquote(urlsplit(href).fragment)
    return fragment if name == "sources" and fragment else None


def _page_name(href: str) -> tuple[str, str]:
    """(folder, page) a link points to, for `principles/x.md`, `../principles/x/` and the like."""
    path = unquote(urlsplit(href).path)
    path = path.removesuffix("index.html").removesuffix(".html").removesuffix(".md").rstrip("/")
    return posixpath.basename(posixpath.dirname(path)), posixpath.basename(path)


def _unique(values: Iterable[str]) -> Iterator[str]:
    """The values in order, each once."""
    seen: set[str] = set()
    for value in values:
        if value not in seen:
            seen.add(value)
            yield value


def _text(element: etree.Element) -> str:
    """The element's text with whitespace collapsed."""
    return _clean("".join(element.itertext()))


def _clean(text: str) -> str:
    """Whitespace collapsed to single spaces, none at either end."""
    return " ".join(text.split())


# ---- The downloads ------------------------------------------------------------------------------


def to_csv(entries: Iterable[Entry]) -> str:
    """The entries as CSV (RFC 4180): a header row of FIELDS, lists joined by spaces."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for entry in entries:
        row = entry.as_dict()
        writer.writerow(
            " ".join(value) if isinstance(value, list) else "" if value is None else value
            for value in (row[name] for name in FIELDS)
        )
    return out.getvalue()


def to_json(entries: Iterable[Entry]) -> str:
    """The entries as JSON: a short self-description, the categories, then the entries."""
    document = {
        "description": DESCRIPTION,
        "licence": LICENCE,
        "levels": LEVELS,
        "outcomes": OUTCOMES,
        "entries": [entry.as_dict() for entry in entries],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
