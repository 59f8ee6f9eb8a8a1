"""``edi-gateway x12 validate`` and ``x12 to-json``: the X12 engine from the command line.

``validate`` exits 0 when the file is valid and 1 when it is not, printing each finding
with the code it becomes in the 997 (or TA1), so a person can fix the document; with
``--ack`` it writes the 997s or TA1s answering it, or says why there are none (no file).
``to-json`` prints the canonical JSON of every transaction set, streaming: a file of
any size is read in bounded memory.

Only what ``to-json`` needs is imported here (the reader, the maps, orjson): validation
(pyx12) and the database are imported by the commands that use them.
"""
from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import click

from edi_maps.amazon import TranslationError, transaction_set_json
from edi_maps.canonical_json import to_json_bytes
from edi_maps.x12.errors import X12Error, X12WriteError
from edi_maps.x12.delimiters import Delimiters
from edi_maps.x12.reader import X12Reader, transaction_sets

if TYPE_CHECKING:
    from edi_maps.validation import ValidationReport


@click.group()
def x12() -> None:
    """Validate X12 files and translate them to canonical JSON."""


@x12.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--ack", "ack_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the 997s (or TA1) answering FILE here, with our control numbers.")
def validate(file: Path, ack_file: Path | None) -> None:
    """Validate FILE against our Amazon maps."""
    from edi_maps.validation import validate_stream

    with open(file, encoding="latin-1", newline="") as handle:
        report = validate_stream(handle)
    for line in report.messages():  # each names the place, the fault and its 997/TA1 code
        click.echo(line)
    if ack_file is not None:
        write_acknowledgement(report, file, ack_file)
    click.echo("valid" if report.is_valid else "invalid", err=True)
    sys.exit(0 if report.is_valid else 1)


def write_acknowledgement(report: ValidationReport, file: Path, ack_file: Path) -> None:
    """Write what answers FILE to ACK_FILE, or say on stderr why nothing does: never an empty file.

    An interchange whose ISA is not fixed-width is still answered with a TA1 when its ISA
    names the sender and ISA13; nothing is written when no interchange can be read at all,
    or when a TA1 cannot be addressed (the line names the field).
    """
    if not report.interchanges:
        click.echo(f"no acknowledgement written to {ack_file}: no interchange envelope could be read", err=True)
        return
    try:
        answer = acknowledgement(report, file)
    except X12WriteError as error:
        click.echo(f"no acknowledgement written to {ack_file}: {error}", err=True)
        return
    if not answer:
        click.echo(f"no acknowledgement written to {ack_file}: 997s are never acknowledged", err=True)
        return
    ack_file.write_text(answer)
    click.echo(f"acknowledgement written to {ack_file}", err=True)


def acknowledgement(report: ValidationReport, file: Path) -> str:
    """The 997s/TA1s for every interchange in the file, numbered from the database sequences;
    ``X12WriteError`` when one cannot be written (nothing is then allocated)."""
    from gateway.platform import db
    from gateway.cli.main import settings
    from gateway.exchange.envelopes import build_functional_acks, build_ta1_interchange

    current = settings()
    current.data_dir.mkdir(parents=True, exist_ok=True)
    db.upgrade(current)
    delimiters = interchange_delimiters(file)
    parts = []
    with db.session_scope(current) as session:
        for interchange in report.interchanges:
            key = interchange.sender_id
            ours = delimiters.get(interchange.control_number, Delimiters())
            ta1 = build_ta1_interchange(session, key, interchange, ours)
            if ta1 is not None:
                parts.append(ta1)
            elif (acks := build_functional_acks(session, key, interchange, ours)) is not None:
                parts.append(acks.text)
    return "".join(parts)


def interchange_delimiters(file: Path) -> dict[str, Delimiters]:
    """Each interchange's delimiters by ISA13: the answer is written in the sender's."""
    found: dict[str, Delimiters] = {}
    with open(file, "rb") as handle:
        try:
            for segment, location in X12Reader(handle).located():
                if segment.tag == "ISA":
                    found[location.interchange.control_number] = location.interchange.delimiters
        except X12Error:
            pass  # what could be read is enough: the validation report has the error
    return found


@x12.command("to-json")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def to_json(file: Path) -> None:
    """Print the canonical JSON of every transaction set in FILE, as a JSON array.

    A set that does not translate appears with an ``error`` instead of a ``document``;
    the exit code is then 1.
    """
    with open(file, "rb") as handle:
        reader = X12Reader(handle)
        # Each set's segments and document are freed by reference counting when the next
        # set replaces them; the cycle collector would only walk the live ones again and
        # again (a third of the time on a 200,000-line order).
        gc.disable()
        try:
            printed, failures = _write_json(reader, sys.stdout.buffer)
        except X12Error as error:
            raise click.ClickException(str(error)) from None
        finally:
            gc.enable()
    if not printed:
        click.echo("[]")
    for envelope_error in reader.errors:
        click.echo(f"envelope: {envelope_error.message}", err=True)
    sys.exit(1 if failures or reader.errors else 0)


def _write_json(reader: X12Reader, out: BinaryIO) -> tuple[int, int]:
    """Write each set's entry as it is read, as the elements of a JSON array (nothing when
    there is none); return how many were written and how many of them are errors."""
    failures = 0
    printed = 0
    try:
        for entry in _set_entries(reader):
            failures += "error" in entry
            out.write(b",\n" if printed else b"[\n")
            out.write(to_json_bytes(entry, indent=True))
            printed += 1
    finally:
        out.write(b"\n]\n" if printed else b"")
        out.flush()
    return printed, failures


def _set_entries(reader: X12Reader) -> Iterator[dict[str, object]]:
    """Each transaction set as ``{interchange, group, set, control_number, document | error}``,
    the document as ``transaction_set_json`` gives it (``to_json_bytes`` writes either form)."""
    for segments, location in transaction_sets(reader):
        entry: dict[str, object] = {"interchange": location.interchange.control_number,
                                    "group": location.group.control_number if location.group else None,
                                    "set": segments[0][1], "control_number": segments[0][2]}
        try:
            entry["document"] = transaction_set_json(segments, location.interchange.delimiters.component)
        except TranslationError as error:
            entry["error"] = str(error)
        yield entry

ERRORS = ()
