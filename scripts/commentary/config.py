"""Load `mkdocs.yml` once, with MkDocs' own loader, and report a bad one by file and line."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from mkdocs.config.defaults import MkDocsConfig

# The extension whose file paths MkDocs passes through untouched, relative to the working folder.
SNIPPETS = "pymdownx.snippets"


class ConfigError(Exception):
    """A configuration that cannot be used; `location` is "path:line:col"."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: error: {message}")
        self.location = location
        self.message = message


def display(path: Path) -> str:
    """A path as shown in messages: relative to the current folder where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path.resolve())


def byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (1-based) of a byte offset."""
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def load_config(config_file: str | os.PathLike[str]) -> MkDocsConfig:
    """Load and validate `mkdocs.yml` with MkDocs' own config class, or raise `ConfigError`."""
    from mkdocs import exceptions

    path = Path(config_file).resolve()
    shown = display(path)
    if not path.is_file():
        raise ConfigError(f"{shown}:1:1", "configuration file not found")
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, col = byte_position(raw, error.start)
        raise ConfigError(f"{shown}:{line}:{col}", f"not valid UTF-8 ({error.reason})") from None
    config = MkDocsConfig(config_file_path=str(path))
    with quiet_mkdocs():
        try:
            with path.open("rb") as stream:
                config.load_file(stream)
        except exceptions.ConfigurationError as error:
            failure: BaseException = error
        else:
            errors, warnings = config.validate()
            failures = errors + (warnings if config.strict else [])
            if not failures:
                absolute_snippet_paths(config)
                return config
            # MkDocs' own (setting, error) pairs, as its loader would log them.
            line = _line_of_key(path, failures[0][0].split(".")[0])
            message = "; ".join(f"Config value '{key}': {error}" for key, error in failures)
            raise ConfigError(f"{shown}:{line}:1", " ".join(message.split()))
    mark = _yaml_mark(failure)
    if mark is not None:
        context = failure.__context__
        assert isinstance(context, yaml.MarkedYAMLError)
        words = " ".join(str(part) for part in (context.context, context.problem) if part)
        raise ConfigError(f"{shown}:{mark.line + 1}:{mark.column + 1}", "malformed YAML: " + words)
    raise ConfigError(f"{shown}:1:1", " ".join(str(failure).split()))


def absolute_snippet_paths(config: MkDocsConfig) -> None:
    """Resolve pymdownx.snippets' folders against mkdocs.yml, not the working folder.

    MkDocs hands extension options to Python-Markdown as they are, and snippets resolves relative
    folders against the current directory; so a build started from another folder could not find
    the shared files. `!relative` would do this in YAML, but Zensical's loader does not know it.
    """
    options = config.mdx_configs.get(SNIPPETS)
    if not options:
        return
    root = Path(config.config_file_path).parent
    bases = options.get("base_path", ["."])
    bases = [bases] if isinstance(bases, str) else bases
    options["base_path"] = [str((root / base).resolve()) for base in bases]


def _yaml_mark(error: BaseException) -> yaml.Mark | None:
    """Where in the file the YAML parser gave up, if that is what went wrong."""
    context = error.__context__
    if isinstance(context, yaml.MarkedYAMLError):
        return context.problem_mark or context.context_mark
    return None


def scalar_lines(path: Path, key: str) -> dict[str, int]:
    """Every plain value under the top-level `key` of a YAML file, with the first line that
    holds it (from the parser's marks, so a value is found as a value, never inside a comment)."""
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    found: dict[str, int] = {}

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.ScalarNode):
            found.setdefault(str(node.value), node.start_mark.line + 1)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)
        elif isinstance(node, yaml.MappingNode):
            for _name, value in node.value:
                walk(value)

    if isinstance(root, yaml.MappingNode):
        for name, value in root.value:
            if name.value == key:
                walk(value)
    return found


def _line_of_key(path: Path, key: str) -> int:
    """The line where the top-level `key:` is set in mkdocs.yml (1 if it cannot be found)."""
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    if isinstance(node, yaml.MappingNode):
        for key_node, _value in node.value:
            if key_node.value == key:
                return key_node.start_mark.line + 1
    return 1


@contextmanager
def quiet_mkdocs() -> Iterator[list[str]]:
    """Collect MkDocs' own warnings and errors instead of printing them; yields the messages."""
    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                messages.append(record.getMessage())

    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    saved = logger.handlers[:], logger.propagate, logger.level
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    try:
        yield messages
    finally:
        logger.handlers[:], logger.propagate, _ = saved
        logger.setLevel(saved[2])
