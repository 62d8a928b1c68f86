"""Each node kind's colour and icon (its inspector hints), one table for the palette and the
canvas alike."""

from __future__ import annotations

from dataclasses import dataclass

from core.nodes.catalog import CATALOG


@dataclass(frozen=True)
class KindLook:
    """How a kind is shown: ``material`` for Streamlit (the palette), ``bootstrap`` for the
    canvas (the component ships Bootstrap Icons, not Material Symbols), the same picture in
    both sets, and one colour."""

    material: str
    bootstrap: str
    colour: str

    @property
    def icon(self) -> str:
        """The Streamlit icon string (``:material/name:``)."""
        return f":material/{self.material}:"


#: Each kind's look, from its inspector hints.
LOOKS: dict[str, KindLook] = {
    kind.type: KindLook(kind.hints.icon, kind.hints.canvas_icon, kind.hints.colour)
    for kind in CATALOG.values()
}
#: For a node whose kind is not in the catalog (an imported file may name anything).
UNKNOWN = KindLook("help", "question-circle-fill", "#6B7280")


def look(kind: str) -> KindLook:
    """The look of ``kind`` (:data:`UNKNOWN` for a kind the catalog does not have)."""
    return LOOKS.get(kind, UNKNOWN)
