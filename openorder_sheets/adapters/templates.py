"""Render the buyer emails from Jinja2 templates, safely.

Every email kind has three files per language: ``{kind}.subject.txt``, ``{kind}.txt`` (plain
text body) and ``{kind}.html`` (HTML body). The packaged defaults live in the top-level
``templates/`` folder (``openorder_sheets/_templates`` in an installed wheel); a seller may copy
them (``openorder init --templates``), edit the copy and point ``templates_dir`` at it. A file
missing from the seller's copy falls back to the packaged default.

Seller templates are untrusted code: they render in Jinja's immutable sandbox, with strict
undefined variables, and HTML bodies are autoescaped. Buyer text only ever arrives as data in the
context, never as template source. Every problem with a template (missing file, syntax error,
misspelt variable, sandbox violation, a runtime error) becomes a :class:`TemplateError` whose
message is one sentence naming the file and the fix.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

import openorder_sheets
from openorder_sheets.core.labels import LANGUAGES
from openorder_sheets.core.model import EmailKind
from openorder_sheets.errors import ConfigError

__all__ = [
    "KINDS",
    "LANGUAGES",
    "RenderedEmail",
    "TemplateError",
    "TemplateRenderer",
    "copy_default_templates",
    "default_templates_dir",
]

#: Every email kind, in the order a buyer meets them (one enum in the core names them).
KINDS: tuple[str, ...] = tuple(kind.value for kind in EmailKind)


#: The variables every template receives (the render context, plus ``subject`` for bodies).
CONTEXT_VARIABLES: tuple[str, ...] = (
    "kind",
    "language",
    "shop",
    "buyer",
    "order",
    "batch",
    "next_batch",
    "subject",
    "testimonials",
)

_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("subject", ".subject.txt"),
    ("text", ".txt"),
    ("html", ".html"),
)


class TemplateError(ConfigError):
    """A template cannot be found, parsed or rendered; the message says which file and the fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class RenderedEmail:
    """One email, rendered: a one-line subject, a plain-text body and an HTML body."""

    subject: str
    text: str
    html: str


def default_templates_dir() -> Path:
    """The packaged default templates: ``_templates`` in a wheel, else the repo's ``templates/``."""
    packaged = Path(openorder_sheets.__file__).parent / "_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parents[2] / "templates"


def copy_default_templates(dest: Path) -> list[Path]:
    """Copy the default templates (both languages and the README) into ``dest`` for editing.

    Existing files are never overwritten, so re-running keeps the seller's edits. Returns the
    files written, sorted.
    """
    source = default_templates_dir()
    if not source.is_dir():
        raise TemplateError(
            f"The default templates are missing from {source}; reinstall openorder-sheets."
        )
    written: list[Path] = []
    for path in sorted(source.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.name.startswith("."):
            continue
        target = dest / path.relative_to(source)
        if target.exists():
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        except OSError as exc:
            raise TemplateError(
                f"Could not write the template {target} ({exc.strerror or exc}); "
                "check that the folder is writable or choose another one."
            ) from None
        written.append(target)
    return written


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, with friendlier lookups on the context's dictionaries.

    ``order.items`` means the ``items`` key, not ``dict.items``; a misspelt key becomes a
    strict-undefined error that lists the keys that do exist.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping):
            if attribute in obj:
                return obj[attribute]
            if not hasattr(obj, attribute):
                fields = ", ".join(sorted(str(key) for key in obj))
                return self.undefined(
                    hint=f"'{attribute}' is not a field here (the fields are: {fields})",
                    obj=obj,
                    name=attribute,
                )
        return super().getattr(obj, attribute)


