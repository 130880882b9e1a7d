"""The site model: the configuration, files, navigation and scanned pages, built once per build.

`Site.load("mkdocs.yml")` (or `Site.of(config)` inside MkDocs) loads the configuration once with
MkDocs' own loader, takes the file list and the navigation from MkDocs itself, and scans every page
once with the configured Markdown engine. The checker, the MkDocs hook, the Markdown extension's
data, the PDF, the downloads and the tests all read this one object.
"""

from __future__ import annotations

import datetime
import errno
import os
import posixpath
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel, get_files
from mkdocs.structure.nav import Navigation, Section, get_navigation
from mkdocs.utils import get_build_datetime

from commentary import extension
from commentary.config import display, load_config, quiet_mkdocs
from commentary.scan import PageScan, Problem, Scanner, line_starts, position, read_page

if TYPE_CHECKING:  # imported where used: the bibliography needs citeproc, the report the checker
    from commentary.bibliography import Bibliography
    from commentary.linkcheck import Report
    from commentary.timeline import Entry, TimelineError

# The attribute of a loaded MkDocsConfig that carries its Site (so the hook reuses build.py's).
_ATTRIBUTE = "_commentary_site"
# Pages whose anchored entries get a generated "Discussed in" line.
BACKLINK_PAGES = ("timeline.md", "glossary.md")
# The timeline page, whose entries feed the chart and the downloads.
TIMELINE = "timeline.md"
# The marker of the chart of contacts.
CHART = "contacts-chart"
CHART_MARKER = f"{extension.MARKER_PREFIX}{CHART}{extension.MARKER_SUFFIX}"
# The bibliography, under docs/ so that it is published with the site.
BIBLIOGRAPHY = "bibliography.yaml"
# The page that renders the bibliography.
SOURCES_PAGE = "sources.md"
# The generated files that only a build with the PDFs writes: the full edition and the handout.
PDFS = ("commentary.pdf", "handout.pdf")
# Stands for the link to the timeline in the chart, drawn once and given each page's link after.
TIMELINE_HREF = "commentary-timeline-href"


@dataclass(frozen=True)
class Edge:
    """A working internal link: from a section of one page to another page (or an id on it)."""

    source: str
    section: str
    target: str
    fragment: str
    generated: bool = False  # made by a generated block (the chart), not written on the page


@dataclass(frozen=True)
class NavPage:
    """A page in reading order: its file, its title and the top-level section that holds it."""

    file: File
    title: str
    section: str


