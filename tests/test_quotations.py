"""Every quotation of the article matches its text and is at most ten words long.

A quotation of the article is a phrase in double quotation marks on a line of a page that names
the article ("the article", "the post", "the author", "its title"). Words the site puts in quotation
marks on such a line for another reason (a source's title, a scare-quoted term) are listed in
NOT_THE_ARTICLE. The article's title is the one quotation allowed to be longer.
"""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

ARTICLE = ROOT.parent / "shared" / "source" / "article.txt"
DOCS = ROOT / "docs"
LIMIT = 10  # words
# The line names the article, so a quotation on it is the article's own words.
NAMES_THE_ARTICLE = re.compile(r"\b(the article|article's|the post|the author|its title)\b", re.I)
# A quotation: straight or curly double quotation marks around at least three characters.
QUOTATION = re.compile(r'"([^"\n]{3,300}?)"|\u201c([^\u201d\n]{3,300}?)\u201d')
# The site's own labels and a source's title, quoted on lines that also name the article.
NOT_THE_ARTICLE = {
    "the article", "firsts", "This site reads", "Context:", "Advice Column: Cha and Galucci",
}
# Curly quotation marks and dashes, as their plain forms.
CURLY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                       "\u2014": "-", "\u2013": "-"})
TITLE = "On Trump \u2013 or any sitting president \u2013 meeting Kim Jong Un"


def normal(text: str) -> str:
    """Quotation marks, dashes, case and spacing made uniform, for comparison."""
    text = text.translate(CURLY)
    return re.sub(r"\s+", " ", text).lower().strip(" .,;:")


def quotations() -> list[tuple[str, int, str]]:
    """(page, line, quotation) for every quotation of the article in docs/."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if not NAMES_THE_ARTICLE.search(line):
                continue
            for match in QUOTATION.finditer(line):
                quoted = match.group(1) or match.group(2)
                if quoted not in NOT_THE_ARTICLE and not line[: match.start()].endswith("="):
                    found.append((page.relative_to(ROOT).as_posix(), number, quoted))
    return found


@pytest.fixture(scope="module")
def article() -> str:
    if not ARTICLE.is_file():
        pytest.skip(f"no article at {ARTICLE} (the shared folder is not beside this checkout)")
    return normal(ARTICLE.read_text(encoding="utf-8"))


def test_the_pages_quote_the_article():
    assert len(quotations()) >= 20


def test_every_quotation_of_the_article_matches_its_text(article):
    wrong = [f"{page}:{line}: {text!r}" for page, line, text in quotations()
             if normal(text) not in article]
    assert wrong == []


def test_every_quotation_of_the_article_but_its_title_is_at_most_ten_words():
    long = [f"{page}:{line}: {text!r}" for page, line, text in quotations()
            if len(text.split()) > LIMIT and not TITLE.startswith(text)]
    assert long == []
