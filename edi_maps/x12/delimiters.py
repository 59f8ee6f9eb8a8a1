"""The four X12 delimiters of one interchange, shared by the reader and the writer."""
from __future__ import annotations

from dataclasses import dataclass

# For versions before 00402, ISA11 is the Interchange Control Standards Identifier
# ('U', US EDI Community of ASC X12) and there is no repetition separator.
NO_REPETITION = "U"


@dataclass(frozen=True)
class Delimiters:
    """Delimiters as an interchange's ISA declares them.

    Partners choose their own, so they are read from each ISA and written back in the
    partner's choice, never assumed. ``repetition`` is ``'U'`` for 00401, where ISA11 is
    the standards identifier rather than a separator. ``suffix`` is written after each
    segment terminator (``"\\n"`` gives one segment per line); readers skip it.
    """

    element: str = "*"
    component: str = ">"
    segment: str = "~"
    repetition: str = NO_REPETITION
    suffix: str = ""

    def in_use(self) -> dict[str, str]:
        """The separators that may not appear inside a value, by name.

        The repetition separator counts only when there is one (version 00402 and
        later); the ``'U'`` standards identifier is an ordinary letter in data.
        """
        separators = {
            "element separator": self.element,
            "component separator": self.component,
            "segment terminator": self.segment,
        }
        if self.repetition != NO_REPETITION:
            separators["repetition separator"] = self.repetition
        return separators
