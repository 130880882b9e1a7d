"""One test per defect the code review found (review-code-1.md, D1-D11); each failed before.

D5 (the checker's own bugs crash loudly) is tested by tests/test_check_links_properties.py, which
lets any unexpected exception escape; D6 and the PDF half of D10 by tests/test_pdf.py. D7 was dead
code (a folder made only to be removed), deleted, with no behaviour to test.
"""

from __future__ import annotations

import os
import subprocess
import sys

import build
import check_links
import pytest
from commentary.site import Site
from conftest import ROOT

HOOKS = ROOT / "scripts" / "hooks.py"


def problems(capsys) -> list[str]:
    out = capsys.readouterr().out.strip().splitlines()
    return [line for line in out if ": error: " in line]


@pytest.mark.slow
def test_d1_build_works_when_run_from_another_folder(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build.py"), "--no-pdf", "-d", str(tmp_path / "s")],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={**os.environ, "COMMENTARY_NO_VENV": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "s" / "glossary" / "index.html").is_file()


def test_d1_snippet_folders_resolve_against_mkdocs_yml(tmp_site, tmp_path, monkeypatch, capsys):
    config = tmp_site({"index.md": "# Home\n", "includes/abbr.md": "*[UN]: United Nations\n"})
    config.write_text(
        config.read_text().replace(
            "check_paths: true", "check_paths: true\n      auto_append: [abbr.md]"
        )
    )
    monkeypatch.chdir(tmp_path.parent)
    assert check_links.main(["-f", str(config)]) == 0, capsys.readouterr().out


def test_d2_raw_html_between_bracketed_text_is_no_reference(tmp_site, capsys):
    config = tmp_site({"index.md": "# Home\n\nAn array x[0]<br>[1] and y.\n"})
    assert check_links.main(["-f", str(config)]) == 0
    assert problems(capsys) == []


def test_d3_reading_order_without_nav_is_mkdocs_own(tmp_site):
    config = tmp_site(
        {
            "index.md": "# Home\n",
            "b.md": "# B\n",
            "a/index.md": "# A\n",
            "a/z.md": "# Z\n",
            "includes/abbr.md": "*[UN]: United Nations\n",
        }
    )
    config.write_text(config.read_text().split("nav:")[0])
    order = [entry.file.src_uri for entry in Site.load(config).reading_order]
    assert order == ["index.md", "b.md", "a/index.md", "a/z.md"]


def test_d4_backlink_labels_do_not_depend_on_render_order(tmp_site, tmp_path):
    pages = {
        "index.md": "# Home\n",
        "timeline.md": "# Timeline\n\n### Carter { #y1994 }\n\nText.\n",
        "zzz.md": "# Zed\n\n## Part { #part }\n\n[1994](timeline.md#y1994)\n",
    }
    config = tmp_site(pages)
    config.write_text(config.read_text() + f"hooks:\n  - {HOOKS}\n", encoding="utf-8")
    assert build.main(["-f", str(config), "-d", str(tmp_path / "out"), "--no-pdf"]) == 0
    html = (tmp_path / "out" / "timeline" / "index.html").read_text(encoding="utf-8")
    assert '<em>Discussed in:</em> <a href="../zzz/#part">Zed</a>' in html


def test_d8_column_is_the_links_not_an_earlier_mention(tmp_site, monkeypatch, capsys):
    monkeypatch.chdir(tmp_site({}).parent)
    page = "# Home\n\nThe file gone.md is mentioned. Then [link](gone.md).\n"
    assert check_links.main(["-f", str(tmp_site({"index.md": page}))]) == 1
    assert problems(capsys) == [
        "docs/index.md:3:44: error: link to 'gone.md': no such file or page in the site"
    ]


def test_d9_links_in_an_included_file_sit_under_the_including_section(tmp_site):
    config = tmp_site(
        {
            "index.md": (
                '# Home\n\n## Intro { #intro }\n\n## Context { #context }\n\n--8<-- "shared.md"\n'
            ),
            "includes/shared.md": "See [1994](timeline.md#y1994).\n",
            "timeline.md": "# Timeline\n\n### Carter { #y1994 }\n",
        }
    )
    site = Site.load(config)
    edges = [e for e in site.edges if e.target == "timeline.md"]
    assert [(e.source, e.section, e.fragment) for e in edges] == [("index.md", "context", "y1994")]


def test_d10_a_snippet_that_is_not_utf8_is_reported(tmp_site, monkeypatch, capsys):
    monkeypatch.chdir(tmp_site({}).parent)
    config = tmp_site({"index.md": '# Home\n\n--8<-- "bad.md"\n', "includes/bad.md": b"na\xefve\n"})
    assert check_links.main(["-f", str(config)]) == 1
    assert problems(capsys) == [
        "docs/includes/bad.md:1:3: error: not valid UTF-8 (invalid continuation byte);"
        " save it as UTF-8"
    ]


def test_d11_the_check_changes_no_working_folder(tmp_site, monkeypatch, capsys):
    def refuse(path):
        raise AssertionError(f"os.chdir({path!r}) called")

    monkeypatch.setattr(os, "chdir", refuse)
    config = tmp_site({"index.md": "# Home\n\n[Next](next.md)\n", "next.md": "# Next\n"})
    assert check_links.main(["-f", str(config)]) == 0


def test_d11_each_configuration_gets_its_own_site_model(tmp_site):
    config = tmp_site({"index.md": "# Home\n", "next.md": "# Next\n"})
    first = Site.load(config)
    assert first.problems == []
    (config.parent / "docs" / "next.md").write_text("# Next\n\n[x](gone.md)\n", encoding="utf-8")
    second = Site.load(config)
    assert first is not second
    assert [p.message.split(":")[0] for p in second.problems] == ["link to 'gone.md'"]


def test_missing_include_is_an_error_even_without_check_paths(tmp_site, monkeypatch, capsys):
    monkeypatch.chdir(tmp_site({}).parent)
    config = tmp_site({"index.md": '# Home\n\nBefore.\n\n--8<-- "absent.md"\n'})
    config.write_text(config.read_text().replace("check_paths: true", "check_paths: false"))
    assert check_links.main(["-f", str(config)]) == 1
    assert problems(capsys) == [
        "docs/index.md:5:1: error: included file 'absent.md' does not exist"
    ]
