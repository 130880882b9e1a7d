"""The cross-link checker: one behaviour per test, on tiny sites made in tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import check_links
import pytest


def run(config: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str]]:
    """Run the checker's command line from the site's folder; return (status, output lines)."""
    before = Path.cwd()
    os.chdir(config.parent)
    try:
        status = check_links.main(["-f", config.name, *extra])
    finally:
        os.chdir(before)
    captured = capsys.readouterr()
    return status, (captured.out + captured.err).splitlines()


def problems(lines: list[str]) -> list[str]:
    """The problem lines of the output (without the summary)."""
    return [line for line in lines if ": error: " in line]


# ---- clean sites -------------------------------------------------------------------------------


def test_clean_site_exits_zero_with_summary(tmp_site, capsys):
    config = tmp_site({"index.md": "# Home\n\n[Other](other.md)\n", "other.md": "# Other\n"})
    status, lines = run(config, capsys)
    assert status == 0
    assert problems(lines) == []
    assert lines[-1].startswith("0 problems in 2 pages, 1 links checked")


def test_links_in_code_are_not_links(tmp_site, capsys):
    page = (
        "# Home\n\n"
        "Inline `[a](missing-1.md)` code.\n\n"
        '```markdown\n[b](missing-2.md)\n<a href="missing-3.md">c</a>\n```\n\n'
        "    [d](missing-4.md)\n"
    )
    status, lines = run(tmp_site({"index.md": page}), capsys)
    assert (status, problems(lines)) == (0, [])


def test_heading_with_punctuation_numbers_and_non_ascii_letters(tmp_site, capsys):
    # The default toc slugify drops what it cannot transliterate: "Straße" becomes "strae".
    page = "# Home\n\n## Café & Straße: 2.0!\n\n[x](#cafe-strae-20)\n"
    status, lines = run(tmp_site({"index.md": page}), capsys)
    assert (status, problems(lines)) == (0, [])


def test_configured_slugify_is_used(tmp_site, capsys):
    config = tmp_site(
        {"index.md": "# Home\n\n## Straße im Tal\n\n[x](#straße-im-tal)\n"},
        config=(
            "site_name: T\nnav: [index.md]\nmarkdown_extensions:\n  - toc:\n"
            "      slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}\n"
        ),
    )
    status, lines = run(config, capsys)
    assert (status, problems(lines)) == (0, [])


def test_duplicate_headings_get_numbered_ids(tmp_site, capsys):
    page = "# Home\n\n## Notes\n\n## Notes\n\n[second](#notes_1)\n"
    status, lines = run(tmp_site({"index.md": page}), capsys)
    assert (status, problems(lines)) == (0, [])


def test_explicit_ids_and_ids_in_blocks(tmp_site, capsys):
    page = (
        "# Home\n\n## Title { #custom-id }\n\n"
        '!!! note "Aside"\n\n    ### In an admonition\n\n'
        '??? info "More"\n\n    ### In details\n\n'
        "<div markdown>\n\n### In a div\n\n</div>\n\n"
        "Paragraph with an id.\n{ #para }\n\n"
        "[a](#custom-id) [b](#in-an-admonition) [c](#in-details) [d](#in-a-div) [e](#para)\n"
    )
    status, lines = run(tmp_site({"index.md": page}), capsys)
    assert (status, problems(lines)) == (0, [])


def test_footnote_and_raw_html_anchors(tmp_site, capsys):
    page = '# Home\n\nText.[^1] <span id="raw"></span>\n\n[x](#fn:1) [y](#raw)\n\n[^1]: Note.\n'
    status, lines = run(tmp_site({"index.md": page}), capsys)
    assert (status, problems(lines)) == (0, [])


def test_reference_links_resolve(tmp_site, capsys):
    page = (
        "# Home\n\n[full][t] and [collapsed][] and [t]\n\n"
        "[t]: other.md#top\n[collapsed]: other.md\n"
    )
    config = tmp_site({"index.md": page, "other.md": "# Other\n\n## Top\n"})
    status, lines = run(config, capsys)
    assert (status, problems(lines)) == (0, [])


def test_external_mailto_and_query_strings(tmp_site, capsys):
    page = (
        "# Home\n\n[w](https://example.org/x.md#nope) [m](mailto:a@example.org) <b@example.org>\n"
        "[q](other.md?view=print#top) [r](?plain)\n"
    )
    config = tmp_site({"index.md": page, "other.md": "# Other\n\n## Top\n"})
    status, lines = run(config, capsys)
    assert (status, problems(lines)) == (0, [])


def test_snippet_links_resolve_against_the_including_page(tmp_site, capsys):
    config = tmp_site(
        {
            "index.md": '# Home\n\n--8<-- "shared.md"\n',
            "includes/shared.md": "[Other](other.md#top)\n",
            "other.md": "# Other\n\n## Top\n",
        }
    )
    status, lines = run(config, capsys)
    assert (status, problems(lines)) == (0, [])


def test_working_folder_link_and_media_file(tmp_site, capsys):
    config = tmp_site(
        {
            "index.md": "# Home\n\n[section](sub/) ![chart](img/chart.png)\n",
            "sub/index.md": "# Sub\n",
            "img/chart.png": b"\x89PNG\r\n",
        }
    )
    status, lines = run(config, capsys)
    assert (status, problems(lines)) == (0, [])


def test_generated_files_may_be_linked(tmp_site, capsys):
    config = tmp_site(
        {"index.md": '# Home\n\n<a href="handout.pdf">PDF</a>\n'},
        config="site_name: T\nnav: [index.md]\nextra:\n  generated_files: [handout.pdf]\n",
    )
    status, lines = run(config, capsys)
    assert (status, problems(lines)) == (0, [])


def test_escaped_brackets_are_not_references(tmp_site, capsys):
    page = "# Home\n\nLiteral \\[a\\]\\[b\\] and \\[^c\\].\n"
    status, lines = run(tmp_site({"index.md": page}), capsys)
    assert (status, problems(lines)) == (0, [])


# ---- problems ----------------------------------------------------------------------------------


def test_missing_page(tmp_site, capsys):
    config = tmp_site({"index.md": "# Home\n\nSee [it](other.md).\n", "other.md": "# O\n"})
    (config.parent / "docs" / "other.md").unlink()
    status, lines = run(config, capsys)
    assert status == 1
    assert "docs/index.md:3:10: error: link to 'other.md': no such file or page" in lines[0]


def test_missing_anchor_on_another_page_with_suggestion(tmp_site, capsys):
    config = tmp_site(
        {
            "index.md": "# Home\n\n[x](other.md#carter-1994)\n",
            "other.md": "# O\n\n## Carter 1994-06\n",
        }
    )
    status, lines = run(config, capsys)
    assert status == 1
    assert problems(lines) == [
        "docs/index.md:3:5: error: no anchor '#carter-1994' on 'other.md';"
        " did you mean '#carter-1994-06'?"
    ]


def test_missing_anchor_on_the_same_page(tmp_site, capsys):
    status, lines = run(tmp_site({"index.md": "# Home\n\n## Real\n\n[x](#unreal)\n"}), capsys)
    assert status == 1
    assert problems(lines) == [
        "docs/index.md:5:5: error: no anchor '#unreal' on this page; did you mean '#real'?"
    ]


def test_raw_html_link_to_missing_file(tmp_site, capsys):
    page = '# Home\n\n<p><a href="nowhere/">x</a></p>\n'
    status, lines = run(tmp_site({"index.md": page}), capsys)
    assert status == 1
    assert problems(lines)[0].startswith(
        "docs/index.md:3:13: error: link to 'nowhere/': no such file or page in the site"
    )


def test_raw_html_link_to_markdown_source_is_broken(tmp_site, capsys):
    config = tmp_site({"index.md": '# Home\n\n<a href="other.md">x</a>\n', "other.md": "# O\n"})
    status, lines = run(config, capsys)
    assert status == 1
    assert "raw HTML is not rewritten" in problems(lines)[0]


def test_raw_html_link_resolves_against_the_page_url(tmp_site, capsys):
    config = tmp_site(
        {
            "index.md": "# Home\n",
            "sub/page.md": (
                '# Page\n\n<a href="other/">wrong level</a> <a href="../../other/">ok</a>\n'
            ),
            "other.md": "# Other\n",
        }
    )
    status, lines = run(config, capsys)
    assert status == 1
    assert [line.split(": error: ")[1][:20] for line in problems(lines)] == ["link to 'other/': no"]


def test_missing_image(tmp_site, capsys):
    status, lines = run(tmp_site({"index.md": "# Home\n\n![A chart](chart.png)\n"}), capsys)
    assert status == 1
    assert problems(lines)[0].startswith("docs/index.md:3:12: error: link to 'chart.png'")


def test_reference_definition_to_missing_page_is_reported_where_written(tmp_site, capsys):
    page = "# Home\n\nSee [it][ref].\n\n[ref]: gone.md\n"
    status, lines = run(tmp_site({"index.md": page}), capsys)
    assert status == 1
    assert problems(lines)[0].startswith("docs/index.md:5:8: error: link to 'gone.md'")


def test_undefined_reference_label(tmp_site, capsys):
    status, lines = run(tmp_site({"index.md": "# Home\n\nSee [it][nolabel].\n"}), capsys)
    assert status == 1
    assert problems(lines) == [
        "docs/index.md:3:5: error: reference link label '[nolabel]' is not defined"
    ]


def test_footnote_without_definition(tmp_site, capsys):
    status, lines = run(tmp_site({"index.md": "# Home\n\nClaim.[^src]\n"}), capsys)
    assert status == 1
    assert problems(lines) == ["docs/index.md:3:7: error: footnote '[^src]' has no definition"
        " on the page and no record in the bibliography"
    ]


def test_footnote_definition_never_used(tmp_site, capsys):
    page = "# Home\n\nClaim.[^a]\n\n[^a]: Used.\n[^b]: Unused.\n"
    status, lines = run(tmp_site({"index.md": page}), capsys)
    assert status == 1
    assert problems(lines) == [
        "docs/index.md:6:1: error: footnote '[^b]' is defined but never used"
    ]


def test_duplicate_explicit_ids(tmp_site, capsys):
    page = "# Home\n\n## One { #same }\n\n## Two { #same }\n"
    status, lines = run(tmp_site({"index.md": page}), capsys)
    assert status == 1
    assert problems(lines) == ["docs/index.md:3:11: error: id 'same' is used 2 times on this page"]


def test_nav_entry_that_does_not_exist(tmp_site, capsys):
    config = tmp_site(
        {"index.md": "# Home\n"}, config="site_name: T\nnav:\n  - index.md\n  - Gone: gone.md\n"
    )
    status, lines = run(config, capsys)
    assert status == 1
    assert problems(lines) == ["mkdocs.yml:4:1: error: nav entry 'gone.md' does not exist in docs/"]


def test_page_missing_from_nav(tmp_site, capsys):
    config = tmp_site(
        {"index.md": "# Home\n", "orphan.md": "# Orphan\n"},
        config="site_name: T\nnav: [index.md]\n",
    )
    status, lines = run(config, capsys)
    assert status == 1
    assert problems(lines) == [
        "docs/orphan.md:1:1: error: page is not in nav"
        " (add it to nav in mkdocs.yml, or list it in not_in_nav)"
    ]


def test_page_listed_in_not_in_nav_is_no_orphan(tmp_site, capsys):
    config = tmp_site(
        {"index.md": "# Home\n", "extra.md": "# Extra\n"},
        config="site_name: T\nnav: [index.md]\nnot_in_nav: |\n  extra.md\n",
    )
    status, lines = run(config, capsys)
    assert (status, problems(lines)) == (0, [])


def test_link_to_excluded_page(tmp_site, capsys):
    config = tmp_site(
        {"index.md": "# Home\n\n[draft](draft.md)\n", "draft.md": "# Draft\n"},
        config="site_name: T\nnav: [index.md]\nexclude_docs: |\n  draft.md\n",
    )
    status, lines = run(config, capsys)
    assert status == 1
    assert problems(lines) == [
        "docs/index.md:3:9: error: link to 'draft.md': the configuration excludes 'draft.md'"
        " from the site (exclude_docs or draft_docs)"
    ]


def test_missing_snippet_file(tmp_site, capsys):
    status, lines = run(tmp_site({"index.md": '# Home\n\n--8<-- "absent.md"\n'}), capsys)
    assert status == 1
    assert problems(lines) == ["docs/index.md:3:1: error: included file 'absent.md' does not exist"]


def test_broken_link_inside_a_snippet_is_reported_in_the_snippet(tmp_site, capsys):
    config = tmp_site(
        {
            "index.md": '# Home\n\n--8<-- "shared.md"\n',
            "includes/shared.md": "Intro.\n[x](gone.md)\n",
        }
    )
    status, lines = run(config, capsys)
    assert status == 1
    assert problems(lines)[0].startswith("docs/includes/shared.md:2:5: error: link to 'gone.md'")


def test_absolute_link(tmp_site, capsys):
    status, lines = run(tmp_site({"index.md": "# Home\n\n[x](/other/)\n"}), capsys)
    assert status == 1
    assert problems(lines)[0].startswith("docs/index.md:3:5: error: absolute link '/other/' breaks")


def test_markdown_link_out_of_docs(tmp_site, capsys):
    status, lines = run(tmp_site({"index.md": "# Home\n\n[x](../outside/)\n"}), capsys)
    assert status == 1
    assert problems(lines) == [
        "docs/index.md:3:5: error: link to '../outside/' leads outside docs/ (the site publishes"
        " only what is in docs/)"
    ]


def test_raw_html_link_above_the_site_root(tmp_site, capsys):
    page = '# Home\n\n<a href="../outside/">x</a>\n'
    status, lines = run(tmp_site({"index.md": page}), capsys)
    assert status == 1
    assert problems(lines) == [
        "docs/index.md:3:10: error: link to '../outside/' points above the site's root"
    ]


def test_folder_link_without_index_is_broken(tmp_site, capsys):
    config = tmp_site({"index.md": "# Home\n\n[x](sub/)\n", "sub/page.md": "# Page\n"})
    status, lines = run(config, capsys)
    assert status == 1
    assert problems(lines)[0].startswith("docs/index.md:3:5: error: link to 'sub/': no such file")


def test_page_that_is_not_utf8(tmp_site, capsys):
    status, lines = run(tmp_site({"index.md": b"# Home\n\nCaf\xe9\n"}), capsys)
    assert status == 1
    assert problems(lines) == [
        "docs/index.md:3:4: error: not valid UTF-8 (invalid continuation byte); save it as UTF-8"
    ]


def test_problems_are_sorted_and_all_reported(tmp_site, capsys):
    config = tmp_site(
        {"index.md": "# Home\n\n[b](b.md)\n\n[a](a.md)\n", "z.md": "# Z\n\n[c](c.md)\n"}
    )
    status, lines = run(config, capsys)
    assert status == 1
    found = problems(lines)
    assert [line.split(": error")[0] for line in found] == [
        "docs/index.md:3:5",
        "docs/index.md:5:5",
        "docs/z.md:3:5",
    ]
    assert lines[-1].startswith("3 problems in 2 pages")


def test_github_format(tmp_site, capsys):
    config = tmp_site({"index.md": "# Home\n\n[x](gone.md)\n"})
    status, lines = run(config, capsys, "--format", "github")
    assert status == 1
    assert lines[0].startswith("::error file=docs/index.md,line=3,col=5::link to 'gone.md'")


# ---- configuration and usage errors ------------------------------------------------------------


def test_malformed_config_names_file_and_line(tmp_site, capsys):
    config = tmp_site({"index.md": "# Home\n"}, config="site_name: T\nnav: [index.md\ntheme: x\n")
    status, lines = run(config, capsys)
    assert status == 2
    assert lines[0].startswith("mkdocs.yml:3:6: error: malformed YAML")


def test_invalid_config_value_names_the_setting(tmp_site, capsys):
    config = tmp_site({"index.md": "# Home\n"}, config="site_name: T\nstrict: maybe\n")
    status, lines = run(config, capsys)
    assert status == 2
    assert lines[0].startswith("mkdocs.yml:2:1: error: Config value 'strict'")


def test_missing_config_file(tmp_path, capsys):
    status = check_links.main(["-f", str(tmp_path / "absent.yml")])
    assert status == 2
    assert "absent.yml:1:1: error: configuration file not found" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(capsys):
    assert check_links.main(["--no-such-option"]) == 2


def test_a_broken_link_is_reported_where_it_is_written_not_at_a_mention_in_code(tmp_site, capsys):
    page = "# Home\n\nWrite `[x](gone.md)` for a link.\n\nThen [y](gone.md) here.\n"
    status, lines = run(tmp_site({"index.md": page}), capsys)
    assert status == 1
    assert problems(lines) == [
        "docs/index.md:5:10: error: link to 'gone.md': no such file or page in the site"
    ]


def test_mkdocs_own_warnings_are_shown(tmp_site, capsys):
    pages = {"index.md": "# Home\n", "README.md": "# Read me\n"}
    config = tmp_site(pages, config="site_name: T\nnav:\n  - index.md\n")
    status, lines = run(config, capsys)
    assert status == 1
    assert problems(lines) == [
        "mkdocs.yml:1:1: error: MkDocs: Excluding 'README.md' from the site because it"
        " conflicts with 'index.md'."
    ]


def test_github_format_keeps_the_summary_out_of_the_annotations(tmp_site, capsys):
    config = tmp_site({"index.md": "# Home\n\n[x](gone.md)\n"})
    before = Path.cwd()
    os.chdir(config.parent)
    try:
        status = check_links.main(["-f", config.name, "--format", "github"])
    finally:
        os.chdir(before)
    captured = capsys.readouterr()
    assert status == 1
    assert captured.out.splitlines() == [
        "::error file=docs/index.md,line=3,col=5::link to 'gone.md': no such file or page in"
        " the site"
    ]
    assert captured.err.startswith("1 problem in 1 pages")


def test_a_missing_file_in_the_block_form_of_an_include_is_reported(tmp_site, capsys):
    page = '# Home\n\n--8<--\nthere.md\nabsent.md\n--8<--\n'
    status, lines = run(tmp_site({"index.md": page, "includes/there.md": "Text.\n"}), capsys)
    assert status == 1
    assert problems(lines) == ["docs/index.md:5:1: error: included file 'absent.md' does not exist"]
