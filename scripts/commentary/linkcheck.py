"""Cross-link checker for an MkDocs site, built on the configured Markdown engine itself.

Every page is converted with exactly the Markdown extensions and settings that `mkdocs.yml`
configures (so heading ids come from the configured `toc` slugify and its de-duplication,
`attr_list` ids, footnotes, snippets and `md_in_html` behave as in the real build). A tree
processor records the links and ids of the converted page; raw HTML is read from the engine's own
stash. Links are then resolved the way MkDocs resolves them (Markdown links against the source
file, raw HTML and links that MkDocs leaves as they are against the page's URL) and every
`#fragment` is checked against the ids of its target page.

The public entry points are `check(config_file)`, which returns a `Report`, and the command line
in `scripts/check_links.py`.
"""

from __future__ import annotations

import difflib
import multiprocessing
import os
import posixpath
import re
import xml.etree.ElementTree as etree
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions.footnotes import FootnoteExtension
from markdown.treeprocessors import Treeprocessor
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, get_files
from mkdocs.utils import meta

# A full or collapsed reference link that the engine left as text because its label is undefined:
# "[text][label]" or "[text][]" (a shortcut "[text]" alone is ordinary prose and is not flagged).
UNDEFINED_REFERENCE = re.compile(r"\[([^\[\]\n]+)\]\[([^\[\]\n]*)\]")
# A footnote reference that the engine left as text because it has no definition: "[^label]".
UNDEFINED_FOOTNOTE = re.compile(r"\[\^([^\[\]\s]+)\]")
# A pymdownx.snippets include line: --8<-- "path" (optionally with :section or :lines).
SNIPPET_LINE = re.compile(r"""^\s*-{1,}8<-{1,}\s+(["'])(?P<name>[^"']+)\1""")
# The engine's placeholders for stashed raw HTML and escaped characters inside tree text.
PLACEHOLDER = re.compile("\x02[^\x03]*\x03")
# Links that the engine itself adds and that always work: toc permalinks and footnote back-links
# (a back-link of an unused footnote is reported as the unused footnote instead).
GENERATED_LINK_CLASSES = frozenset({"headerlink", "footnote-backref"})
# Elements whose text the engine never parses for links.
CODE_TAGS = frozenset({"code", "pre", "kbd", "samp"})
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


class ConfigError(Exception):
    """The configuration cannot be loaded; `location` is `path:line:col` where known."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: error: {message}")
        self.location = location
        self.message = message


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
    """A link found on a page, with where it is written."""

    href: str
    raw_html: bool
    path: str
    line: int
    col: int


@dataclass(frozen=True)
class Edge:
    """A working internal link from one page to another page (or an id on it)."""

    source: str
    target: str
    fragment: str
    line: int


@dataclass
class PageScan:
    """What converting one page found."""

    src_uri: str
    ids: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Report:
    """The outcome of a check: problems, and the link graph that the backlinks are made from."""

    problems: list[Problem]
    edges: list[Edge]
    pages: int
    links: int


class _SourceText:
    """A page's Markdown (and the snippet files it includes) for finding where a link is written."""

    def __init__(self, path: str, text: str, line_offset: int, extra: list[tuple[str, str]]):
        self.files = [(path, text, line_offset), *((p, t, 0) for p, t in extra)]
        self.cursors: dict[tuple[bool, str], int] = {}

    def locate(self, needle: str, stream: bool) -> tuple[str, int, int]:
        """Where `needle` is written: the first occurrence after the last find, else the first."""
        for index, (path, text, offset) in enumerate(self.files):
            cursor = self.cursors.get((stream, path), 0)
            at = text.find(needle, cursor)
            if at < 0:
                at = text.find(needle)
            if at < 0:
                continue
            self.cursors[(stream, path)] = at + len(needle)
            line = text.count("\n", 0, at) + 1
            col = at - (text.rfind("\n", 0, at) + 1) + 1
            return path, line + (offset if index == 0 else 0), col
        return self.files[0][0], 1, 1


