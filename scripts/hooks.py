"""MkDocs hooks: the cross-link check on every build, and the generated backlinks.

Thin dispatchers only; the work is done in `linkcheck` (the checker) and `backlinks` below.
Zensical accepts and ignores `hooks:`; there `scripts/check_links.py` runs the same check.
"""

from __future__ import annotations

import posixpath
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_build_datetime

sys.path.insert(0, str(Path(__file__).resolve().parent))
from commentary.linkcheck import Edge, check_config, nav_entries

# Pages whose anchored entries get a generated "Discussed in" line.
BACKLINK_PAGES = frozenset({"timeline.md", "glossary.md"})
# A heading with an explicit id: "### Title { #the-id .class }".
ANCHORED_HEADING = re.compile(r"^(?P<level>#{1,6})\s.*\{[^}]*#(?P<id>[\w:.-]+)[^}]*\}\s*$")
# The opening tag of an HTML block that may hold entries, such as a timeline entry's "<div>".
BLOCK_START = re.compile(r"<(div|section|article)\b")
# A line that closes an md_in_html block, such as a timeline entry's "</div>".
BLOCK_END = re.compile(r"^\s*</(div|section|article)>\s*$")

# A block marked `{ .annotate }` and, right after it, its list of annotations (Material's markup).
ANNOTATED_BLOCK = re.compile(
    r"<(?P<tag>[a-z][a-z0-9]*)(?P<attrs>[^>]*\bclass=\"[^\"]*\bannotate\b[^\"]*\"[^>]*)>"
    r"(?P<body>.*?)</(?P=tag)>\s*<ol>(?P<notes>.*?)</ol>",
    re.S,
)
# The id of a footnote reference, as Python-Markdown writes it: fnref:label, fnref2:label, ...
FOOTNOTE_REF = re.compile(r'<sup id="(fnref\d*:[^"]+)"')

_edges: list[Edge] = []


def on_config(config: MkDocsConfig, **kwargs: Any) -> MkDocsConfig:
    """Name the edition by its build date (SOURCE_DATE_EPOCH where set), for the footer."""
    built = get_build_datetime()
    config.extra["edition"] = {"iso": f"{built:%Y-%m-%d}", "text": f"{built.day} {built:%B %Y}"}
    return config


def on_pre_build(config: MkDocsConfig, **kwargs: Any) -> None:
    """Check every cross-link before rendering; print all problems and stop the build on any."""
    report = check_config(config)
    _edges[:] = report.edges
    if report.problems:
        for problem in report.problems:
            print(problem, file=sys.stderr)
        count = len(report.problems)
        raise PluginError(
            f"the cross-link check found {count} problem{'s' if count != 1 else ''} (listed above)"
        )


def on_page_markdown(
    markdown: str, page: Page, config: MkDocsConfig, files: Files, **kwargs: Any
) -> str:
    """Add the generated "Discussed in" lines to the pages that carry them."""
    if page.file.src_uri not in BACKLINK_PAGES:
        return markdown
    order = [entry.uri for entry in nav_entries(config.nav)]
    return add_backlinks(markdown, page.file.src_uri, _edges, files, Path(config.docs_dir), order)


def on_page_content(
    html: str, page: Page, config: MkDocsConfig, files: Files, **kwargs: Any
) -> str:
    """Make footnote back-links from inside annotations lead somewhere."""
    return retarget_annotation_backlinks(html)


def retarget_annotation_backlinks(html: str) -> str:
    """Point the back-link of a footnote cited inside an annotation at the annotated block.

    Material shows an annotation's text only while it is open, so a back-link to a reference
    inside it would lead nowhere; the reader lands on the paragraph that carries the marker.
    The anchor is an empty element before the block: an id on the block itself would make
    Material turn its markers into links to ids it never creates.
    """
    targets: dict[str, str] = {}
    pieces: list[str] = []
    last = 0
    for number, match in enumerate(ANNOTATED_BLOCK.finditer(html), start=1):
        refs = FOOTNOTE_REF.findall(match["notes"])
        if not refs:
            continue
        anchor = f"annotated-{number}"
        pieces += [html[last : match.start()], f'<span id="{anchor}"></span>']
        last = match.start()
        targets.update(dict.fromkeys(refs, anchor))
    html = "".join([*pieces, html[last:]])
    for ref, anchor in targets.items():
        html = html.replace(
            f'class="footnote-backref" href="#{ref}"', f'class="footnote-backref" href="#{anchor}"'
        )
    return html


def add_backlinks(
    markdown: str,
    target: str,
    edges: list[Edge],
    files: Files,
    docs_dir: Path,
    order: list[str],
) -> str:
    """Insert, at the end of each anchored entry of `target`, links to the pages citing it."""
    incoming: dict[str, dict[str, str]] = defaultdict(dict)
    sections: dict[str, list[tuple[int, str]]] = {}
    for edge in edges:
        if edge.target != target or not edge.fragment or edge.source == target:
            continue
        if edge.source not in sections:
            sections[edge.source] = _section_ids(docs_dir / edge.source)
        section = _section_before(sections[edge.source], edge.line)
        incoming[edge.fragment].setdefault(edge.source, section)
    if not incoming:
        return markdown
    lines = markdown.split("\n")
    inserts: list[tuple[int, str]] = []
    for index, line in enumerate(lines):
        heading = ANCHORED_HEADING.match(line)
        if not heading or heading["id"] not in incoming:
            continue
        end = _entry_end(lines, index, len(heading["level"]))
        if end is None:  # a section heading with entries under it: they carry the backlinks
            continue
        links = [
            _backlink(source, section, target, files)
            for source, section in sorted(
                incoming[heading["id"]].items(),
                key=lambda item: order.index(item[0]) if item[0] in order else len(order),
            )
        ]
        inserts.append((end, "*Discussed in:* " + ", ".join(links) + "\n{ .backlinks }\n"))
    for end, text in sorted(inserts, reverse=True):
        lines[end:end] = ["", text]
    return "\n".join(lines)


def _entry_end(lines: list[str], start: int, level: int) -> int | None:
    """The line before which the entry that a heading at `start` opens ends.

    An entry ends at the next heading of the same or a higher level, or where the HTML block
    that holds it closes. None when a deeper heading comes first: the heading opens a section
    of entries, not an entry.
    """
    depth = 0
    for index in range(start + 1, len(lines)):
        line = lines[index]
        other = re.match(r"^(#{1,6})\s", line)
        if other and len(other.group(1)) > level:
            return None
        if other or (BLOCK_END.match(line) and depth == 0):
            return index
        depth += len(BLOCK_START.findall(line)) - (1 if BLOCK_END.match(line) else 0)
    return len(lines)


def _section_ids(path: Path) -> list[tuple[int, str]]:
    """(line, id) of each heading with an explicit id in a Markdown file."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        heading = ANCHORED_HEADING.match(line)
        if heading:
            found.append((number, heading["id"]))
    return found


def _section_before(sections: list[tuple[int, str]], line: int) -> str:
    """The id of the last anchored heading above `line`, or '' at the top of the page."""
    current = ""
    for number, anchor in sections:
        if number > line:
            break
        current = anchor
    return current


def _backlink(source: str, section: str, target: str, files: Files) -> str:
    """A Markdown link from `target` to `section` of `source`, labelled with its short title."""
    file = files.get_file_from_path(source)
    title = (file.page.title if file and file.page and file.page.title else source) or source
    label = title.split(":")[0].strip()
    href = posixpath.relpath(source, posixpath.dirname(target) or ".")
    return f"[{label}]({href}{'#' + section if section else ''})"
