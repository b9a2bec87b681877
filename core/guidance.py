"""Guidance as people read it, rendered one way.

A finding (``core.results.Finding``) names its guidance by id; here the catalogue's items
become ``GuidanceText`` (one language, plain values) and are rendered by one set of
templates (``resources/templates/guidance.html.j2``, whose macros the HTML report, the push
and site reports and the window's details panes all import) or, for the command line and
anything else that is plain text, by ``guidance_lines``.

The templates are Jinja2 with autoescape on and undefined names refused: what came from the
network or the user is escaped, so the window may show their output as rich text and no
remote text ever becomes markup. Jinja loads with the first rendering, not before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from sep_port_doctor.core.catalog import Catalog, Guidance
from sep_port_doctor.core.i18n import Lang, say

if TYPE_CHECKING:
    import jinja2


@dataclass(frozen=True)
class GuidanceText:
    """One guidance item in one language, as every rendering shows it."""

    id: str
    title: str
    text: str
    steps: tuple[str, ...]
    field: bool
    """A rule of thumb (not the vendor's words): every rendering says so."""
    own_steps: frozenset[int] = frozenset()
    """The steps (0-based) of a vendor item that are this program's advice: each is marked a rule of
    thumb where shown, and left out where the vendor's notes are quoted as the vendor states them."""
    own_notes: tuple[str, ...] = ()
    """What this program adds to a vendor item's text, each shown after it marked a rule of thumb."""

    @classmethod
    def of(cls, item: Guidance, lang: Lang) -> GuidanceText:
        return cls(
            item.id,
            item.title.say(lang),
            item.text.say(lang),
            tuple(s.say(lang) for s in item.steps),
            item.source == "field",
            item.own_steps,
            tuple(n.say(lang) for n in item.own_notes),
        )


def guidance_texts(catalog: Catalog, ids: Iterable[str], lang: Lang) -> list[GuidanceText]:
    """The guidance of these ids (a finding's), in one language."""
    return [GuidanceText.of(item, lang) for item in catalog.guidance_for(ids)]


def source_words(lang: Lang) -> dict[str, str]:
    """What the renderings call the two sources of guidance (the templates' ``w.vendor`` and
    ``w.rule_of_thumb``), and the short mark after a vendor item's sentence or step of this program's own."""
    return {code: say(f"report.{code}", lang) for code in ("vendor", "rule_of_thumb", "own_mark")}


def guidance_lines(
    items: Sequence[GuidanceText], lang: Lang, *, arrow: str = "→", shown: set[str] | None = None
) -> list[str]:
    """Plain text, a line per item and per step: ``→ title [source]: text`` then ``   1. step``.
    An item said earlier in the same output with the same steps (its key in ``shown``) gets its
    title only; the items said here are added to ``shown`` (an item may be given without a step
    that another item of its finding says: ``Catalog.guidance_for``)."""
    words = source_words(lang)
    lines = []
    for item in items:
        key = "\n".join((item.id, *item.steps))
        if shown is not None and key in shown:
            lines.append(f"{arrow} {item.title}")
            continue
        if shown is not None:
            shown.add(key)
        source = words["rule_of_thumb" if item.field else "vendor"]
        own = f" [{words['own_mark']}]"
        lines.append(f"{arrow} {item.title} [{source}]: {item.text}" + "".join(f" {n}{own}" for n in item.own_notes))
        lines += [
            f"   {number}. {step}{own if number - 1 in item.own_steps else ''}"
            for number, step in enumerate(item.steps, 1)
        ]
    return lines


# --- templates ---------------------------------------------------------------------------


def load_template(name: str) -> str:
    """A template shipped in resources/templates (works installed and frozen)."""
    return (resources.files("sep_port_doctor.resources") / "templates" / name).read_text(encoding="utf-8")


@cache
def environment(finalize: Callable[[Any], Any] | None = None) -> jinja2.Environment:
    """The program's templates' Jinja settings: autoescape on, undefined names refused.
    ``finalize``: applied to every value a template shows (the site report's ``terminal_safe``)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FunctionLoader(load_template),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,
    )


def render(name: str, **values: Any) -> str:
    """A template of resources/templates rendered with ``values`` (every string escaped)."""
    return environment().get_template(name).render(**values)
