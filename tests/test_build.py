"""The build: the real site checks clean and builds without warnings; bad input changes nothing."""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import build
import check_links
import pytest
from conftest import ROOT

HOOKS = ROOT / "scripts" / "hooks.py"


def digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the hash of its content."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def small_site(tmp_site) -> Path:
    """A two-page site that uses this project's hooks, as the real one does."""
    config = tmp_site(
        {"index.md": "# Home\n\n[Next](next.md#part)\n", "next.md": "# Next\n\n## Part\n"}
    )
    config.write_text(config.read_text() + f"hooks:\n  - {HOOKS}\n", encoding="utf-8")
    return config


def test_real_site_checks_clean(capsys):
    status = check_links.main(["-f", str(ROOT / "mkdocs.yml")])
    output = capsys.readouterr().out
    assert status == 0, output
    assert output.startswith("0 problems in ")


@pytest.mark.slow
def test_real_site_builds_with_zero_warnings(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="mkdocs")
    status = build.main(["--no-pdf", "--site-dir", str(tmp_path / "site")])
    assert status == 0
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert (tmp_path / "site" / "index.html").is_file()


def test_build_replaces_site_when_everything_succeeds(tmp_site, tmp_path, capsys):
    config = small_site(tmp_site)
    site = tmp_path / "out"
    assert build.main(["-f", str(config), "-d", str(site), "--no-pdf"]) == 0
    assert (site / "next" / "index.html").is_file()
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("Built ") and "check " in last and "mkdocs " in last


def test_broken_link_fails_the_build_and_keeps_the_last_good_site(tmp_site, tmp_path, capsys):
    config = small_site(tmp_site)
    site = tmp_path / "out"
    assert build.main(["-f", str(config), "-d", str(site), "--no-pdf"]) == 0
    before = digest(site)
    page = config.parent / "docs" / "index.md"
    page.write_text("# Home\n\n[Next](next.md#gone)\n", encoding="utf-8")
    capsys.readouterr()
    os.chdir(config.parent)
    try:
        status = build.main(["-f", str(config), "-d", str(site), "--no-pdf"])
    finally:
        os.chdir(ROOT)
    err = capsys.readouterr().err
    assert status == 1
    assert "docs/index.md:3:8: error: no anchor '#gone' on 'next.md'" in err
    assert digest(site) == before
    assert not list(tmp_path.glob(".site-*"))


def test_malformed_config_fails_the_build_and_keeps_the_site(tmp_site, tmp_path, capsys):
    config = small_site(tmp_site)
    site = tmp_path / "out"
    assert build.main(["-f", str(config), "-d", str(site), "--no-pdf"]) == 0
    before = digest(site)
    config.write_text("site_name: [broken\n", encoding="utf-8")
    status = build.main(["-f", str(config), "-d", str(site), "--no-pdf"])
    assert status == 2
    assert ":2:1: error: malformed YAML" in capsys.readouterr().err
    assert digest(site) == before


def test_non_utf8_page_fails_the_build_and_keeps_the_site(tmp_site, tmp_path, capsys):
    config = small_site(tmp_site)
    site = tmp_path / "out"
    assert build.main(["-f", str(config), "-d", str(site), "--no-pdf"]) == 0
    before = digest(site)
    (config.parent / "docs" / "next.md").write_bytes(b"# Next\n\n## Part\n\nna\xefve\n")
    assert build.main(["-f", str(config), "-d", str(site), "--no-pdf"]) == 1
    assert "next.md:5:3: error: not valid UTF-8" in capsys.readouterr().err
    assert digest(site) == before


def test_plain_mkdocs_build_runs_the_check_through_the_hook(tmp_site):
    config = small_site(tmp_site)
    (config.parent / "docs" / "index.md").write_text("# Home\n\n[x](nowhere.md)\n")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)],
        cwd=config.parent,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert "docs/index.md:3:5: error: link to 'nowhere.md'" in result.stderr
    assert "the cross-link check found 1 problem" in result.stderr
    assert not (config.parent / "site" / "index.html").exists()


