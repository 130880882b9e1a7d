"""One spelling for each name: no variant of tests/data/spellings.yml anywhere in docs/.

The glossary is the one place that may name another spelling; titles of sources in
docs/bibliography.yaml keep their publisher's spelling, but the records' notes are our prose.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

DOCS = ROOT / "docs"
SPELLINGS = ROOT / "tests" / "data" / "spellings.yml"
EXEMPT = {"glossary.md"}


def variants() -> dict[str, str]:
    """Each variant mapped to the spelling the site uses."""
    table = yaml.safe_load(SPELLINGS.read_text(encoding="utf-8"))
    return {variant: preferred for preferred, names in table.items() for variant in names}


def pattern(names: dict[str, str]) -> re.Pattern[str]:
    """One expression that finds any variant as whole words, longest first."""
    ordered = sorted(names, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ordered)) + r")(?![\w-])")


def lines_to_check() -> list[tuple[Path, int, str]]:
    """Every line of every page but the glossary, and every `note:` line of the bibliography."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        if page.relative_to(DOCS).as_posix() in EXEMPT:
            continue
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            found.append((page, number, line))
    bibliography = DOCS / "bibliography.yaml"
    for number, line in enumerate(bibliography.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("note:"):
            found.append((bibliography, number, line))
    return found


def test_the_spelling_list_names_each_variant_once_and_never_a_preferred_spelling():
    table = yaml.safe_load(SPELLINGS.read_text(encoding="utf-8"))
    names = [variant for listed in table.values() for variant in listed]
    assert len(names) == len(set(names))
    assert not set(names) & set(table)


def test_no_page_uses_a_variant_spelling_of_a_name():
    names = variants()
    finder = pattern(names)
    problems = [
        f"{path.relative_to(ROOT)}:{number}: '{match.group(1)}' is spelt "
        f"'{names[match.group(1)]}' on this site"
        for path, number, line in lines_to_check()
        for match in finder.finditer(line)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("line", "variant"),
    [
        ("met Kim Gye Gwan in Beijing", "Kim Gye Gwan"),
        ("the site at Dongchang-ri.", "Dongchang-ri"),
    ],
)
def test_the_check_finds_a_variant_inside_a_sentence(line, variant):
    assert pattern(variants()).search(line).group(1) == variant


def test_the_check_leaves_a_preferred_spelling_alone():
    assert pattern(variants()).search("Kim Kye Gwan met Moon Jae-in at Sohae.") is None
