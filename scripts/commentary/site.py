"""The site model: the configuration, files, navigation and scanned pages, built once per build.

`Site.load("mkdocs.yml")` (or `Site.of(config)` inside MkDocs) loads the configuration once with
MkDocs' own loader, takes the file list and the navigation from MkDocs itself, and scans every page
once with the configured Markdown engine. The checker, the MkDocs hook, the Markdown extension's
data, the PDF, the downloads and the tests all read this one object.
"""

from __future__ import annotations

import datetime
import os
import posixpath
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel, get_files
from mkdocs.structure.nav import Navigation, Section, get_navigation
from mkdocs.utils import get_build_datetime

from commentary import extension
from commentary.config import display, load_config, quiet_mkdocs
from commentary.scan import PageScan, Problem, Scanner

# The attribute of a loaded MkDocsConfig that carries its Site (so the hook reuses build.py's).
_ATTRIBUTE = "_commentary_site"
# Pages whose anchored entries get a generated "Discussed in" line.
BACKLINK_PAGES = ("timeline.md", "glossary.md")
# The timeline page, whose entries feed the chart and the downloads.
TIMELINE = "timeline.md"
# The marker of the chart of contacts.
CHART = "contacts-chart"
# The bibliography, under docs/ so that it is published with the site.
BIBLIOGRAPHY = "bibliography.yaml"
# The page that renders the bibliography.
SOURCES_PAGE = "sources.md"


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
        with quiet_mkdocs() as self.mkdocs_messages:
            self.files: Files = get_files(config)
            add_generated_files(self.files, config)
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

    # ---- scanning ---------------------------------------------------------------------------

    @cached_property
    def bibliography(self) -> Any:
        """The bibliography under docs/, or None where the site has none."""
        path = self.docs_dir / BIBLIOGRAPHY
        if not path.is_file():
            return None
        from commentary import bibliography

        return bibliography.load(path)

    @cached_property
    def scans(self) -> dict[str, PageScan]:
        """Every page converted once; the timeline first, since the chart on others needs it."""
        pages = sorted(
            (f for f in self.pages.values() if not f.inclusion.is_excluded()),
            key=lambda f: (f.src_uri != TIMELINE, f.src_uri),
        )
        data = extension.Data(footnotes=self.footnote_texts(), markers=self.static_markers())
        ext = extension.CommentaryExtension(data=data)
        scanner = Scanner(self.config, [ext])
        scans: dict[str, PageScan] = {}
        for f in pages:
            scans[f.src_uri] = scanner.scan(f.src_uri, f.abs_src_path, extension.stamp(f.src_uri))
            if f.src_uri == TIMELINE:
                data.markers.update(self.chart_markers(scans[f.src_uri]))
        return dict(sorted(scans.items()))

    @cached_property
    def report(self) -> Any:
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

    def footnote_texts(self) -> dict[str, str]:
        """The short citation of every bibliography record, by key."""
        bib = self.bibliography
        if bib is None:
            return {}
        return {key: bib.short_cite(key) for key in bib.keys}

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

    def chart_markers(self, timeline: PageScan, source_links: bool = False) -> dict[str, Any]:
        """The chart of contacts for each page that asks for it, from the timeline's entries.

        The chart is raw HTML, whose links MkDocs leaves as written (so they are page URLs) and
        Zensical rewrites like Markdown links (so, for it, `source_links` gives `.md` paths).
        """
        from commentary import chart
        from commentary import timeline as timeline_data

        marker = f"{extension.MARKER_PREFIX}{CHART}{extension.MARKER_SUFFIX}"
        wanting = [
            f
            for f in self.pages.values()
            if marker in Path(f.abs_src_path).read_text(encoding="utf-8", errors="replace")
        ]
        if not wanting:
            return {}
        entries = timeline_data.entries_from_html(timeline.html)
        timeline_url = self.pages[TIMELINE].url
        per_page = {}
        for f in wanting:
            if source_links:
                href = posixpath.relpath(TIMELINE, posixpath.dirname(f.src_uri) or ".")
            else:
                href = posixpath.relpath(timeline_url or ".", posixpath.dirname(f.url) or ".")
                href += "/" if timeline_url.endswith("/") else ""
            per_page[f.src_uri] = chart.contacts_chart(entries, href)
        return {CHART: per_page}

    def extension_data(self, source_links: bool = False) -> extension.Data:
        """Everything the Markdown extension needs to render any page of this site."""
        data = extension.Data(footnotes=self.footnote_texts(), markers=self.static_markers())
        if TIMELINE in self.scans:
            data.markers.update(self.chart_markers(self.scans[TIMELINE], source_links))
        data.backlinks = self.backlinks()
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
        generated = {str(name) for name in (self.config.extra or {}).get("generated_files", [])}
        if TIMELINE in self.scans and "timeline.csv" in generated:
            from commentary import timeline as timeline_data

            entries = timeline_data.entries_from_html(self.scans[TIMELINE].html)
            # A byte-order mark first, so that Excel reads the file as UTF-8.
            written += _write(site_dir / "timeline.csv", "\ufeff" + timeline_data.to_csv(entries))
            written += _write(site_dir / "timeline.json", timeline_data.to_json(entries))
        return written

    # ---- reporting ----------------------------------------------------------------------------

    def docs_path(self, src_uri: str) -> str:
        """A page's path as shown in messages."""
        return f"{display(self.docs_dir)}/{src_uri}"


def add_generated_files(files: Files, config: MkDocsConfig) -> None:
    """Make the files the build writes after rendering (the PDF, the downloads) known to MkDocs.

    Empty stand-ins until the build writes them, so that pages link to them with ordinary
    Markdown links, resolved against the page's source like any other file in both engines.
    """
    for name in (config.extra or {}).get("generated_files", []):
        uri = str(name).lstrip("/")
        if files.get_file_from_path(uri) is None:
            stand_in = File(uri, None, config.site_dir, config.use_directory_urls)
            stand_in.generated_by = "commentary"
            stand_in.content_bytes = b""
            files.append(stand_in)


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
