"""Render a checked site with MkDocs (in this process) or with Zensical (its own command).

Both engines read the same `mkdocs.yml` and the same site model. MkDocs runs the hook
(`scripts/hooks.py`), which hands the project's Markdown extension its data. Zensical runs no hooks,
so for it the build lays out a work folder inside the staging folder: the pages, each with the
stamp line that names it, the site model's data as JSON, and a configuration derived from
`mkdocs.yml` that loads the extension by name. Everything else is the same file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils import meta

from commentary import extension
from commentary.config import SNIPPETS
from commentary.site import Site

SCRIPTS = Path(__file__).resolve().parent.parent


class EngineError(Exception):
    """The engine failed; the message says how."""


def build_mkdocs(config: MkDocsConfig, site_dir: Path) -> None:
    """Render with MkDocs in strict mode into `site_dir` (the hook reuses the attached Site)."""
    from mkdocs import exceptions
    from mkdocs.commands.build import build

    config.site_dir = str(site_dir)
    config.strict = True
    try:
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except exceptions.MkDocsException as error:
        raise EngineError(f"mkdocs build failed: {error}") from None


def build_zensical(site: Site, site_dir: Path, work: Path) -> None:
    """Render with Zensical into `site_dir`, from a work folder laid out under `work`."""
    executable = shutil.which("zensical", path=str(Path(sys.executable).parent)) or shutil.which(
        "zensical"
    )
    if executable is None:
        raise EngineError("Zensical is not installed (pip install the project's test extra)")
    config_file = prepare_zensical(site, work)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SCRIPTS), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [executable, "build", "--strict", "-f", str(config_file)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or "Error" in result.stdout:
        raise EngineError(f"zensical build failed:\n{result.stdout}{result.stderr}".rstrip())
    shutil.copytree(work / "site", site_dir, dirs_exist_ok=True)
    # The theme's script, as under MkDocs (commentary.site.drop_theme_bundle): no page loads it.
    for bundle in (site_dir / "assets" / "javascripts").glob("bundle.*"):
        bundle.unlink()


def prepare_zensical(site: Site, work: Path) -> Path:
    """Lay out the work folder for Zensical; return its configuration file."""
    docs = work / "docs"
    shutil.copytree(site.docs_dir, docs)
    for src_uri in site.scans:
        page = docs / src_uri
        page.write_text(_stamped(page.read_text(encoding="utf-8-sig"), src_uri), encoding="utf-8")
    # Zensical rewrites a link to a file it does not know as if it were a page, one folder too
    # deep; an empty stand-in for each file the build adds later makes it an ordinary file link.
    for name in (site.config.extra or {}).get("generated_files", []):
        stand_in = docs / str(name).lstrip("/")
        if not stand_in.exists():
            stand_in.parent.mkdir(parents=True, exist_ok=True)
            stand_in.touch()
    data_file = work / "commentary-data.json"
    site.extension_data(source_links=True).dump(data_file)
    raw = read_yaml(site.config_path)
    raw.pop("hooks", None)
    # What the hook adds to the configuration under MkDocs: the edition, named by its date.
    raw.setdefault("extra", {})["edition"] = site.edition_data()
    raw["docs_dir"] = "docs"
    raw["site_dir"] = "site"
    theme = raw.get("theme") or {}
    if theme.get("custom_dir"):
        shutil.copytree(site.config_path.parent / theme["custom_dir"], work / "overrides")
        theme["custom_dir"] = "overrides"
    extensions: list[Any] = []
    for item in raw.get("markdown_extensions", []):
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        if name == SNIPPETS and options:
            options = {**options, "base_path": site.config.mdx_configs[SNIPPETS]["base_path"]}
            options["base_path"] = [
                str(docs / Path(base).relative_to(site.docs_dir)) for base in options["base_path"]
            ]
        extensions.append({name: options} if options is not None else name)
    extensions.append({"commentary.extension": {"data": str(data_file)}})
    raw["markdown_extensions"] = extensions
    config_file = work / "mkdocs.yml"
    config_file.write_text(
        yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return config_file


def _stamped(source: str, src_uri: str) -> str:
    """A page's text with the stamp line after its front matter (which must stay first)."""
    body, _ = meta.get_data(source)
    front = source[: len(source) - len(body)]
    return front + extension.stamp(src_uri) + body


class _EnvLoader(yaml.SafeLoader):
    """YAML with MkDocs' `!ENV` tag resolved (the only custom tag this project uses)."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """`!ENV NAME` or `!ENV [NAME, ..., default]`, as MkDocs reads it."""
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        values = loader.construct_sequence(node)
        names, default = values[:-1], values[-1]
    return next((os.environ[name] for name in names if name in os.environ), default)


_EnvLoader.add_constructor("!ENV", _env)


def read_yaml(path: Path) -> dict[str, Any]:
    """`mkdocs.yml` as plain data, environment variables resolved."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_EnvLoader)
