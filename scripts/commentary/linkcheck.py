"""The cross-link checker: resolves what the site model's page scans found, as MkDocs would.

Markdown links resolve against the source file, raw HTML and links MkDocs leaves as they are
against the page's URL, and every `#fragment` is checked against the ids its target page really
has. The navigation is checked with MkDocs' own `get_navigation`, with the line in mkdocs.yml
added. Bibliography citations are checked against `docs/bibliography.yaml` where there is one.

Entry points: `check(config_file) -> Report`, `check_site(site) -> Report`, and the command line
in `scripts/check_links.py`.
"""

from __future__ import annotations

import difflib
import os
import posixpath
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from mkdocs.structure.files import File
from mkdocs.structure.nav import Link as NavLink

from commentary.config import ConfigError, display, load_config, scalar_lines
from commentary.scan import Link, Problem
from commentary.site import SOURCES_PAGE, Edge, Site

__all__ = ["ConfigError", "Problem", "Report", "check", "check_site", "load_config"]

# How close a name must be to suggest it ("did you mean"): anchors are short and often renamed by
# a word, so they get a looser cutoff than paths, where a loose match suggests unrelated pages.
ANCHOR_CUTOFF = 0.6
PATH_CUTOFF = 0.75


@dataclass
class Report:
    """The outcome of a check: problems, and the link graph that the backlinks are made from."""

    problems: list[Problem]
    edges: list[Edge]
    pages: int
    links: int


def check(config_file: str | os.PathLike[str] = "mkdocs.yml") -> Report:
    """Load `config_file` and check the site; raises `ConfigError` for a bad configuration."""
    return Site.load(config_file).report


def check_site(site: Site) -> Report:
    """Resolve every link of every scanned page; check the nav and the bibliography.

    What stops the check before it starts (a link out of docs/, an unreadable or empty page, an
    unreadable bibliography, an unusable timeline entry) is reported alone: the rest follows.
    """
    if site.input_problems:
        pages = sum(1 for f in site.pages.values() if not f.inclusion.is_excluded())
        return Report(site.input_problems, [], pages, 0)
    resolver = _Resolver(site)
    problems: list[Problem] = []
    edges: list[Edge] = []
    links = 0
    for src_uri, scan in site.scans.items():
        problems.extend(scan.problems)
        for link in scan.links:
            links += 1
            problem, edge = resolver.resolve(site.pages[src_uri], link)
            if problem:
                problems.append(problem)
            if edge:
                edges.append(edge)
    nav_problems = _nav_problems(site)
    problems.extend(nav_problems)
    problems.extend(_mkdocs_problems(site, nav_problems))
    problems.extend(_bibliography_problems(site, edges))
    return Report(sorted(set(problems)), edges, len(site.scans), links)