class Site:
    """One MkDocs configuration with its files, navigation and page scans."""

    def __init__(self, config: MkDocsConfig) -> None:
        self.config = config
        self.config_path = Path(config.config_file_path)
        self.docs_dir = Path(config.docs_dir)
        # Where the last good build is, whose PDF a build without one keeps (build.py's -d
        # sets it; MkDocs' own `serve` points site_dir at a scratch folder, so not from there).
        self.published = self.config_path.parent / _raw_site_dir(config)
        # Whether this build writes the PDF (build.py says; a plain `mkdocs build` does not).
        self.writes_pdf = False
        # Symbolic links under docs/ that lead outside it, nowhere or round in a loop: MkDocs
        # would follow them, so nothing else is read while there is one.
        self.link_problems = symlink_problems(self.docs_dir)
        with quiet_mkdocs() as self.mkdocs_messages:
            self.files: Files = Files([]) if self.link_problems else get_files(config)
            for uri in self.generated_files:  # the check's view: every one of them will exist
                if self.files.get_file_from_path(uri) is None:
                    self.files.append(self._stand_in(uri))
            self.nav: Navigation = get_navigation(self.files, config)
        self.pages = {
            f.src_uri: f for f in self.files.documentation_pages(inclusion=InclusionLevel.all)
        }
        self.edition: datetime.datetime = get_build_datetime()

    # ---- construction -----------------------------------------------------------------------

    @classmethod
    def load(cls, config_file: str | os.PathLike[str]) -> Site:
        """Load `config_file` with MkDocs' loader (raises `ConfigError`) and attach a Site to it."""
        return cls.of(load_config(config_file))

    @classmethod
    def of(cls, config: MkDocsConfig) -> Site:
        """The Site of a loaded configuration, made on first use and kept with the configuration."""
        site = getattr(config, _ATTRIBUTE, None)
        if site is None:
            site = cls(config)
            setattr(config, _ATTRIBUTE, site)
        return site

    # ---- generated files ----------------------------------------------------------------------

    def plan_files(self, files: Files) -> None:
        """Make the files the build writes after rendering (the PDF, the downloads) known.

        Empty stand-ins until the build writes them, so that pages link to them with ordinary
        Markdown links. The PDF is the exception: a build that does not write it keeps the last
        good one (`kept_pdf`), and where there is none it is left out and the pages' links to it
        are taken out (`absent_files`): never an empty file behind a link.
        """
        for uri in self.generated_files:
            if files.get_file_from_path(uri) is not None or uri in self.absent_files:
                continue
            kept = self.kept_pdf(uri) if uri in PDFS else None
            if kept is not None:
                directory_urls = self.config.use_directory_urls
                files.append(File(uri, str(kept.parent), self.config.site_dir, directory_urls))
                continue
            files.append(self._stand_in(uri))

    def _stand_in(self, uri: str) -> File:
        """An empty file that the build fills in after rendering."""
        stand_in = File(uri, None, self.config.site_dir, self.config.use_directory_urls)
        stand_in.generated_by = "commentary"
        stand_in.content_bytes = b""
        return stand_in

    @property
    def generated_files(self) -> list[str]:
        """The files the build writes into the site after rendering (`extra.generated_files`)."""
        names = (self.config.extra or {}).get("generated_files", [])
        return [str(name).lstrip("/") for name in names]

    def kept_pdf(self, name: str) -> Path | None:
        """The last good PDF `name`, which a build that writes none copies in (None: none)."""
        if self.writes_pdf or name not in self.generated_files:
            return None
        pdf = self.published / name
        in_place = Path(self.config.site_dir).resolve() == self.published.resolve()
        if in_place or not pdf.is_file() or not pdf.stat().st_size:
            return None  # a plain `mkdocs build` empties site/ before it copies anything
        return pdf

    @property
    def absent_files(self) -> list[str]:
        """Generated files this build leaves out: each PDF, when it writes none and keeps none."""
        if self.writes_pdf:
            return []
        return [n for n in PDFS if n in self.generated_files and self.kept_pdf(n) is None]

    # ---- reading order ----------------------------------------------------------------------

    @cached_property
    def reading_order(self) -> list[NavPage]:
        """Every page of the navigation, in MkDocs' own order, with its title and section."""
        out = []
        for page in self.nav.pages:
            top = page
            while top.parent is not None:
                top = top.parent
            section = top.title if isinstance(top, Section) and top is not page else ""
            out.append(NavPage(page.file, self.title(page.file.src_uri), section or ""))
        return out

    def title(self, src_uri: str) -> str:
        """A page's title: its nav title, else its first heading, else its file name."""
        file = self.pages.get(src_uri)
        page = file.page if file else None
        given = vars(page).get("title") if page is not None else None
        if given:
            return str(given)
        scan = self.scans.get(src_uri)
        return (scan.title if scan else "") or src_uri

    def short_title(self, src_uri: str) -> str:
        """The title before any colon: "Principle 1" for "Principle 1: Engage the top leader"."""
        return self.title(src_uri).split(":")[0].strip()

    # ---- reading ------------------------------------------------------------------------------

    @cached_property
    def _sources(self) -> tuple[dict[str, str], list[Problem]]:
        """Every page's text, read once; and a problem for each page that cannot be used."""
        texts: dict[str, str] = {}
        problems: list[Problem] = []
        for uri, f in sorted(self.pages.items()):
            if f.inclusion.is_excluded():
                continue
            text, problem = read_page(self.docs_path(uri), Path(f.abs_src_path).read_bytes())
            if problem is None:
                texts[uri] = text
            else:
                problems.append(problem)
        return texts, problems

    @property
    def sources(self) -> dict[str, str]:
        """The text of every page that is part of the site (UTF-8, plain line ends)."""
        return self._sources[0]

    @cached_property
    def _bibliography(self) -> tuple[Bibliography | None, list[Problem]]:
        """The bibliography (None where there is none or it cannot be read), and its problems."""
        path = self.docs_dir / BIBLIOGRAPHY
        if not path.is_file():
            return None, []
        from commentary import bibliography

        try:
            return bibliography.load(path, self.docs_path(BIBLIOGRAPHY)), []
        except bibliography.BibliographyError as error:
            return None, error.problems
        except UnicodeDecodeError as error:
            from commentary.scan import _not_utf8

            return None, [_not_utf8(self.docs_path(BIBLIOGRAPHY), path.read_bytes(), error)]

    @property
    def bibliography(self) -> Bibliography | None:
        """The bibliography under docs/, or None where the site has none (or it is unreadable)."""
        return self._bibliography[0]

    @cached_property
    def input_problems(self) -> list[Problem]:
        """What stops the check before it starts, reported alone since the rest follows from it:
        links out of docs/, pages that cannot be read or are empty, a bibliography that cannot
        be read, timeline entries the downloads cannot use. Each stage waits for the one before.
        """
        if self.link_problems:
            return sorted(self.link_problems)
        unreadable = sorted([*self._sources[1], *self._bibliography[1]])
        if unreadable:
            return unreadable
        return sorted(self._timeline[1])

    # ---- scanning ---------------------------------------------------------------------------

    @cached_property
    def _scan_data(self) -> extension.Data:
        """What the scanning engine's extension is fed; the chart joins it after the timeline."""
        return extension.Data(footnotes=self.footnote_texts(), markers=self.static_markers())

    @cached_property
    def _scanner(self) -> Scanner:
        """The configured engine with the project's extension."""
        keys = self.bibliography.keys if self.bibliography is not None else []
        ext = extension.CommentaryExtension(data=self._scan_data)
        return Scanner(self.config, [ext], keys)

    def _scan(self, src_uri: str) -> PageScan:
        return self._scanner.scan(src_uri, self.sources[src_uri], extension.stamp(src_uri))

    @cached_property
    def _timeline_scan(self) -> PageScan | None:
        """The timeline page converted (first: the chart on other pages needs its entries)."""
        return self._scan(TIMELINE) if TIMELINE in self.sources else None

    @cached_property
    def _timeline(self) -> tuple[list[Entry], list[Problem]]:
        """The timeline's entries, read once from its rendered page; or the problem that stops
        them, at the place in the page's source where it is written."""
        from commentary import timeline as timeline_data

        scan = self._timeline_scan
        if scan is None or scan.problems or not self._reads_timeline:
            return [], []  # the check reports the page's own problems
        try:
            entries = timeline_data.entries_from_html(scan.html)
        except timeline_data.TimelineError as error:
            return [], [self._timeline_problem(error)]
        asking = [uri for uri, text in self.sources.items() if CHART_MARKER in text]
        if asking and not any(entry.is_contact for entry in entries):
            text = self.sources[asking[0]]
            line, col = position(line_starts(text), text.find(CHART_MARKER))
            message = (
                "the chart of contacts needs a timeline entry marked as a contact"
                " (a .tl-contact line with data-level and data-outcome); none is"
            )
            return entries, [Problem(self.docs_path(asking[0]), line, col, message)]
        return entries, []

    @property
    def _reads_timeline(self) -> bool:
        """Whether the build reads the timeline as data: for its downloads or for the chart."""
        return "timeline.csv" in self.generated_files or any(
            CHART_MARKER in text for text in self.sources.values()
        )

    def _timeline_problem(self, error: TimelineError) -> Problem:
        """A timeline error at the line of the entry's wrong value (else the entry's heading)."""
        text = self.sources[TIMELINE]
        start = max(text.find(f"#{error.entry}"), 0) if error.entry else 0
        at = text.find(error.written, start)
        at = at if at >= 0 else start
        line, col = position(line_starts(text), at)
        return Problem(self.docs_path(TIMELINE), line, col, str(error))

    @property
    def timeline_entries(self) -> list[Entry]:
        """The timeline's entries (`commentary.timeline.Entry`), as the page shows them."""
        return self._timeline[0]

    @cached_property
    def scans(self) -> dict[str, PageScan]:
        """Every page converted once; the timeline first, since the chart on others needs it."""
        scans: dict[str, PageScan] = {}
        if self._timeline_scan is not None:
            scans[TIMELINE] = self._timeline_scan
        self._scan_data.markers.update(self.chart_markers())
        for uri in self.sources:
            if uri not in scans:
                scans[uri] = self._scan(uri)
        return dict(sorted(scans.items()))

    @cached_property
    def report(self) -> Report:
        """The cross-link check of this site (problems, edges and counts)."""
        from commentary import linkcheck

        return linkcheck.check_site(self)

    @property
    def problems(self) -> list[Problem]:
        """Everything wrong with the site, sorted by file and line."""
        return self.report.problems

    @property
    def edges(self) -> list[Edge]:
        """Every working internal link between pages, with the section it sits under."""
        return self.report.edges

    # ---- what the Markdown extension is fed -------------------------------------------------

    @cached_property
    def _footnote_texts(self) -> dict[str, str]:
        bib = self.bibliography
        if bib is None:
            return {}
        return {key: bib.short_cite(key) for key in bib.keys}

    def footnote_texts(self) -> dict[str, str]:
        """The short citation of every bibliography record, by key."""
        return dict(self._footnote_texts)

    @cached_property
    def _static_markers(self) -> dict[str, Any]:
        """The generated blocks that need no other page, rendered once (citeproc is slow)."""
        markers: dict[str, Any] = {}
        bib = self.bibliography
        if bib is not None:
            from commentary import bibliography

            markers["bibliography"] = bibliography.render_sources_markdown(bib)
            citation = (self.config.extra or {}).get("citation")
            if citation:
                markers["how-to-cite"] = bibliography.how_to_cite_markdown(
                    self.config.extra,
                    self.edition_data(),
                    self.config.site_url,
                )
        return markers

    def static_markers(self) -> dict[str, Any]:
        """Generated blocks that do not depend on other pages: the bibliography, how to cite."""
        return dict(self._static_markers)

    @cached_property
    def _chart(self) -> str | None:
        """The chart of contacts, drawn once, its link to the timeline a placeholder."""
        if not any(CHART_MARKER in text for text in self.sources.values()):
            return None
        from commentary import chart

        html = chart.contacts_chart(self.timeline_entries, TIMELINE_HREF)
        if TIMELINE_HREF not in html:
            raise RuntimeError("the chart no longer writes its timeline link as given")
        return html

    def chart_markers(self, source_links: bool = False) -> dict[str, Any]:
        """The chart of contacts for each page that asks for it, from the timeline's entries.

        The chart is raw HTML, whose links MkDocs leaves as written (so they are page URLs) and
        Zensical rewrites like Markdown links (so, for it, `source_links` gives `.md` paths).
        """
        if self._chart is None:
            return {}
        timeline_url = self.pages[TIMELINE].url
        per_page = {}
        for uri, text in self.sources.items():
            if CHART_MARKER not in text:
                continue
            if source_links:
                href = posixpath.relpath(TIMELINE, posixpath.dirname(uri) or ".")
            else:
                url = self.pages[uri].url
                href = posixpath.relpath(timeline_url or ".", posixpath.dirname(url) or ".")
                href += "/" if timeline_url.endswith("/") else ""
            per_page[uri] = self._chart.replace(TIMELINE_HREF, href)
        return {CHART: per_page}

    def extension_data(self, source_links: bool = False) -> extension.Data:
        """Everything the Markdown extension needs to render any page of this site."""
        data = extension.Data(footnotes=self.footnote_texts(), markers=self.static_markers())
        data.markers.update(self.chart_markers(source_links))
        data.backlinks = self.backlinks()
        data.absent = self.absent_files
        return data

    def backlinks(self) -> dict[str, dict[str, list[tuple[str, str]]]]:
        """For each backlink page: entry id -> (label, href) of every page section citing it."""
        order = {nav.file.src_uri: n for n, nav in enumerate(self.reading_order)}
        out: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for target in BACKLINK_PAGES:
            incoming: dict[str, dict[str, str]] = {}
            for edge in self.edges:
                if edge.generated or edge.target != target or not edge.fragment:
                    continue
                if edge.source == target:
                    continue
                incoming.setdefault(edge.fragment, {}).setdefault(edge.source, edge.section)
            out[target] = {
                fragment: [
                    (self.short_title(source), _href(target, source, section))
                    for source, section in sorted(
                        sources.items(), key=lambda item: (order.get(item[0], len(order)), item[0])
                    )
                ]
                for fragment, sources in incoming.items()
            }
        return out

    def edition_data(self) -> dict[str, str]:
        """The edition as templates read it (`config.extra.edition`): ISO date and its text."""
        return {"iso": f"{self.edition:%Y-%m-%d}", "text": self.edition_text()}

    def edition_text(self) -> str:
        """The edition date as the site writes it: "29 November 2026"."""
        return f"{self.edition.day} {self.edition:%B %Y}"

    # ---- generated files ----------------------------------------------------------------------

    def write_downloads(self, site_dir: Path) -> list[Path]:
        """Write the data downloads beside the built pages; return the files written."""
        written: list[Path] = []
        bib = self.bibliography
        if bib is not None:
            from commentary import bibliography

            written += _write(site_dir / "bibliography.bib", bibliography.to_bibtex(bib))
            written += _write(site_dir / "bibliography.json", bibliography.to_csl_json(bib))
        if TIMELINE in self.sources and "timeline.csv" in self.generated_files:
            from commentary import timeline as timeline_data

            entries = self.timeline_entries
            # A byte-order mark first, so that Excel reads the file as UTF-8.
            written += _write(site_dir / "timeline.csv", "\ufeff" + timeline_data.to_csv(entries))
            written += _write(site_dir / "timeline.json", timeline_data.to_json(entries))
        return written

    # ---- reporting ----------------------------------------------------------------------------

    def docs_path(self, src_uri: str) -> str:
        """A page's path as shown in messages."""
        return f"{display(self.docs_dir)}/{src_uri}"


