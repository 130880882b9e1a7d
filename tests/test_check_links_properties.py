"""Property: the checker never crashes on arbitrary Markdown, and every problem has a real place.

The checker catches only the errors the Markdown extensions are known to raise (a missing
snippet); any other exception, its own bugs included, escapes and fails this test.
"""

from __future__ import annotations

from pathlib import Path

from commentary.site import Site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Fragments that exercise the parser's corners: links, references, footnotes, ids, raw HTML,
# code, snippets-like lines and stray brackets.
PIECES = st.sampled_from(
    [
        "[a](b.md)",
        "[a](#x)",
        "[a][r]",
        "[r]: other.md#y",
        "[^1]",
        "[^1]: note",
        "{ #x }",
        "## Heading",
        "# ",
        '<a href="x/">',
        "</a>",
        "<div markdown>",
        "</div>",
        "`code`",
        "```",
        "    indented",
        "![i](p.png)",
        '--8<-- "x.md"',
        "\\[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "*",
        "_",
        "!!! note",
        "???",
        "1. ",
        "- ",
        "|a|b|",
        "\n",
        "\n\n",
        " ",
        "é",
        "\x00",
        "&amp;",
    ]
)
MARKDOWN = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=MARKDOWN)
def test_checker_never_crashes_on_arbitrary_markdown(tmp_site, text):
    config_file: Path = tmp_site({"index.md": "# Home\n", "other.md": text})
    report = Site.load(config_file).report
    for problem in report.problems:
        assert problem.path.endswith((".md", ".yml"))
        lines = Path(problem.path).read_text(encoding="utf-8", errors="replace").split("\n")
        assert 1 <= problem.line <= len(lines), problem
        assert 1 <= problem.col <= len(lines[problem.line - 1]) + 1, problem
        assert "Error:" not in problem.message or "SnippetMissingError" in problem.message