def test_backlinks_are_generated_from_the_links(tmp_site, tmp_path):
    config = tmp_site(
        {
            "index.md": "# Home\n\n## Context { #context }\n\nSee [1994](timeline.md#y1994).\n",
            "timeline.md": "# Timeline\n\n### Carter { #y1994 }\n\nText.\n\n### Later { #y2000 }\n",
        }
    )
    config.write_text(config.read_text() + f"hooks:\n  - {HOOKS}\n", encoding="utf-8")
    assert build.main(["-f", str(config), "-d", str(tmp_path / "out"), "--no-pdf"]) == 0
    html = (tmp_path / "out" / "timeline" / "index.html").read_text(encoding="utf-8")
    assert '<em>Discussed in:</em> <a href="../#context">Home</a>' in html
    assert html.count("Discussed in:") == 1


def test_footnote_backlinks_inside_annotations_lead_to_the_annotated_block(tmp_site, tmp_path):
    page = (
        "# Home\n\nA claim (1).\n{ .annotate }\n\n1.  Context.[^a]\n\n"
        "Plain text.[^b]\n\n[^a]: Source A.\n[^b]: Source B.\n"
    )
    config = tmp_site({"index.md": page})
    config.write_text(config.read_text() + f"hooks:\n  - {HOOKS}\n", encoding="utf-8")
    assert build.main(["-f", str(config), "-d", str(tmp_path / "out"), "--no-pdf"]) == 0
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    anchor = '<span id="annotated-1"></span>'
    assert f'{anchor}<p class="annotate">A claim<span class="md-annotation">' in html
    assert 'class="footnote-backref" href="#annotated-1"' in html
    assert 'class="footnote-backref" href="#fnref:b"' in html


def test_backlinks_go_to_entries_not_to_the_sections_that_hold_them(tmp_site, tmp_path):
    timeline = (
        "# Timeline\n\n## Before { #before }\n\n"
        '<div class="tl-entry" markdown>\n\n### Carter { #y1994 }\n\nText.\n\n</div>\n'
    )
    config = tmp_site(
        {
            "index.md": "# Home\n\n[all](timeline.md#before) [one](timeline.md#y1994)\n",
            "timeline.md": timeline,
        }
    )
    config.write_text(config.read_text() + f"hooks:\n  - {HOOKS}\n", encoding="utf-8")
    assert build.main(["-f", str(config), "-d", str(tmp_path / "out"), "--no-pdf"]) == 0
    html = (tmp_path / "out" / "timeline" / "index.html").read_text(encoding="utf-8")
    entry = html[html.index('id="y1994"') :]
    assert html.count("Discussed in:") == 1
    assert entry.index("Discussed in:") < entry.index("</div>")