def symlink_problems(docs_dir: Path) -> list[Problem]:
    """A problem for each symbolic link under `docs_dir` that leads outside it, to nothing, or
    round in a loop (MkDocs follows them all: it would publish what lies outside, or walk on)."""
    root = docs_dir.resolve()
    shown = display(docs_dir)
    found = []
    for folder, dirnames, filenames in os.walk(docs_dir):  # links are not followed
        for name in sorted([*dirnames, *filenames]):
            path = Path(folder) / name
            if not path.is_symlink():
                continue
            where = f"{shown}/{path.relative_to(docs_dir).as_posix()}"
            written = os.readlink(path)
            try:
                target = path.resolve(strict=True)
            except RuntimeError:  # Python 3.11 reports a loop so
                target = None
            except OSError as error:
                if error.errno != errno.ELOOP:
                    message = f"symbolic link to '{written}', which does not exist; delete it"
                    found.append(Problem(where, 1, 1, message))
                    continue
                target = None
            if target is None:
                message = f"symbolic link to '{written}' leads round in a loop; delete it"
            elif not target.is_relative_to(root):
                message = (
                    f"symbolic link to '{written}', outside docs/: refused (MkDocs would publish"
                    " what it leads to); copy what the site needs into docs/ and delete the link"
                )
            elif target.is_dir() and path.parent.resolve().is_relative_to(target):
                message = (
                    f"symbolic link to '{written}' leads round in a loop (to a folder that holds"
                    " it); delete it"
                )
            else:
                continue
            found.append(Problem(where, 1, 1, message))
    return found


def _raw_site_dir(config: MkDocsConfig) -> str:
    """`site_dir` as mkdocs.yml gives it (MkDocs' `serve` points the loaded value elsewhere)."""
    node = yaml.compose(Path(config.config_file_path).read_text(encoding="utf-8"), yaml.SafeLoader)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "site_dir" and isinstance(value, yaml.ScalarNode) and value.value:
                return str(value.value)
    return "site"


def drop_theme_bundle(files: Files) -> None:
    """Leave out the theme's script and its source map (1.1 MB): no page loads them.

    overrides/main.html loads overrides/assets/javascripts/reader.js in their place; the
    theme's search worker and lunr, which reader.js uses, stay.
    """
    for file in [f for f in files if f.src_uri.startswith("assets/javascripts/bundle.")]:
        files.remove(file)


def _write(path: Path, text: str) -> list[Path]:
    """Write `text` to `path` as it is (CSV keeps its CRLF), only when it changed."""
    data = text.encode("utf-8")
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)
    return [path]


def _href(target: str, source: str, section: str) -> str:
    """A link from page `target` to `section` of page `source`, relative as Markdown writes it."""
    href = posixpath.relpath(source, posixpath.dirname(target) or ".")
    return f"{href}#{section}" if section else href
