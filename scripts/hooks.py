"""MkDocs hooks: thin dispatchers to the site model (`commentary.site`) and its Markdown extension.

Zensical accepts and ignores `hooks:`; `scripts/build.py --engine zensical` feeds the same
extension from the same site model instead (see `commentary.engines`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

SCRIPTS = str(Path(__file__).resolve().parent)

log = get_plugin_logger("commentary")


def on_config(config: MkDocsConfig, **kwargs: Any) -> MkDocsConfig:
    """Build the site model (or reuse build.py's), name the edition, hand the extension its data."""
    if SCRIPTS not in sys.path:  # MkDocs restores sys.path after loading this file
        sys.path.insert(0, SCRIPTS)
    from commentary.config import absolute_snippet_paths
    from commentary.extension import CommentaryExtension
    from commentary.site import Site

    absolute_snippet_paths(config)  # a plain `mkdocs build` from another folder
    site = Site.of(config)
    config.extra["edition"] = site.edition_data()
    if not site.problems:
        config.markdown_extensions.append(CommentaryExtension(data=site.extension_data()))
    return config


def on_files(files: Files, config: MkDocsConfig, **kwargs: Any) -> Files:
    """Let pages link to the files the build writes after rendering (PDF, downloads); leave out
    the theme's script, which reader.js replaces."""
    from commentary.site import Site, drop_theme_bundle

    Site.of(config).plan_files(files)
    drop_theme_bundle(files)
    return files


def on_pre_build(config: MkDocsConfig, **kwargs: Any) -> None:
    """Stop before rendering when the cross-link check found problems; each is logged."""
    from commentary.site import Site

    problems = Site.of(config).problems
    if problems:
        for problem in problems:
            log.error(str(problem))
        count = len(problems)
        raise PluginError(
            f"the cross-link check found {count} problem{'s' if count != 1 else ''} (listed above)"
        )


def on_page_markdown(
    markdown: str, page: Page, config: MkDocsConfig, files: Files, **kwargs: Any
) -> str:
    """Tell the extension which page it converts."""
    from commentary.extension import stamp

    return stamp(page.file.src_uri) + markdown


def on_post_build(config: MkDocsConfig, **kwargs: Any) -> None:
    """Write the data downloads (timeline, bibliography) beside the pages."""
    from commentary.site import Site

    Site.of(config).write_downloads(Path(config.site_dir))