class _Collector(Treeprocessor):
    """Records links, ids and unresolved reference text of the converted tree."""

    def clear(self) -> None:
        """Forget the previous page."""
        self.links: list[tuple[str, str]] = []
        self.ids: list[str] = []
        self.texts: list[str] = []

    def run(self, root: etree.Element) -> None:
        self.clear()
        self._walk(root, in_code=False)

    def _walk(self, element: etree.Element, in_code: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        in_code = in_code or tag in CODE_TAGS
        if "id" in element.attrib:
            self.ids.append(element.attrib["id"])
        if tag == "a" and "name" in element.attrib:
            self.ids.append(element.attrib["name"])
        classes = set(element.get("class", "").split())
        if tag in ("a", "img") and not classes & GENERATED_LINK_CLASSES:
            url = element.get("href" if tag == "a" else "src")
            if url is not None:
                self.links.append((tag, url))
        if element.text and not in_code:
            self.texts.append(element.text)
        for child in element:
            self._walk(child, in_code)
            if child.tail:
                self.texts.append(child.tail)


class _RawHtml(HTMLParser):
    """Collects URL attributes and ids from raw HTML kept aside by the Markdown engine."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.ids.append(values["id"])
        if tag == "a" and "name" in values:
            self.ids.append(values["name"])
        attribute = URL_ATTRIBUTES.get(tag)
        if attribute and attribute in values:
            self.links.append(values[attribute])

    handle_startendtag = handle_starttag


@contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    """Run with `path` as the current directory (pymdownx.snippets resolves against it)."""
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def load_config(config_file: str | os.PathLike[str]) -> MkDocsConfig:
    """Load and validate `mkdocs.yml` with MkDocs' own loader, or raise `ConfigError`."""
    from mkdocs import exceptions
    from mkdocs.config import load_config as mkdocs_load_config

    path = Path(config_file)
    shown = _display(path)
    if not path.is_file():
        raise ConfigError(f"{shown}:1:1", "configuration file not found")
    try:
        path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        line, col = _byte_position(path.read_bytes(), error.start)
        raise ConfigError(f"{shown}:{line}:{col}", f"not valid UTF-8 ({error.reason})") from None
    with _quiet_mkdocs() as messages:
        try:
            return mkdocs_load_config(config_file=str(path))
        except (exceptions.ConfigurationError, exceptions.Abort) as error:
            fallback = str(error)
            text = " ".join([*messages, fallback])
        except (OSError, ValueError) as error:
            raise ConfigError(f"{shown}:1:1", str(error)) from None
    # YAML errors name their line; MkDocs' validation errors name the setting.
    marks = re.findall(r"line (\d+), column (\d+)", text)
    if marks:
        line, col = (int(n) for n in marks[-1])
        raise ConfigError(f"{shown}:{line}:{col}", "malformed YAML: " + _yaml_problem(text))
    key = re.search(r"Config value '([^']+)'", text)
    line = _find_line(path, key.group(1).split(".")[0] + ":") if key else 1
    errors = messages or [fallback]
    raise ConfigError(f"{shown}:{line}:1", "; ".join(" ".join(m.split()) for m in errors))


def _yaml_problem(text: str) -> str:
    """The YAML parser's own words for what went wrong, without the file positions."""
    words = re.sub(r'\s*in "[^"]*", line \d+, column \d+', "", text)
    words = words.replace("MkDocs encountered an error parsing the configuration file:", "")
    return " ".join(words.split()).replace("Aborted with a configuration error!", "").strip()


@contextmanager
def _quiet_mkdocs() -> Iterator[list[str]]:
    """Collect MkDocs' own warnings and errors instead of printing them; yields the messages."""
    import logging

    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                messages.append(record.getMessage())

    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    saved = logger.handlers[:], logger.propagate, logger.level
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    try:
        yield messages
    finally:
        logger.handlers[:], logger.propagate, _ = saved
        logger.setLevel(saved[2])


def _display(path: Path) -> str:
    """A path as shown in messages: relative to the current directory where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _find_line(path: Path, needle: str) -> int:
    """The 1-based line of the first line of `path` that contains `needle`, else 1."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    return 1


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (1-based) of a byte offset."""
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


class Checker:
    """Checks one MkDocs configuration; `run()` returns a `Report`."""

    def __init__(self, config: MkDocsConfig) -> None:
        self.config = config
        self.config_path = Path(config.config_file_path)
        self.root = self.config_path.parent
        self.docs_dir = Path(config.docs_dir)
        self.docs_shown = _display(self.docs_dir)
        with _quiet_mkdocs():
            self.files: Files = get_files(config)
        self.pages = {f.src_uri: f for f in self.files.documentation_pages(inclusion=_any)}
        self.generated = {
            str(name).lstrip("/") for name in (config.extra or {}).get("generated_files", [])
        }
        self.site_paths = self._site_paths()
        self.md = markdown.Markdown(
            extensions=config.markdown_extensions, extension_configs=config.mdx_configs
        )
        self.collector = _Collector(self.md)
        # After `toc` (5) has set heading ids and before `unescape` (0) turns escaped
        # brackets back into plain text, so "\[a\]\[b\]" is not mistaken for a reference.
        self.md.treeprocessors.register(self.collector, "linkcheck", 1)
        self.footnotes = next(
            (e for e in self.md.registeredExtensions if isinstance(e, FootnoteExtension)), None
        )

    # ---- site model ---------------------------------------------------------------------------

    def _site_paths(self) -> dict[str, File | None]:
        """Every path the built site answers, mapped to the file behind it (None: generated)."""
        paths: dict[str, File | None] = {}
        for f in self.files:
            if f.inclusion.is_excluded():
                continue
            paths[f.dest_uri] = f
            if f.is_documentation_page():
                url = "" if f.url in ("", "./") else f.url
                paths[url] = f
                if url.endswith("/"):
                    paths[url.rstrip("/")] = f
        for name in self.generated:
            paths.setdefault(name, None)
        return paths

    # ---- the run ------------------------------------------------------------------------------

    def run(self) -> Report:
        """Convert every page, then resolve every link; collect all problems."""
        problems: list[Problem] = []
        pages = [f for _, f in sorted(self.pages.items()) if not f.inclusion.is_excluded()]
        with _working_directory(self.root):
            scans = {scan.src_uri: scan for scan in self._scan_all(pages)}
        ids = {uri: set(scan.ids) for uri, scan in scans.items()}
        edges: list[Edge] = []
        links = 0
        for src_uri, scan in scans.items():
            problems.extend(scan.problems)
            for link in scan.links:
                links += 1
                problem, edge = self._resolve(self.pages[src_uri], link, ids)
                if problem:
                    problems.append(problem)
                if edge:
                    edges.append(edge)
        problems.extend(self._check_nav())
        return Report(sorted(set(problems)), edges, len(scans), links)

    def _docs_path(self, src_uri: str) -> str:
        return posixpath.join(self.docs_shown, src_uri)

    def _scan_all(self, pages: list[File]) -> list[PageScan]:
        """Scan every page; a large site is split between the machine's cores.

        Each worker is a fork of this process with its own copy of the engine, so the result is
        the same as scanning in order; only the wall-clock time changes.
        """
        workers = min(os.cpu_count() or 1, len(pages) // PAGES_PER_WORKER)
        if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return [self._scan(f) for f in pages]
        global _FORKED
        _FORKED = self
        chunks = [pages[i::workers] for i in range(workers)]
        context = multiprocessing.get_context("fork")
        try:
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                results = list(pool.map(_scan_chunk, chunks))
        finally:
            _FORKED = None
        return [scan for chunk in results for scan in chunk]

    def _scan(self, f: File) -> PageScan:
        """Convert one page with the configured engine and record what it holds."""
        shown = self._docs_path(f.src_uri)
        scan = PageScan(f.src_uri)
        raw = Path(f.abs_src_path).read_bytes()
        try:
            source = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line, col = _byte_position(raw, error.start)
            scan.problems.append(
                Problem(shown, line, col, f"not valid UTF-8 ({error.reason}); save it as UTF-8")
            )
            return scan
        source = source.replace("\r\n", "\n")
        body, _ = meta.get_data(source)
        offset = source[: len(source) - len(body)].count("\n") if body else 0
        snippet_files = self._snippet_files(body, f)
        text = _SourceText(shown, body, offset, snippet_files)
        try:
            self._parse(body)
        except Exception as error:  # the engine's own message, at the snippet line when it is one
            name = re.search(r"Snippet at path '?([^'\s]+)'? could not be found", str(error))
            line = 1
            if name:
                for number, content in enumerate(body.splitlines(), start=1):
                    if name.group(1) in content and SNIPPET_LINE.match(content):
                        line = number + offset
                        break
                else:
                    shown, line = (
                        _display(self.config_path),
                        _find_line(self.config_path, Path(name.group(1)).name),
                    )
            scan.problems.append(Problem(shown, line, 1, f"{type(error).__name__}: {error}"))
            return scan
        collected = self.collector
        scan.ids.extend(collected.ids)
        for _tag, url in collected.links:
            path, line, col = text.locate(url, stream=False)
            scan.links.append(Link(url, False, path, line, col))
        for item in self.md.htmlStash.rawHtmlBlocks:
            html = item if isinstance(item, str) else self.md.serializer(item)
            parser = _RawHtml()
            parser.feed(html)
            parser.close()
            scan.ids.extend(parser.ids)
            for url in parser.links:
                path, line, col = text.locate(url, stream=True)
                scan.links.append(Link(url, True, path, line, col))
        scan.problems.extend(self._text_problems(collected.texts, text))
        scan.problems.extend(self._footnote_problems(text))
        for dup, count in Counter(scan.ids).items():
            if count > 1:
                path, line, col = text.locate(dup, stream=True)
                scan.problems.append(
                    Problem(path, line, col, f"id '{dup}' is used {count} times on this page")
                )
        return scan

    def _parse(self, body: str) -> None:
        """Run the engine's own pipeline up to this checker's tree processor.

        The same steps as `Markdown.convert()`, minus serialising the tree and the text
        post-processors, which add no link or id (raw HTML is read from the stash instead).
        """
        self.md.reset()
        self.collector.clear()
        if not body.strip():
            return
        self.md.lines = body.split("\n")
        for preprocessor in self.md.preprocessors:
            self.md.lines = preprocessor.run(self.md.lines)
        root = self.md.parser.parseDocument(self.md.lines).getroot()
        for treeprocessor in self.md.treeprocessors:
            replaced = treeprocessor.run(root)
            if replaced is not None:
                root = replaced
            if treeprocessor is self.collector:
                break

    def _snippet_files(self, body: str, f: File) -> list[tuple[str, str]]:
        """The files that pymdownx.snippets may insert into this page, with their text."""
        options = self.config.mdx_configs.get("pymdownx.snippets")
        if options is None:
            return []
        bases = options.get("base_path", ["."])
        bases = [bases] if isinstance(bases, str) else bases
        names = [*options.get("auto_prepend", []), *options.get("auto_append", [])]
        names += [m.group("name") for m in map(SNIPPET_LINE.match, body.splitlines()) if m]
        out: list[tuple[str, str]] = []
        for name in names:
            name = re.sub(r":[^/\\]*$", "", name) if not Path(name).suffix.endswith(":") else name
            for base in bases:
                candidate = (self.root / base / name).resolve()
                if candidate.is_file():
                    with suppress(UnicodeDecodeError):
                        out.append((_display(candidate), candidate.read_text(encoding="utf-8")))
                    break
        return out

    def _text_problems(self, texts: Iterable[str], text: _SourceText) -> Iterator[Problem]:
        """References and footnote references that the engine could not resolve."""
        for chunk in texts:
            chunk = PLACEHOLDER.sub("", chunk)
            for match in UNDEFINED_REFERENCE.finditer(chunk):
                label = match.group(2) or match.group(1)
                path, line, col = text.locate(match.group(0), stream=True)
                yield Problem(path, line, col, f"reference link label '[{label}]' is not defined")
            for match in UNDEFINED_FOOTNOTE.finditer(chunk):
                label = match.group(1)
                path, line, col = text.locate(match.group(0), stream=True)
                yield Problem(path, line, col, f"footnote '[^{label}]' has no definition")

    def _footnote_problems(self, text: _SourceText) -> Iterator[Problem]:
        """Footnote definitions that no reference uses."""
        if self.footnotes is None:
            return
        for label in self.footnotes.footnotes:
            if self.footnotes.makeFootnoteRefId(label) not in self.footnotes.found_refs:
                path, line, col = text.locate(f"[^{label}]:", stream=True)
                yield Problem(path, line, col, f"footnote '[^{label}]' is defined but never used")

    # ---- resolving links ----------------------------------------------------------------------

    def _resolve(
        self, page: File, link: Link, ids: dict[str, set[str]]
    ) -> tuple[Problem | None, Edge | None]:
        """Check one link; return a problem or the internal edge it makes (or neither)."""
        href = link.href.strip()
        scheme, netloc, path, _query, fragment = urlsplit(href)

        def problem(message: str) -> Problem:
            return Problem(link.path, link.line, link.col, message)

        if scheme or netloc:  # another site, mailto:, tel: ... : not the checker's business
            return None, None
        if href.startswith(("/", "\\")):
            return problem(
                f"absolute link '{href}' breaks when the site is served from a subpath"
                " (GitHub Pages project site); make it relative"
            ), None
        if "\x02amp\x03" in href or href.startswith("&#"):  # obfuscated e-mail address
            return None, None
        if not path:
            if fragment:
                return self._fragment(page, page.src_uri, fragment, ids, problem), None
            return None, None
        path = unquote(path)
        if not link.raw_html:
            target_uri = posixpath.normpath(
                posixpath.join(posixpath.dirname(page.src_uri), path).lstrip("/")
            )
            target = self.files.get_file_from_path(target_uri)
            if target is not None:
                if target.inclusion.is_excluded():
                    return problem(
                        f"link to '{href}': the configuration excludes '{target_uri}' from the"
                        " site (exclude_docs or draft_docs)"
                    ), None
                return self._to_file(page, target, fragment, ids, problem, link)
        # Raw HTML, and links MkDocs leaves as they are, resolve against the page's URL.
        site_path = _join_url(page.url, path)
        if site_path is None:
            return problem(f"link to '{href}' points above the site's root"), None
        for candidate in (site_path, posixpath.join(site_path, "index.html")):
            if candidate in self.site_paths:
                target = self.site_paths[candidate]
                if target is None:
                    return None, None
                return self._to_file(page, target, fragment, ids, problem, link)
        if link.raw_html and path.endswith(".md"):
            hint = " (raw HTML is not rewritten: link to the page's URL, or use a Markdown link)"
        else:
            hint = self._suggest_file(page, path, link.raw_html)
        return problem(f"link to '{href}': no such file or page in the site{hint}"), None

    def _to_file(self, page, target, fragment, ids, problem, link):
        if not target.is_documentation_page():
            return None, None
        if fragment:
            found = self._fragment(page, target.src_uri, fragment, ids, problem)
            if found:
                return found, None
        return None, Edge(page.src_uri, target.src_uri, fragment, link.line)

    def _fragment(self, page, target_uri, fragment, ids, problem) -> Problem | None:
        anchor = unquote(fragment)
        known = ids.get(target_uri, set())
        if anchor in known or fragment in known:
            return None
        where = "this page" if target_uri == page.src_uri else f"'{target_uri}'"
        close = difflib.get_close_matches(anchor, sorted(known), n=1, cutoff=0.6)
        hint = f"; did you mean '#{close[0]}'?" if close else ""
        return problem(f"no anchor '#{fragment}' on {where}{hint}")

    def _suggest_file(self, page: File, path: str, raw_html: bool) -> str:
        """A cheap "did you mean" for a missing file, from the nearest existing name."""
        if raw_html:
            pool = [p for p in self.site_paths if p]
            here = posixpath.dirname(page.url.rstrip("/")) if page.url.endswith("/") else ""
        else:
            pool = sorted(self.pages)
            here = posixpath.dirname(page.src_uri)
        wanted = posixpath.normpath(posixpath.join(posixpath.dirname(page.src_uri), path))
        close = difflib.get_close_matches(wanted, pool, n=1, cutoff=0.75)
        if not close:
            return ""
        suggestion = posixpath.relpath(close[0], here or ".")
        if raw_html and page.url.endswith("/"):
            suggestion = posixpath.relpath(close[0], page.url.rstrip("/") or ".")
        return f"; did you mean '{suggestion}'?"

    # ---- navigation ---------------------------------------------------------------------------

    def _check_nav(self) -> Iterator[Problem]:
        """Every nav entry exists; every page is in nav unless the configuration says otherwise."""
        shown = _display(self.config_path)
        config_text = self.config_path.read_text(encoding="utf-8")
        listed: set[str] = set()
        for uri in (entry.uri for entry in nav_entries(self.config.nav)):
            if urlsplit(uri).scheme or uri.startswith("/"):
                continue
            listed.add(uri)
            f = self.pages.get(uri)
            line = next((n for n, text in enumerate(config_text.splitlines(), 1) if uri in text), 1)
            if f is None:
                close = difflib.get_close_matches(uri, sorted(self.pages), n=1, cutoff=0.75)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                yield Problem(shown, line, 1, f"nav entry '{uri}' does not exist in docs/{hint}")
            elif f.inclusion.is_excluded():
                yield Problem(shown, line, 1, f"nav entry '{uri}' is excluded from the site")
        if self.config.nav is None:  # MkDocs then lists every page itself
            return
        for uri, f in sorted(self.pages.items()):
            if uri in listed or f.inclusion.is_excluded() or f.inclusion.is_not_in_nav():
                continue
            yield Problem(
                self._docs_path(uri),
                1,
                1,
                "page is not in nav (add it to nav in mkdocs.yml, or list it in not_in_nav)",
            )


# The checker a forked worker scans with (set only while a pool runs).
_FORKED: Checker | None = None
# Below this many pages per core, forking costs more than it saves.
PAGES_PER_WORKER = 150


def _scan_chunk(pages: list[File]) -> list[PageScan]:
    """Scan some pages in a forked worker, with the engine the parent configured."""
    assert _FORKED is not None
    return [_FORKED._scan(f) for f in pages]


def _join_url(page_url: str, path: str) -> str | None:
    """The site path that `path` reaches from a page at `page_url`, as a browser resolves it;
    None when it climbs above the site's root (which breaks under a project subpath)."""
    parts = [part for part in page_url.split("/")[:-1] if part not in ("", ".")]
    for part in path.split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    joined = "/".join(parts)
    return joined + "/" if path.endswith("/") and joined else joined


def _any(_inclusion: object) -> bool:
    return True


class NavEntry(NamedTuple):
    """A leaf of a `nav:` setting: its title, its path, and the top-level section it is in."""

    title: str
    uri: str
    section: str


def nav_entries(nav: object, section: str = "") -> Iterator[NavEntry]:
    """Every leaf of a `nav:` setting, in order."""
    if isinstance(nav, str):
        yield NavEntry("", nav, section)
    elif isinstance(nav, list):
        for item in nav:
            yield from nav_entries(item, section)
    elif isinstance(nav, dict):
        for title, value in nav.items():
            if isinstance(value, str):
                yield NavEntry(str(title), value, section)
            else:
                yield from nav_entries(value, section or str(title))


def check(config_file: str | os.PathLike[str] = "mkdocs.yml") -> Report:
    """Load `config_file` and check the site; raises `ConfigError` for a bad configuration."""
    return Checker(load_config(config_file)).run()


def check_config(config: MkDocsConfig) -> Report:
    """Check an already loaded configuration; reuse the last report while no input changed.

    `scripts/build.py` checks before it calls MkDocs, and the MkDocs hook checks again on every
    build (so plain `mkdocs build` and `mkdocs serve` are covered): the second check of unchanged
    files costs one directory walk.
    """
    key = str(config.config_file_path)
    fingerprint = _fingerprint(config)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    report = Checker(config).run()
    _CACHE[key] = (fingerprint, report)
    return report


_CACHE: dict[str, tuple[tuple[tuple[str, int, int], ...], Report]] = {}


def _fingerprint(config: MkDocsConfig) -> tuple[tuple[str, int, int], ...]:
    """Path, modification time and size of the configuration and of every file under docs/."""
    found = []
    paths = [Path(config.config_file_path)]
    for folder, _dirs, names in os.walk(config.docs_dir):
        paths.extend(Path(folder, name) for name in names)
    for path in paths:
        stat = path.stat()
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))
