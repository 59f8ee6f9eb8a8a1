"""One X12 segment as the reader yields it and the translators consume it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Segment:
    """A segment split into elements.

    ``elements[0]`` is the segment tag, so ``segment[1]`` is the XX01 element as the
    implementation guides number it. A missing trailing element reads as ``""``.
    ``number`` is the segment's 1-based position within its interchange (ISA = 1), the
    position a person is told about in an error.
    """

    elements: tuple[str, ...]
    number: int = 0

    @property
    def tag(self) -> str:
        return self.elements[0]

    def __getitem__(self, index: int) -> str:
        if index < len(self.elements):
            return self.elements[index]
        return ""

    def __len__(self) -> int:
        return len(self.elements)

    def components(self, index: int, separator: str) -> list[str]:
        """Element ``index`` split on the component separator (ISA16)."""
        return self[index].split(separator)