def _make_env(loader: jinja2.BaseLoader, *, autoescape: bool) -> _Environment:
    return _Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class TemplateRenderer:
    """Render every email kind in one language, from a seller's copy or the packaged defaults."""

    def __init__(self, language: str, templates_dir: Path | None = None) -> None:
        self.language = language
        default_dir = default_templates_dir() / language
        search: list[Path] = []
        if templates_dir is not None:
            templates_dir = Path(templates_dir).expanduser()
            if not templates_dir.is_dir():
                raise TemplateError(
                    f"The templates_dir {templates_dir} does not exist; create it with "
                    "`openorder init --templates` or fix templates_dir in [email]."
                )
            seller_dir = templates_dir / language
            if not seller_dir.is_dir():
                raise TemplateError(
                    f"The templates_dir {templates_dir} has no '{language}' folder; "
                    f"put your templates in {seller_dir} (`openorder init --templates` "
                    "creates it) or fix templates_dir in [email]."
                )
            search.append(seller_dir)
        if default_dir.is_dir():
            search.append(default_dir)
        elif templates_dir is None:
            known = ", ".join(LANGUAGES)
            raise TemplateError(
                f"There are no email templates for language '{language}' in {default_dir}; "
                f"set language to one of {known} in [shop]."
            )
        self.search_path: tuple[Path, ...] = tuple(search)
        loader = jinja2.FileSystemLoader([str(p) for p in search], encoding="utf-8")
        self._envs: dict[str, _Environment] = {
            "subject": _make_env(loader, autoescape=False),
            "text": _make_env(loader, autoescape=False),
            "html": _make_env(loader, autoescape=True),
        }

    def kinds(self) -> list[str]:
        """Every email kind this renderer can render."""
        return list(KINDS)

    def template_path(self, name: str) -> Path | None:
        """Where the file ``name`` is read from (the seller's copy first), or ``None``."""
        for folder in self.search_path:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        return None

    def render(self, kind: str, context: Mapping[str, object]) -> RenderedEmail:
        """Render one email; every template problem becomes a :class:`TemplateError`."""
        if kind not in KINDS:
            raise TemplateError(f"There is no email kind '{kind}'; use one of: {', '.join(KINDS)}.")
        values: dict[str, object] = dict(context)
        subject_raw = self._render_one("subject", kind + ".subject.txt", values)
        subject = " ".join(_CONTROL_CHARS.sub(" ", subject_raw).split())
        if not subject:
            raise TemplateError(
                f"The template {self._display(kind + '.subject.txt')} renders an empty "
                "subject; write a subject line in it."
            )
        values["subject"] = subject
        text = _tidy_text(self._render_one("text", kind + ".txt", values))
        html = _unify_newlines(self._render_one("html", kind + ".html", values))
        return RenderedEmail(subject=subject, text=text, html=html)

    # -- internals ------------------------------------------------------------------------

    def _display(self, name: str) -> str:
        path = self.template_path(name)
        if path is not None:
            return str(path)
        return str(self.search_path[0] / name) if self.search_path else name

    def _render_one(self, part: str, name: str, values: Mapping[str, object]) -> str:
        env = self._envs[part]
        try:
            template = env.get_template(name)
            return template.render(values)
        except jinja2.TemplateNotFound as exc:
            missing = exc.name or name
            if missing == name:
                raise TemplateError(
                    f"The template file {self._display(name)} is missing; restore it with "
                    "`openorder init --templates` (it never overwrites your files)."
                ) from None
            raise TemplateError(
                f"The template {self._display(name)} includes '{missing}', which does not "
                "exist; fix the file name in the include or extends tag."
            ) from None
        except jinja2.TemplateSyntaxError as exc:
            where = exc.filename or self._display(exc.name or name)
            raise TemplateError(
                f"The template {where} has a syntax error on line {exc.lineno}: "
                f"{_sentence(exc.message or '')}; fix that line."
            ) from None
        except SecurityError as exc:
            where = _template_location(exc.__traceback__, self._display(name))
            raise TemplateError(
                f"The template {where} tries something templates may not do "
                f"({_sentence(str(exc))}); use only the documented variables and filters."
            ) from None
        except jinja2.UndefinedError as exc:
            where = _template_location(exc.__traceback__, self._display(name))
            detail = _sentence(str(exc))
            if detail.endswith("is undefined"):
                detail += f" (the variables are: {', '.join(CONTEXT_VARIABLES)})"
            raise TemplateError(
                f"The template {where} uses an unknown variable: {detail}; "
                "check the spelling against templates/README.md."
            ) from None
        except jinja2.TemplateError as exc:
            where = _template_location(exc.__traceback__, self._display(name))
            raise TemplateError(
                f"The template {where} failed: {_sentence(str(exc))}; fix that line."
            ) from None
        except UnicodeDecodeError:
            raise TemplateError(
                f"The template {self._display(name)} is not UTF-8 text; save it as UTF-8."
            ) from None
        except OSError as exc:
            raise TemplateError(
                f"The template {self._display(name)} cannot be read "
                f"({exc.strerror or exc}); check the file and its permissions."
            ) from None
        except Exception as exc:  # a seller template is code: any failure is the template's
            where = _template_location(exc.__traceback__, self._display(name))
            raise TemplateError(
                f"The template {where} failed ({type(exc).__name__}: "
                f"{_sentence(str(exc))}); fix that line."
            ) from None


def _sentence(text: str) -> str:
    """Squash a message onto one line without a trailing full stop."""
    return " ".join(text.split()).rstrip(".") or "no details"


def _template_location(tb: TracebackType | None, fallback: str) -> str:
    """``file line N`` of the innermost template frame in a Jinja-rewritten traceback."""
    found: str | None = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".txt")):
            found = f"{filename} line {tb.tb_lineno}"
        tb = tb.tb_next
    return found or fallback


_BLANK_RUNS = re.compile(r"\n{3,}")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def _unify_newlines(text: str) -> str:
    """CR LF and a lone CR (possible in buyer text) become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _tidy_text(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, exactly one final newline."""
    lines = [line.rstrip() for line in _unify_newlines(text).split("\n")]
    tidy = _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")
    return tidy + "\n"
