"""The same site under Zensical, Material's successor: same pages, ids, links and backlinks.

`scripts/build.py --engine zensical` renders the same mkdocs.yml with Zensical, with the project's
Markdown extension fed by the same site model. The differences that remain are listed in
KNOWN_DIFFERENCES (and in scripts/README.md), each with its reason.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import urlsplit

import build
import pytest
import tinyhtml5
from commentary.site import Site
from conftest import ROOT

# Ids that only one engine's templates add, outside the page's own content.
KNOWN_DIFFERENCES = {
    # Zensical's article carries the skip link's target; Material puts it outside <article>.
    "__skip",
}


def article(path: Path, url: str) -> tuple[list[str], list[str], list[str]]:
    """The ids, link targets (resolved against the page's URL) and backlink lines of a page.

    Two engines may write the same target differently ("../b/" or "../../p/b/" from p/a/);
    what must agree is where a link leads.
    """
    root = tinyhtml5.parse(path.read_bytes(), namespace_html_elements=False)
    found = next(iter(root.iter("article")))
    ids = [
        e.get("id") for e in found.iter() if e.get("id") and e.get("id") not in KNOWN_DIFFERENCES
    ]
    links = sorted(resolve(url, e.get("href")) for e in found.iter("a") if e.get("href"))
    backlinks = [
        "".join(p.itertext()) for p in found.iter("p") if "backlinks" in (p.get("class") or "")
    ]
    return ids, links, backlinks


def resolve(url: str, href: str) -> str:
    """Where `href` leads from a page at site path `url`: "principles/b/#x", or as written."""
    if urlsplit(href).scheme or href.startswith("#"):
        return href
    path, _, fragment = href.partition("#")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(url) or ".", path))
    joined += "/" if path.endswith("/") and joined != "." else ""
    return f"{joined}#{fragment}" if fragment else joined


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> tuple[Path, Path]:
    """The real site built by MkDocs and by Zensical (no PDF)."""
    out = tmp_path_factory.mktemp("engines")
    for engine in ("mkdocs", "zensical"):
        status = build.main(["--no-pdf", "--engine", engine, "-d", str(out / engine)])
        assert status == 0, f"scripts/build.py --engine {engine} failed"
    return out / "mkdocs", out / "zensical"


@pytest.mark.slow
def test_zensical_builds_every_page_mkdocs_builds(both):
    mkdocs, zensical = both
    for entry in Site.load(ROOT / "mkdocs.yml").reading_order:
        assert (zensical / entry.file.dest_uri).is_file(), entry.file.src_uri
        assert (mkdocs / entry.file.dest_uri).is_file(), entry.file.src_uri


@pytest.mark.slow
def test_both_engines_give_the_same_ids_links_and_backlinks(both):
    mkdocs, zensical = both
    for entry in Site.load(ROOT / "mkdocs.yml").reading_order:
        url = "/".join(entry.file.dest_uri.split("/")[:-1]) + "/"
        ours = article(mkdocs / entry.file.dest_uri, url)
        theirs = article(zensical / entry.file.dest_uri, url)
        assert ours[0] == theirs[0], f"{entry.file.src_uri}: ids differ"
        assert ours[1] == theirs[1], f"{entry.file.src_uri}: links differ"
        assert ours[2] == theirs[2], f"{entry.file.src_uri}: backlinks differ"


@pytest.mark.slow
def test_zensical_build_has_the_generated_backlinks(both):
    _, zensical = both
    html = (zensical / "timeline" / "index.html").read_text(encoding="utf-8")
    assert html.count('class="backlinks"') >= 30


def test_zensical_stops_on_a_broken_link_with_file_and_line(tmp_site, tmp_path, capsys):
    config = tmp_site({"index.md": "# Home\n\n[x](nowhere.md)\n"})
    status = build.main(["-f", str(config), "-d", str(tmp_path / "out"), "--engine", "zensical"])
    assert status == 1
    assert "docs/index.md:3:5: error: link to 'nowhere.md'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_zensical_build_names_the_edition_like_mkdocs(both):
    mkdocs, zensical = both
    for built in (mkdocs, zensical):
        html = (built / "index.html").read_text(encoding="utf-8")
        assert "Edition of <time datetime=" in html, built.name
        assert '<meta name="citation_publication_date"' in html, built.name


HOME_META = ("citation_title", "og:title", "og:type", "twitter:title")


def head_of(path: Path) -> dict[str, str]:
    """A page's <title> and the link-preview and citation meta tags of its head."""
    root = tinyhtml5.parse(path.read_bytes(), namespace_html_elements=False)
    head = next(iter(root.iter("head")))
    found = {"title": "".join(next(iter(head.iter("title"))).itertext()).strip()}
    for meta in head.iter("meta"):
        name = meta.get("name") or meta.get("property")
        if name in HOME_META:
            found[name] = meta.get("content", "")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("page", ["index.html", "404.html", "about/index.html"])
def test_both_engines_give_a_page_the_same_title_and_citation_metadata(both, page: str):
    mkdocs, zensical = both
    assert head_of(zensical / page) == head_of(mkdocs / page)


@pytest.mark.slow
@pytest.mark.browser
def test_zensical_pages_show_no_search_button_that_does_nothing(both, browser):
    from commentary.pages_server import serve

    _, zensical = both
    with serve(zensical) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            page = context.new_page()
            page.goto(base, wait_until="networkidle")
            assert page.get_by_role("button", name="Search").count() == 0 or not (
                page.get_by_role("button", name="Search").is_visible())
            assert not page.locator("header label[for=__search]").is_visible()
        finally:
            context.close()


@pytest.mark.slow
def test_zensical_build_leaves_out_the_theme_script_no_page_loads(both):
    _, zensical = both
    assert not list((zensical / "assets" / "javascripts").glob("bundle.*"))