def test_footer_names_the_edition_by_its_build_date(tmp_site, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1781740800")  # 2026-06-18 00:00 UTC
    config = small_site(tmp_site)
    config.write_text(
        config.read_text() + f"theme:\n  name: material\n  custom_dir: {ROOT / 'overrides'}\n",
        encoding="utf-8",
    )
    assert build.main(["-f", str(config), "-d", str(tmp_path / "out"), "--no-pdf"]) == 0
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'Edition of <time datetime="2026-06-18">18 June 2026</time>' in html


# ---- no side effects -----------------------------------------------------------------------

PDF_PAGE = (
    "# Home\n\nThe [PDF edition](commentary.pdf) holds it all.\n\n[Download](commentary.pdf)\n"
)


def pdf_site(tmp_site) -> Path:
    """A one-page site that links to the PDF the build writes, as the real one does."""
    config = tmp_site({"index.md": PDF_PAGE})
    config.write_text(
        config.read_text() + f"hooks:\n  - {HOOKS}\nextra:\n  generated_files: [commentary.pdf]\n",
        encoding="utf-8",
    )
    return config


def test_the_site_folder_gets_the_mode_mkdocs_gives_it(tmp_site, tmp_path):
    config = small_site(tmp_site)
    site = tmp_path / "out"
    assert build.main(["-f", str(config), "-d", str(site), "--no-pdf"]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(site.stat().st_mode) == 0o777 & ~umask


def test_an_interrupted_build_leaves_the_site_and_no_folder_behind(
    tmp_site, tmp_path, capsys, monkeypatch
):
    from commentary import engines

    config = small_site(tmp_site)
    site = tmp_path / "out"
    assert build.main(["-f", str(config), "-d", str(site), "--no-pdf"]) == 0
    before = digest(site)

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(engines, "build_mkdocs", interrupted)
    assert build.main(["-f", str(config), "-d", str(site), "--no-pdf"]) == 130
    assert "build.py: interrupted; site/ left unchanged" in capsys.readouterr().err
    assert digest(site) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["docs", "mkdocs.yml", "out"]


def test_git_ignores_the_work_folders_a_killed_build_can_leave():
    result = subprocess.run(
        ["git", "check-ignore", ".site-abc123/", ".zensical-abc123/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == [".site-abc123/", ".zensical-abc123/"]


def test_a_build_without_the_pdf_and_no_earlier_one_has_no_pdf_and_no_link_to_it(
    tmp_site, tmp_path
):
    config = pdf_site(tmp_site)
    site = tmp_path / "out"
    assert build.main(["-f", str(config), "-d", str(site), "--no-pdf"]) == 0
    html = (site / "index.html").read_text(encoding="utf-8")
    assert not (site / "commentary.pdf").exists()
    assert "commentary.pdf" not in html
    assert "The PDF edition holds it all." in html


def test_a_build_without_the_pdf_keeps_the_last_good_one(tmp_site, tmp_path):
    config = pdf_site(tmp_site)
    site = tmp_path / "out"
    assert build.main(["-f", str(config), "-d", str(site), "--no-pdf"]) == 0
    (site / "commentary.pdf").write_bytes(b"%PDF-1.7 last good edition")
    assert build.main(["-f", str(config), "-d", str(site), "--no-pdf"]) == 0
    assert (site / "commentary.pdf").read_bytes() == b"%PDF-1.7 last good edition"
    html = (site / "index.html").read_text(encoding="utf-8")
    assert '<a href="commentary.pdf">PDF edition</a>' in html


def test_serve_without_an_earlier_pdf_serves_no_empty_pdf(tmp_site):
    from commentary.site import Site
    from mkdocs.structure.files import Files

    site = Site.load(pdf_site(tmp_site))
    files = Files([])
    site.plan_files(files)
    assert files.get_file_from_path("commentary.pdf") is None
    assert site.extension_data().absent == ["commentary.pdf"]


# ---- each artefact once a build -------------------------------------------------------------

CONTACT = """\
# Timeline

<div class="tl-entry" markdown>

### Talks in Geneva { #1994-10-geneva }

<time datetime="1994-10-21">21 October 1994</time>

**Contact:** negotiators · **Outcome:** a framework
{ .tl-meta .tl-contact data-level="senior" data-outcome="agreement" }

</div>
"""


def test_the_chart_is_drawn_and_the_timeline_read_once_a_build(tmp_site, tmp_path, monkeypatch):
    from commentary import chart, timeline

    calls: list[str] = []
    for module, name in ((chart, "contacts_chart"), (timeline, "entries_from_html")):
        original = getattr(module, name)

        def counted(*args, _original=original, _name=name):
            calls.append(_name)
            return _original(*args)

        monkeypatch.setattr(module, name, counted)
    marker = "<!-- commentary:contacts-chart -->"
    config = tmp_site(
        {
            "index.md": f"# Home\n\n{marker}\n",
            "deep/page.md": f"# Deep\n\n{marker}\n",
            "timeline.md": CONTACT,
        }
    )
    config.write_text(
        config.read_text()
        + f"hooks:\n  - {HOOKS}\nextra:\n  generated_files: [timeline.csv, timeline.json]\n",
        encoding="utf-8",
    )
    site = tmp_path / "out"
    assert build.main(["-f", str(config), "-d", str(site), "--no-pdf"]) == 0
    assert sorted(calls) == ["contacts_chart", "entries_from_html"]
    assert 'href="../../timeline/#1994-10-geneva"' in (site / "deep/page/index.html").read_text()
    assert 'href="timeline/#1994-10-geneva"' in (site / "index.html").read_text()
