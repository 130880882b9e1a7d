"""Citing the edition: CITATION.cff is valid and agrees with mkdocs.yml, and every page carries
the Highwire Press citation tags that Zotero and Google Scholar read."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

ROOT = Path(__file__).resolve().parent.parent
CFF = ROOT / "CITATION.cff"
# What GitHub's "Cite this repository" reads, from the Citation File Format 1.2.0 schema
# (citation-file-format/citation-file-format, schema.json): its top-level keys, those it requires,
# the keys of an author (an entity or a person) and its pattern for an address.
CFF_KEYS = {
    "abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi",
    "identifiers", "keywords", "license", "license-url", "message", "preferred-citation",
    "references", "repository", "repository-artifact", "repository-code", "title", "type", "url",
    "version",
}
CFF_REQUIRED = {"authors", "cff-version", "message", "title"}
ENTITY_KEYS = {
    "address", "alias", "city", "country", "date-end", "date-start", "email", "fax", "location",
    "name", "orcid", "post-code", "region", "tel", "website",
}
PERSON_KEYS = {
    "address", "affiliation", "alias", "city", "country", "email", "family-names", "fax",
    "given-names", "name-particle", "name-suffix", "orcid", "post-code", "region", "tel",
    "website",
}
URL_KEYS = {"license-url", "repository", "repository-artifact", "repository-code", "url"}
CFF_URL = re.compile(r"^(https|http|ftp|sftp)://.+")
# A <meta name="..." content="..."> tag as the template writes it.
META = re.compile(r'<meta name="(citation_[a-z_]+)" content="([^"]*)">')


class ConfigLoader(yaml.SafeLoader):
    """PyYAML's safe loader that reads MkDocs' `!ENV` tags as None."""


ConfigLoader.add_constructor("!ENV", lambda loader, node: None)


def mkdocs_extra() -> dict:
    """mkdocs.yml's `extra` section."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=ConfigLoader)["extra"]


def citation() -> dict:
    """CITATION.cff as data, dates kept as text (as the CFF schema reads them)."""
    return yaml.load(CFF.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def test_citation_cff_uses_only_the_keys_of_cff_1_2_0() -> None:
    assert set(citation()) - CFF_KEYS == set()


def test_citation_cff_has_the_keys_cff_1_2_0_requires() -> None:
    cff = citation()
    assert CFF_REQUIRED - set(cff) == set()
    assert cff["cff-version"] == "1.2.0"
    assert all(isinstance(cff[key], str) and cff[key].strip() for key in ("message", "title"))


def test_citation_cff_is_a_dataset_or_software() -> None:
    assert citation().get("type", "software") in {"dataset", "software"}


def test_citation_cff_authors_are_named_entities_or_persons() -> None:
    authors = citation()["authors"]
    assert isinstance(authors, list) and authors
    for author in authors:
        assert set(author) <= ENTITY_KEYS | PERSON_KEYS, author
        assert any(author.get(key, "").strip() for key in ("name", "family-names", "given-names"))


def test_citation_cff_addresses_are_web_addresses() -> None:
    cff = citation()
    for key in URL_KEYS & set(cff):
        assert CFF_URL.match(cff[key]), f"{key}: {cff[key]}"


def test_citation_cff_keywords_are_distinct_words() -> None:
    keywords = citation()["keywords"]
    assert keywords and len(set(keywords)) == len(keywords) and all(k.strip() for k in keywords)


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
