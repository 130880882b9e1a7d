"""Citing the edition: CITATION.cff is valid and agrees with mkdocs.yml, and every page carries
the Highwire Press citation tags that Zotero and Google Scholar read."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

ROOT = Path(__file__).resolve().parent.parent
CFF = ROOT / "CITATION.cff"
# A <meta name="..." content="..."> tag as the template writes it.
META = re.compile(r'<meta name="(citation_[a-z_]+)" content="([^"]*)">')


class ConfigLoader(yaml.SafeLoader):
    """PyYAML's safe loader that reads MkDocs' `!ENV` tags as None."""


ConfigLoader.add_constructor("!ENV", lambda loader, node: None)


def mkdocs_extra() -> dict:
    """mkdocs.yml's `extra` section."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=ConfigLoader)["extra"]


def cffconvert() -> str | None:
    """cffconvert from the test dependencies (beside this interpreter) or on PATH."""
    beside = Path(sys.executable).parent / "cffconvert"
    return str(beside) if beside.is_file() else shutil.which("cffconvert")


def test_citation_cff_is_valid_cff_1_2_0() -> None:
    executable = cffconvert()
    if executable is None:
        reason = "cffconvert is not installed (pyproject's test extra pins it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    result = subprocess.run(
        [executable, "--validate", "-i", str(CFF)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "Citation metadata are valid according to schema version 1.2.0."


def test_citation_cff_has_the_edition_title_and_text_licence_of_mkdocs_yml() -> None:
    cff = yaml.safe_load(CFF.read_text(encoding="utf-8"))
    citation = mkdocs_extra()["citation"]
    assert (cff["title"], cff["license"]) == (citation["title"], citation["licence"])


def test_citation_cff_names_no_person_as_author() -> None:
    authors = yaml.safe_load(CFF.read_text(encoding="utf-8"))["authors"]
    assert all(set(author) == {"name"} for author in authors)


def test_citation_cff_addresses_match_the_default_site_url() -> None:
    cff = yaml.safe_load(CFF.read_text(encoding="utf-8"))
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    default = re.search(r'site_url: !ENV \[SITE_URL, "([^"]+)"\]', config)
    assert default is not None
    assert cff["url"] == default[1]
    owner, repo = re.match(r"https://([^.]+)\.github\.io/([^/]+)/", default[1]).groups()
    assert cff["repository-code"] == f"https://github.com/{owner}/{repo}"


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-page Material site built with this project's overrides and citation data."""
    root = tmp_path_factory.mktemp("citation")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Home\n\nText.\n", encoding="utf-8")
    (root / "docs" / "page.md").write_text("# A page & more\n\nText.\n", encoding="utf-8")
    extra = {
        "citation": mkdocs_extra()["citation"],
        "edition": {"iso": "2026-11-29", "text": "29 November 2026"},
    }
    config = {
        "site_name": "Test",
        "site_url": "https://example.org/test/",
        "theme": {"name": "material", "custom_dir": str(ROOT / "overrides"), "language": "en"},
        "extra": extra,
        "nav": ["index.md", "page.md"],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    build(load_config(str(root / "mkdocs.yml")))
    return root / "site"


def tags(page: Path) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in META.findall(page.read_text("utf-8"))}


def test_every_page_carries_the_citation_tags_zotero_reads(tiny_site: Path) -> None:
    assert tags(tiny_site / "page" / "index.html") == {
        "citation_title": "A page & more",
        "citation_publisher": mkdocs_extra()["citation"]["publisher"],
        "citation_publication_date": "2026/11/29",
        "citation_public_url": "https://example.org/test/page/",
        "citation_language": "en",
    }


def test_the_home_page_is_cited_by_the_edition_title(tiny_site: Path) -> None:
    assert tags(tiny_site / "index.html")["citation_title"] == mkdocs_extra()["citation"]["title"]


def test_no_page_claims_to_be_a_journal_article(tiny_site: Path) -> None:
    assert "citation_journal_title" not in (tiny_site / "page" / "index.html").read_text("utf-8")
