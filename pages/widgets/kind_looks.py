"""Each node kind's colour and icon, one table for the palette and the canvas alike."""

from __future__ import annotations

from dataclasses import dataclass


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


LOOKS: dict[str, KindLook] = {
    "start": KindLook("play_circle", "play-circle-fill", "#16A34A"),
    "activity": KindLook("bolt", "lightning-charge-fill", "#2563EB"),
    "condition": KindLook("call_split", "sign-intersection-y-fill", "#D97706"),
    "switch": KindLook("alt_route", "signpost-split-fill", "#EA580C"),
    "parallel": KindLook("fork_right", "diagram-3-fill", "#7C3AED"),
    "join": KindLook("merge", "sign-merge-left-fill", "#C026D3"),
    "loop": KindLook("repeat", "arrow-repeat", "#0D9488"),
    "timer": KindLook("hourglass_top", "hourglass-split", "#0891B2"),
    "wait_signal": KindLook("notifications", "bell-fill", "#DB2777"),
    "set_variable": KindLook("data_object", "braces", "#65A30D"),
    "child_workflow": KindLook("account_tree", "diagram-2-fill", "#4F46E5"),
    "end": KindLook("stop_circle", "stop-circle-fill", "#475569"),
}
#: For a node whose kind is not in the catalog (an imported file may name anything).
UNKNOWN = KindLook("help", "question-circle-fill", "#6B7280")


def look(kind: str) -> KindLook:
    """The look of ``kind`` (:data:`UNKNOWN` for a kind the catalog does not have)."""
    return LOOKS.get(kind, UNKNOWN)
