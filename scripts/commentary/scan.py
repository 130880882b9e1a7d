"""Scanning pages: convert each page once with the configured engine and record what it holds.

A tree processor walks the converted page in document order and records every id, every link
(with the section it sits under) and the text the engine left unparsed; raw HTML is read from the
engine's own stash at the place where it stands. The source text is only searched afterwards, to
say where each link is written (line and column).
"""

from __future__ import annotations

import bisect
import difflib
import re
import xml.etree.ElementTree as etree
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import markdown
from markdown import util
from markdown.extensions.footnotes import FootnoteExtension
from markdown.treeprocessors import Treeprocessor
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils import meta
from pymdownx.snippets import SnippetMissingError

from commentary.config import display, scalar_lines
from commentary.extension import CODE_SPAN, PLACEHOLDER, classes, heading_text

# A full or collapsed reference link that the engine left as text because its label is undefined:
# "[text][label]" or "[text][]" (a shortcut "[text]" alone is ordinary prose and is not flagged).
UNDEFINED_REFERENCE = re.compile(r"\[([^\[\]\n]+)\]\[([^\[\]\n]*)\]")
# A footnote reference that the engine left as text because it has no definition: "[^label]".
UNDEFINED_FOOTNOTE = re.compile(r"\[\^([^\[\]\s]+)\]")
# A pymdownx.snippets include line, inline form: --8<-- "path" (optionally with :section).
SNIPPET_LINE = re.compile(r"""^\s*;?-{1,}8<-{1,}\s+(["'])(?P<name>[^"']+)\1""")
# The line that opens and closes pymdownx.snippets' block form, a file name a line between.
SNIPPET_BLOCK = re.compile(r"^\s*-{1,}8<-{1,}\s*$")
# The opening line of a fenced code block: (1) its indent, (2) the fence.
FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})")
# A pymdownx.snippets section line, "--8<-- [start:name]" (or end), as in an HTML comment.
SECTION_LINE = re.compile(r"-8<-+\s*\[(?P<edge>start|end):(?P<name>[^\]]+)\]")
# The part of an include after the file's name: a section, or lines "10:20".
LINE_RANGE = re.compile(r"^(?P<first>\d*)(?::(?P<last>\d*))?$")
# A line break, for the table of line starts.
NEWLINE = re.compile("\n")
# Links that the engine itself adds and that always work: toc permalinks and footnote back-links
# (a back-link of an unused footnote is reported as the unused footnote instead).
GENERATED_LINK_CLASSES = frozenset({"headerlink", "footnote-backref"})
# Elements whose text the engine never parses for links.
CODE_TAGS = frozenset({"code", "pre", "kbd", "samp"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Raw-HTML attributes that hold a URL, per element.
URL_ATTRIBUTES = {
    "a": "href",
    "area": "href",
    "link": "href",
    "img": "src",
    "script": "src",
    "iframe": "src",
    "source": "src",
    "audio": "src",
    "video": "src",
    "track": "src",
    "embed": "src",
}
# How a link's address is written in Markdown or HTML source, most specific first: "[t](url",
# "[label]: url", "<url>", 'href="url', and the bare address as a last resort.
LINK_SYNTAX = ("](", "]: ", "<", '="', "='", "")


@dataclass(frozen=True, order=True)
class Problem:
    """One problem at one place in one file."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: error: {self.message}"

    def github(self) -> str:
        """The problem as a GitHub Actions annotation."""
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error file={self.path},line={self.line},col={self.col}::{message}"


@dataclass(frozen=True)
class Link:
    """A link found on a page: where it is written and the section (heading id) it sits under."""

    href: str
    raw_html: bool
    path: str
    line: int
    col: int
    section: str = ""
    generated: bool = False  # in a block the build generated (the chart): no backlink


@dataclass(frozen=True)
class Citation:
    """A footnote reference `[^label]` on a page, where it is written."""

    label: str
    path: str
    line: int
    col: int
    defined: bool


@dataclass
class PageScan:
    """What converting one page found."""

    src_uri: str
    title: str = ""
    meta: dict = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    headings: dict[str, str] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    unknown_labels: list[str] = field(default_factory=list)  # [^label]s left without a definition
    problems: list[Problem] = field(default_factory=list)
    html: str = ""


class SourceText:
    """A page's Markdown (and the snippet files it includes), for saying where a thing is written.

    Each kind of search keeps its own cursor, so the n-th link found in the tree is looked for
    after the (n-1)-th; a miss starts again from the top of each file. Code is blanked out before
    searching (the engine finds no link in it), and so is the part of an included file that the
    include leaves out; positions stay those of the file as written.
    """

    def __init__(
        self, path: str, text: str, line_offset: int, extra: list[tuple[str, str, str]]
    ) -> None:
        self.files = [
            (path, mask_code(text), line_offset),
            *((p, mask_code(only_included(t, part)), 0) for p, t, part in extra),
        ]
        self.cursors: dict[tuple[str, str], int] = {}
        # Where each line of each file starts, computed once: a position is then a bisection,
        # not a count of every newline above it (which made a page's check quadratic).
        self.line_starts = {p: line_starts(t) for p, t, _ in self.files}

    def locate(
        self, needle: str, kind: str, prefixes: Iterable[str] = ("",)
    ) -> tuple[str, int, int]:
        """Where `needle` is written (after one of `prefixes`): path, line and column."""
        for index, (path, text, offset) in enumerate(self.files):
            cursor = self.cursors.get((kind, path), 0)
            at = self._find(text, needle, prefixes, cursor)
            if at < 0:
                at = self._find(text, needle, prefixes, 0)
            if at < 0:
                continue
            self.cursors[(kind, path)] = at + len(needle)
            line, col = position(self.line_starts[path], at)
            return path, line + (offset if index == 0 else 0), col
        return self.files[0][0], 1, 1

    @staticmethod
    def _find(text: str, needle: str, prefixes: Iterable[str], start: int) -> int:
        """The first place of `needle` written after the first prefix that finds one."""
        for prefix in prefixes:
            at = text.find(prefix + needle, start)
            if at >= 0:
                return at + len(prefix)
        return -1


def read_page(shown: str, raw: bytes) -> tuple[str, Problem | None]:
    """A page's text (UTF-8, Windows line ends made plain), or "" and why it cannot be used.

    A page that cannot be decoded, or that holds nothing (white space or front matter only),
    stops the check: what else is wrong follows from it.
    """
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return "", _not_utf8(shown, raw, error)
    source = source.replace("\r\n", "\n")
    body, _ = meta.get_data(source)
    if not body.strip():
        message = "page is empty (write it, or take it out of nav and delete it)"
        return "", Problem(shown, 1, 1, message)
    return source, None


def _not_utf8(shown: str, raw: bytes, error: UnicodeDecodeError) -> Problem:
    """The problem of a file that is not UTF-8, at the first byte that is not."""
    from commentary.config import byte_position

    line, col = byte_position(raw, error.start)
    return Problem(shown, line, col, f"not valid UTF-8 ({error.reason}); save it as UTF-8")


def blank(text: str) -> str:
    """`text` with every character but the line breaks turned into a space."""
    return re.sub(r"[^\n]", " ", text)


def mask_code(text: str) -> str:
    """`text` with fenced code blocks and inline code spans blanked out, lines and columns kept."""
    lines = text.split("\n")
    fence = ""
    for number, line in enumerate(lines):
        match = FENCE.match(line)
        if fence:
            closing = line.strip()
            if closing.startswith(fence) and not closing.strip(fence[0]):
                fence = ""
            lines[number] = blank(line)
        elif match:
            fence = match.group(2)
            lines[number] = blank(line)
    return CODE_SPAN.sub(lambda m: blank(m.group(0)), "\n".join(lines))


def only_included(text: str, part: str) -> str:
    """The text of an included file with what the include leaves out blanked (lines kept).

    `part` is what follows the file's name in the include: "" (all of it), a section name
    (between `--8<-- [start:name]` and `--8<-- [end:name]`), or lines "10:20" (1-based).
    """
    if not part:
        return text
    lines = text.split("\n")
    span = LINE_RANGE.match(part)
    if span:
        first = int(span.group("first") or 1)
        last = int(span.group("last")) if span.group("last") else len(lines)
        keep = set(range(first - 1, last))
    else:
        keep, inside = set(), False
        for number, line in enumerate(lines):
            edge = SECTION_LINE.search(line)
            if edge and edge.group("name") == part:
                inside = edge.group("edge") == "start"
            elif inside:
                keep.add(number)
    return "\n".join(line if n in keep else blank(line) for n, line in enumerate(lines))


def line_starts(text: str) -> list[int]:
    """The offset at which each line of `text` starts."""
    return [0, *(match.end() for match in NEWLINE.finditer(text))]


def position(starts: list[int], at: int) -> tuple[int, int]:
    """Line and column (1-based) of offset `at`, given the text's `line_starts`."""
    line = bisect.bisect_right(starts, at)
    return line, at - starts[line - 1] + 1


class _RawHtml(HTMLParser):
    """Collects URL attributes and ids from a piece of raw HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: list[str] = []
        self.generated = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "data-generated" in values:
            self.generated = True
        if "id" in values:
            self.ids.append(values["id"])
        if tag == "a" and "name" in values:
            self.ids.append(values["name"])
        attribute = URL_ATTRIBUTES.get(tag)
        if attribute and attribute in values:
            self.links.append(values[attribute])

    handle_startendtag = handle_starttag


def raw_html_parts(html: str) -> _RawHtml:
    """The ids and URLs in a piece of raw HTML."""
    parser = _RawHtml()
    parser.feed(html)
    parser.close()
    return parser


class Collector(Treeprocessor):
    """Walks the converted tree in document order: ids, headings, links with their section."""

    def reset(self) -> None:
        """Forget the previous page."""
        self.title = ""
        self.ids: list[str] = []
        self.headings: dict[str, str] = {}
        self.links: list[tuple[str, bool, str, bool]] = []  # href, raw html, section, generated
        self.texts: list[str] = []
        self.section = ""
        self.ref_sections: dict[str, str] = {}
        self.seen_stash: set[int] = set()

    def run(self, root: etree.Element) -> None:
        self.reset()
        self._walk(root, in_code=False)
        # Raw HTML that no placeholder in the tree stands for (kept by an extension elsewhere).
        for index in range(len(self.md.htmlStash.rawHtmlBlocks)):
            if index not in self.seen_stash:
                self._stashed(index)

    def _walk(self, element: etree.Element, in_code: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        in_code = in_code or tag in CODE_TAGS
        ident = element.get("id")
        if ident is not None:
            self.ids.append(ident)
            if tag in HEADINGS:
                self.headings[ident] = heading_text(element)
                if tag != "h1":
                    self.section = ident
            elif ident.startswith("fnref"):
                self.ref_sections.setdefault(ident.split(":", 1)[-1], self.section)
            elif ident.startswith("fn:"):
                self.section = self.ref_sections.get(ident[3:], self.section)
        if tag == "h1" and not self.title:
            self.title = heading_text(element)
        if tag == "a" and "name" in element.attrib:
            self.ids.append(element.attrib["name"])
        if tag in ("a", "img") and not classes(element) & GENERATED_LINK_CLASSES:
            url = element.get("href" if tag == "a" else "src")
            if url is not None:
                self.links.append((url, False, self.section, False))
        if element.text:
            self._text(element.text, in_code)
        for child in element:
            self._walk(child, in_code)
            if child.tail:
                self._text(child.tail, in_code)

    def _text(self, text: str, in_code: bool) -> None:
        """Raw HTML where its placeholder stands; the rest is text the engine left unparsed."""
        for match in util.HTML_PLACEHOLDER_RE.finditer(text):
            self._stashed(int(match.group(1)))
        if not in_code:
            self.texts.append(text)

    def _stashed(self, index: int) -> None:
        if index in self.seen_stash or index >= len(self.md.htmlStash.rawHtmlBlocks):
            return
        self.seen_stash.add(index)
        item = self.md.htmlStash.rawHtmlBlocks[index]
        html = item if isinstance(item, str) else self.md.serializer(item)
        parts = raw_html_parts(html)
        self.ids.extend(parts.ids)
        self.links.extend((url, True, self.section, parts.generated) for url in parts.links)


class Scanner:
    """Converts pages with the configured engine (plus any extra extensions) and records them."""

    def __init__(
        self,
        config: MkDocsConfig,
        extra_extensions: Iterable[markdown.Extension] = (),
        citation_keys: Iterable[str] = (),
    ) -> None:
        self.config = config
        self.citation_keys = sorted(citation_keys)  # for "did you mean" on an unknown [^key]
        self.root = Path(config.config_file_path).parent
        self.docs_shown = display(Path(config.docs_dir))
        self.md = markdown.Markdown(
            extensions=[*config.markdown_extensions, *extra_extensions],
            extension_configs=config.mdx_configs,
        )
        self.collector = Collector(self.md)
        # Where mkdocs.yml names each value of the extensions' options (read once, not a page).
        self.extension_lines = scalar_lines(Path(config.config_file_path), "markdown_extensions")
        # After `toc` (5) has set heading ids and before `unescape` (0) turns escaped
        # brackets back into plain text, so "\[a\]\[b\]" is not mistaken for a reference.
        self.md.treeprocessors.register(self.collector, "commentary-collector", 1)
        self.footnotes = next(
            (e for e in self.md.registeredExtensions if isinstance(e, FootnoteExtension)), None
        )

    def scan(self, src_uri: str, source: str, prefix: str = "") -> PageScan:
        """Convert one page from its text (as read by `read_page`); `prefix` is put before it
        (one line, as the build does)."""
        shown = f"{self.docs_shown}/{src_uri}"
        scan = PageScan(src_uri)
        body, scan.meta = meta.get_data(source)
        offset = source[: len(source) - len(body)].count("\n") if body else 0
        snippet_files, missing = self._snippet_files(body, shown, offset)
        scan.problems.extend(missing)
        if missing:
            return scan
        text = SourceText(shown, body, offset, snippet_files)
        try:
            scan.html = self.md.reset().convert(prefix + body)
        except SnippetMissingError as error:  # one the include lines above did not name
            scan.problems.append(Problem(shown, 1, 1, f"SnippetMissingError: {error}"))
            return scan
        found = self.collector
        scan.title = found.title
        scan.ids.extend(found.ids)
        scan.headings.update(found.headings)
        for url, raw_html, section, generated in found.links:
            path, line, col = text.locate(url, "link", LINK_SYNTAX)
            scan.links.append(Link(url, raw_html, path, line, col, section, generated))
        scan.problems.extend(self._text_problems(found.texts, text, scan.unknown_labels))
        scan.citations.extend(self._citations(text))
        scan.problems.extend(self._footnote_problems(text))
        for dup, count in Counter(scan.ids).items():
            if count > 1:
                path, line, col = text.locate(dup, "id", ("#", '="', ""))
                scan.problems.append(
                    Problem(path, line, col, f"id '{dup}' is used {count} times on this page")
                )
        return scan

    def _snippet_files(
        self, body: str, shown: str, offset: int
    ) -> tuple[list[tuple[str, str, str]], list[Problem]]:
        """The files pymdownx.snippets inserts into this page, and a problem for each missing one.

        Checked here whatever the extension's own options say: a missing include is an error
        with its file and line even where `check_paths` is off and snippets would stay silent.
        """
        options = self.config.mdx_configs.get("pymdownx.snippets")
        if options is None:
            return [], []
        bases = options.get("base_path", ["."])
        bases = [bases] if isinstance(bases, str) else bases
        wanted: list[tuple[str, str, int]] = []
        config_shown = display(Path(self.config.config_file_path))
        for name in [*options.get("auto_prepend", []), *options.get("auto_append", [])]:
            wanted.append((name, config_shown, self.extension_lines.get(name, 1)))
        in_block = False
        for number, line in enumerate(body.splitlines(), start=1):
            if SNIPPET_BLOCK.match(line):
                in_block = not in_block
                continue
            name = line.strip() if in_block else None
            match = None if in_block else SNIPPET_LINE.match(line)
            if match and not line.lstrip().startswith(";"):
                name = match.group("name")
            if name and not name.startswith(";"):
                wanted.append((name, shown, number + offset))
        found: list[tuple[str, str, str]] = []
        problems: list[Problem] = []
        for name, where, line in wanted:
            file_name, part = name.split(":", 1) if ":" in Path(name).name else (name, "")
            for base in bases:
                candidate = (self.root / base / file_name).resolve()
                if candidate.is_file():
                    try:
                        text = candidate.read_text(encoding="utf-8")
                        found.append((display(candidate), text, part))
                    except UnicodeDecodeError as error:
                        raw = candidate.read_bytes()
                        problems.append(_not_utf8(display(candidate), raw, error))
                    break
            else:
                problems.append(
                    Problem(where, line, 1, f"included file '{file_name}' does not exist")
                )
        return found, problems

    def _text_problems(
        self, texts: Iterable[str], text: SourceText, unknown: list[str]
    ) -> Iterator[Problem]:
        """References and footnote references that the engine could not resolve."""
        for chunk in texts:
            # A placeholder stands for HTML between two pieces of text: keep them apart.
            chunk = PLACEHOLDER.sub(" ", chunk)
            for match in UNDEFINED_REFERENCE.finditer(chunk):
                label = match.group(2) or match.group(1)
                path, line, col = text.locate(match.group(0), "text")
                yield Problem(path, line, col, f"reference link label '[{label}]' is not defined")
            for match in UNDEFINED_FOOTNOTE.finditer(chunk):
                label = match.group(1)
                unknown.append(label)
                path, line, col = text.locate(match.group(0), "text")
                yield Problem(
                    path,
                    line,
                    col,
                    f"footnote '[^{label}]' has no definition on the page"
                    f" and no record in the bibliography{self._suggest_key(label)}",
                )

    def _suggest_key(self, label: str) -> str:
        """A "did you mean" for an unknown footnote label: a record's key or the page's own."""
        own = list(self.footnotes.footnotes) if self.footnotes is not None else []
        close = difflib.get_close_matches(label, [*self.citation_keys, *own], n=1)
        return f"; did you mean '[^{close[0]}]'?" if close else ""

    def _citations(self, text: SourceText) -> Iterator[Citation]:
        """Every footnote reference the engine resolved, where it is written."""
        if self.footnotes is None:
            return
        for label in self.footnotes.footnotes:
            if self.footnotes.makeFootnoteRefId(label) in self.footnotes.found_refs:
                path, line, col = text.locate(f"[^{label}]", "citation")
                yield Citation(label, path, line, col, defined=True)

    def _footnote_problems(self, text: SourceText) -> Iterator[Problem]:
        """Footnote definitions that no reference uses."""
        if self.footnotes is None:
            return
        for label in self.footnotes.footnotes:
            if self.footnotes.makeFootnoteRefId(label) not in self.footnotes.found_refs:
                path, line, col = text.locate(f"[^{label}]:", "footnote")
                yield Problem(path, line, col, f"footnote '[^{label}]' is defined but never used")
