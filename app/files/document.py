"""A long document as plain data — what it says, not how it looks: a title, lines of facts,
sections of tables and passages, the signature lines. Built by a report (the personal record,
the annual compilation) and written by a format module (``document_docx``), so every format
shows the same numbers."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    """Rows under a header row; ``widths`` in centimetres, one per column; ``numbered``: the
    first column counts the rows (printed centred)."""

    headers: list[str]
    rows: list[list[str]]
    widths: tuple[float, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Passage:
    """A sub-heading and its paragraphs (a reflection)."""

    heading: str
    paragraphs: list[str]

    @classmethod
    def of_text(cls, heading: str, text: str | None) -> "Passage":
        """A passage of typed text, a paragraph per non-empty line ("—" when there is none)."""
        return cls(heading, [line for line in (text or "").splitlines() if line.strip()] or ["—"])


@dataclass(frozen=True)
class Section:
    """A heading and what follows it: a table, passages, or — when it holds nothing — "None"."""

    heading: str
    table: Table | None = None
    passages: list[Passage] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return (self.table is None or not self.table.rows) and not self.passages


@dataclass(frozen=True)
class Contents:
    """The whole document: ``title`` heads it, ``subject`` names the file's properties; each line
    of ``facts`` holds one or two label–value pairs; ``signatures`` lines of labels to sign at,
    after the ``printed`` note."""

    title: str
    subject: str
    facts: list[list[tuple[str, str]]]
    sections: list[Section]
    printed: str
    signatures: list[list[str]] = field(default_factory=list)