class _Resolver:
    """Turns links into problems or edges against one site's files and ids."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.ids = {uri: set(scan.ids) for uri, scan in site.scans.items()}
        self.generated = {
            str(name).lstrip("/") for name in (site.config.extra or {}).get("generated_files", [])
        }
        self.site_paths = self._site_paths()

    def _site_paths(self) -> dict[str, File | None]:
        """Every path the built site answers, mapped to the file behind it (None: generated)."""
        paths: dict[str, File | None] = {}
        for f in self.site.files:
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

    def resolve(self, page: File, link: Link) -> tuple[Problem | None, Edge | None]:
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
                return self.missing_anchor(page, page.src_uri, fragment, problem), None
            return None, None
        path = unquote(path)
        if not link.raw_html:
            target_uri = posixpath.normpath(
                posixpath.join(posixpath.dirname(page.src_uri), path).lstrip("/")
            )
            if target_uri == ".." or target_uri.startswith("../"):
                return problem(
                    f"link to '{href}' leads outside docs/ (the site publishes only what is in"
                    " docs/)"
                ), None
            target = self.site.files.get_file_from_path(target_uri)
            if target is not None:
                if target.inclusion.is_excluded():
                    return problem(
                        f"link to '{href}': the configuration excludes '{target_uri}' from the"
                        " site (exclude_docs or draft_docs)"
                    ), None
                return self.to_file(page, target, fragment, problem, link)
        # Raw HTML, and links MkDocs leaves as they are, resolve against the page's URL.
        site_path = join_url(page.url, path)
        if site_path is None:
            return problem(f"link to '{href}' points above the site's root"), None
        for candidate in (site_path, posixpath.join(site_path, "index.html")):
            if candidate in self.site_paths:
                target = self.site_paths[candidate]
                if target is None:
                    return None, None
                return self.to_file(page, target, fragment, problem, link)
        if link.raw_html and path.endswith(".md"):
            hint = " (raw HTML is not rewritten: link to the page's URL, or use a Markdown link)"
        else:
            hint = self.suggest_file(page, path, link.raw_html)
        return problem(f"link to '{href}': no such file or page in the site{hint}"), None

    def to_file(self, page, target, fragment, problem, link) -> tuple[Problem | None, Edge | None]:
        """A link that reaches `target`: a problem for a missing anchor, else an edge."""
        if not target.is_documentation_page():
            return None, None
        if fragment:
            found = self.missing_anchor(page, target.src_uri, fragment, problem)
            if found:
                return found, None
        return None, Edge(page.src_uri, link.section, target.src_uri, fragment, link.generated)

    def missing_anchor(self, page, target_uri, fragment, problem) -> Problem | None:
        """A problem when `#fragment` is not an id on the target page, else None."""
        anchor = unquote(fragment)
        known = self.ids.get(target_uri, set())
        if anchor in known or fragment in known:
            return None
        where = "this page" if target_uri == page.src_uri else f"'{target_uri}'"
        close = difflib.get_close_matches(anchor, sorted(known), n=1, cutoff=ANCHOR_CUTOFF)
        hint = f"; did you mean '#{close[0]}'?" if close else ""
        return problem(f"no anchor '#{fragment}' on {where}{hint}")

    def suggest_file(self, page: File, path: str, raw_html: bool) -> str:
        """A cheap "did you mean" for a missing file, from the nearest existing name."""
        if raw_html:  # resolved against the page's URL, so suggest a URL
            pool = [p for p in self.site_paths if p]
            here = page.url.rstrip("/") if page.url.endswith("/") else posixpath.dirname(page.url)
            wanted = join_url(page.url, path) or path
        else:
            pool = sorted(self.site.pages)
            here = posixpath.dirname(page.src_uri)
            wanted = posixpath.normpath(posixpath.join(here, path))
        close = difflib.get_close_matches(wanted, pool, n=1, cutoff=PATH_CUTOFF)
        if not close:
            return ""
        return f"; did you mean '{posixpath.relpath(close[0], here or '.')}'?"


def join_url(page_url: str, path: str) -> str | None:
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


def _nav_problems(site: Site) -> list[Problem]:
    """Nav entries MkDocs could not find, and pages missing from the nav, with their lines."""
    shown = display(site.config_path)
    nav_lines = scalar_lines(site.config_path, "nav")
    problems = []

    def line_of(uri: str) -> int:
        """The line of mkdocs.yml that names `uri` as a nav entry's value."""
        return nav_lines.get(uri, 1)

    def walk(items) -> None:
        for item in items:
            if isinstance(item, NavLink):
                url = item.url
                if urlsplit(url).scheme or url.startswith("/"):
                    continue
                f = site.pages.get(url)
                if f is not None and f.inclusion.is_excluded():
                    message = f"nav entry '{url}' is excluded from the site"
                else:
                    close = difflib.get_close_matches(
                        url, sorted(site.pages), n=1, cutoff=PATH_CUTOFF
                    )
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    message = f"nav entry '{url}' does not exist in docs/{hint}"
                problems.append(Problem(shown, line_of(url), 1, message))
            elif item.children:
                walk(item.children)

    walk(site.nav.items)
    if site.config.nav is None:  # MkDocs then lists every page itself
        return problems
    in_nav = {page.file.src_uri for page in site.nav.pages}
    for uri, f in sorted(site.pages.items()):
        if uri in in_nav or f.inclusion.is_excluded() or f.inclusion.is_not_in_nav():
            continue
        problems.append(
            Problem(
                site.docs_path(uri),
                1,
                1,
                "page is not in nav (add it to nav in mkdocs.yml, or list it in not_in_nav)",
            )
        )
    return problems


def _mkdocs_problems(site: Site, nav_problems: list[Problem]) -> list[Problem]:
    """MkDocs' own warnings while it read the files and the nav (a strict build fails on each),
    at mkdocs.yml; those that say what a nav problem above says already are left out."""
    shown = display(site.config_path)
    said = [p.message.split("'")[1] for p in nav_problems if p.message.startswith("nav entry '")]
    return [
        Problem(shown, 1, 1, f"MkDocs: {' '.join(message.split())}")
        for message in site.mkdocs_messages
        if not any(f"'{uri}'" in message for uri in said)
    ]


def _bibliography_problems(site: Site, edges: list[Edge]) -> list[Problem]:
    """Citations of keys the bibliography lacks, records nothing cites, incomplete records."""
    bib = site.bibliography
    if bib is None:
        return []
    from commentary import bibliography

    # A page cites a record with `[^key]` (its definition generated or its own) or by linking
    # to the record on the sources page. A `[^label]` that is neither a key nor defined on its
    # page is reported by the scan, where the engine leaves it as text.
    citations = [
        (c.label, c.path, c.line, c.col)
        for scan in site.scans.values()
        for c in scan.citations
        if c.label in bib
    ]
    citations += [
        (edge.fragment, site.docs_path(edge.source), 1, 1)
        for edge in edges
        if edge.target == SOURCES_PAGE and edge.fragment in bib
    ]
    # A misspelt key is reported where it is written, with the key it was meant to be; that
    # record is then not reported as cited nowhere, which would only follow from the typo.
    meant = {
        close
        for scan in site.scans.values()
        for label in scan.unknown_labels
        for close in difflib.get_close_matches(label, bib.keys, n=1)
    }
    return [
        problem
        for problem in bibliography.problems(bib, citations)
        if not any(problem.message == f"source '{key}' is cited nowhere" for key in meant)
    ]
