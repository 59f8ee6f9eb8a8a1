"""Validate X12 against our Amazon pyx12 maps and say, in 997/TA1 terms, what is wrong.

pyx12 does the checking (segment order and counts from the walker, element syntax and
codes from the map, envelope counts from its reader) against the map folder in
``edi_maps/pyx12_maps``. We drive pyx12's pieces with the same loop as its own
``x12n_document`` but collect the findings straight into our dataclasses instead of into
pyx12's ``err_handler`` tree: that tree drops what an AK4 needs for some errors (too many
elements and X12 syntax-rule violations arrive without their element position), and its
997 writer cannot be used anyway (see ``functional_ack``). One pass over the data, as fast
as ``x12n_document`` alone.

Every finding carries the code it becomes in the acknowledgment (TA1 note code, AK905,
AK502, AK304, AK403) and a message naming the segment, its position, the element and what
is wrong, so a person can fix the document.
"""
from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

import pyx12.errors
import pyx12.map_if
import pyx12.map_index
import pyx12.params
import pyx12.segment
import pyx12.x12file
from pyx12.map_walker import walk_tree

from edi_maps.x12.codes import (
    ELEMENT_SYNTAX_ERRORS,
    GROUP_SYNTAX_ERRORS,
    SEGMENT_SYNTAX_ERRORS,
    SET_SYNTAX_ERRORS,
)
from edi_maps.x12.errors import X12SyntaxError
from edi_maps.x12.reader import ISA_LENGTH, isa_width_faults, split_isa

MAP_PATH = Path(__file__).resolve().parent / "pyx12_maps"

# pyx12 logs every finding at ERROR level; we report them ourselves.
logging.getLogger("pyx12").setLevel(logging.CRITICAL)

TA1_NOTES = {
    "001": "ISA13 and IEA02 do not match",
    "005": "invalid sender ID qualifier (ISA05)",
    "006": "invalid sender ID (ISA06)",
    "007": "invalid receiver ID qualifier (ISA07)",
    "008": "invalid receiver ID (ISA08)",
    "010": "invalid authorization information qualifier (ISA01)",
    "011": "invalid authorization information (ISA02)",
    "012": "invalid security information qualifier (ISA03)",
    "013": "invalid security information (ISA04)",
    "014": "invalid interchange date (ISA09)",
    "015": "invalid interchange time (ISA10)",
    "016": "invalid standards identifier (ISA11)",
    "017": "invalid or unsupported version (ISA12)",
    "018": "invalid interchange control number",
    "019": "invalid acknowledgment requested value (ISA14)",
    "020": "invalid test indicator (ISA15)",
    "021": "IEA01 does not match the number of groups",
    "023": "interchange ends early: IEA missing",
    "024": "invalid interchange content",
    "025": "duplicate interchange control number",
    "027": "invalid component element separator (ISA16)",
}
_ISA_ELEMENT_NOTES = {1: "010", 2: "011", 3: "012", 4: "013", 5: "005", 6: "006", 7: "007", 8: "008",
                      9: "014", 10: "015", 11: "016", 12: "017", 13: "018", 14: "019", 15: "020", 16: "027"}
_IEA_ELEMENT_NOTES = {1: "021", 2: "018"}
_GS_ELEMENT_CODES = {1: "1", 6: "6", 8: "2"}
_GE_ELEMENT_CODES = {1: "5", 2: "6"}
_ST_ELEMENT_CODES = {1: "6", 2: "7"}
_SE_ELEMENT_CODES = {1: "4", 2: "7"}


# ---------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Issue:
    """An envelope-level finding: its acknowledgment code and what a person should fix."""

    code: str
    message: str


@dataclass(frozen=True)
class ElementFinding:
    """What we found wrong in an element of a partner's set, written into our 997 as one AK4:
    element ``position`` (AK401, with ``component`` for a composite part),
    reference number (AK402, "" when the element is not in the map), code (AK403) and
    a copy of the bad value (AK404, "" when there is none)."""

    position: int
    component: int | None
    data_element: str
    code: str
    bad_value: str
    message: str


@dataclass(frozen=True)
class SegmentFinding:
    """What we found wrong in a segment of a partner's set, written into our 997 as one AK3:
    segment tag (AK301), position in the set counting ST as 1 (AK302), the X12 loop it sits
    in (AK303, "" in the heading) and the segment code (AK304, "8" when the problem is in
    its elements). ``line`` is the segment's position in the payload."""

    tag: str
    position: int
    loop_id: str
    code: str
    message: str
    line: int
    elements: tuple[ElementFinding, ...] = ()


@dataclass
class SetResult:
    """One transaction set: ST01/ST02 and what its AK2..AK5 will say."""

    set_id: str
    control_number: str
    issues: list[Issue] = field(default_factory=list)
    segment_errors: list[SegmentFinding] = field(default_factory=list)

    @property
    def status(self) -> str:
        """AK501: A accepted, R rejected (pyx12 finds no error worth only an E)."""
        return "R" if self.issues or self.segment_errors else "A"

    @property
    def codes(self) -> tuple[str, ...]:
        """AK502..AK506: the set-level codes, 5 when any segment is in error."""
        codes = {issue.code for issue in self.issues}
        if self.segment_errors:
            codes.add("5")
        return tuple(sorted(codes, key=int))[:5]


@dataclass
class GroupResult:
    """One functional group: what its 997 (AK1, AK9) will say."""

    functional_id: str
    control_number: str
    version: str
    application_sender: str
    application_receiver: str
    sets: list[SetResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    sets_included: int = 0

    @property
    def sets_received(self) -> int:
        return len(self.sets)

    @property
    def sets_accepted(self) -> int:
        return sum(1 for s in self.sets if s.status in ("A", "E"))

    @property
    def status(self) -> str:
        """AK901: R when the group itself is in error or none of its sets was accepted,
        P when only some were, A otherwise (an empty group is accepted)."""
        if self.issues or (self.sets_received and not self.sets_accepted):
            return "R"
        if self.sets_accepted < self.sets_received:
            return "P"
        return "A"

    @property
    def codes(self) -> tuple[str, ...]:
        """AK905..AK909."""
        return tuple(sorted({issue.code for issue in self.issues}, key=int))[:5]


@dataclass
class InterchangeResult:
    """One ISA..IEA: who sent it (to answer them) and any envelope error (TA1)."""

    control_number: str
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: str
    time: str
    version: str
    usage_indicator: str
    groups: list[GroupResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def ta1_note_code(self) -> str | None:
        """The TA105 note code when the envelope is bad, else None."""
        return self.issues[0].code if self.issues else None


@dataclass
class ValidationReport:
    """Everything found in one payload."""

    interchanges: list[InterchangeResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the payload could not be read as X12

    @property
    def is_valid(self) -> bool:
        return (
            not self.errors
            and bool(self.interchanges)
            and all(
                not interchange.issues
                and all(not group.issues and all(s.status == "A" for s in group.sets) for group in interchange.groups)
                for interchange in self.interchanges
            )
        )

    def messages(self) -> list[str]:
        """Every finding as a sentence, in document order."""
        out = list(self.errors)
        for interchange in self.interchanges:
            out += [f"Interchange {interchange.control_number}: {i.message}" for i in interchange.issues]
            for group in interchange.groups:
                where = f"Group {group.functional_id} {group.control_number}"
                out += [f"{where}: {i.message}" for i in group.issues]
                for tset in group.sets:
                    here = f"{where}, set {tset.set_id} {tset.control_number}"
                    out += [f"{here}: {i.message}" for i in tset.issues]
                    for seg in tset.segment_errors:
                        out.append(f"{here}: {seg.message}")
                        out += [f"{here}: {e.message}" for e in seg.elements]
        return out


# ---------------------------------------------------------------------------------------
# Maps (loaded once per process: pyx12 parses the XML on every load)
# ---------------------------------------------------------------------------------------
_PARAMS = pyx12.params.ParamsBase()  # defaults only: no ~/.pyx12.conf.xml


@lru_cache(maxsize=None)
def _load_map(file_name: str) -> Any:
    return pyx12.map_if.load_map_file(file_name, _PARAMS, str(MAP_PATH))


@lru_cache(maxsize=1)
def _map_index() -> pyx12.map_index.map_index:
    return pyx12.map_index.map_index(str(MAP_PATH))


def _control_map(icvn: str) -> Any | None:
    if icvn not in ("00401", "00501"):
        return None
    return _load_map(f"x12.control.{icvn}.xml")


# ---------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------
def validate_interchange(data: str | bytes) -> ValidationReport:
    """Validate a payload of one or more interchanges (bytes are read as UTF-8, a byte
    that is not becomes U+FFFD and is reported as an invalid character)."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    return validate_stream(io.StringIO(data))


def validate_stream(stream: TextIO) -> ValidationReport:
    """Validate X12 read from a text stream, segment by segment, in bounded memory."""
    report = ValidationReport()
    head = stream.read(_ISA_HEAD)
    try:
        reader = pyx12.x12file.X12Reader(_Replayed(head, stream))
    except pyx12.errors.X12Error as exc:
        refused = _refused_at_the_isa(head)
        if refused is None:
            report.errors.append(f"Not an X12 interchange: {exc}")
        else:
            interchange, reason = refused
            report.interchanges.append(interchange)
            report.errors.append(f"Interchange {interchange.control_number} not validated past its ISA: {reason}")
        return report
    _Validation(reader, report).run()
    return report


# Enough of the data for any ISA whose 16 elements can be split, with ISA16 and the terminator.
_ISA_HEAD = 2 * ISA_LENGTH + 2


class _Replayed(io.TextIOBase):
    """``stream`` with ``head``, already read from it to look at the ISA, put back in front."""

    def __init__(self, head: str, stream: TextIO) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            text, self._head = self._head + self._stream.read(), ""
            return text
        text, self._head = self._head[:size], self._head[size:]
        if len(text) < size:
            text += self._stream.read(size - len(text))
        return text


def _refused_at_the_isa(head: str) -> tuple[InterchangeResult, str] | None:
    """The interchange behind an ISA that pyx12 cannot read, with what is wrong; None when
    no ISA can be split at all.

    pyx12 reads the ISA at fixed positions: an ISA whose fields are not padded to their
    widths (or that names a version pyx12 has no map for) stops it before the first
    segment. Split at its element separator (character 4), the ISA still says who sent
    which interchange, which is all a TA1 needs, and the field that is wrong gives the
    TA1 note. Nothing after the ISA is validated.
    """
    try:
        fields, _ = split_isa(head)
    except X12SyntaxError:
        return None
    value = [field.strip() for field in fields]
    interchange = InterchangeResult(
        control_number=value[12], sender_qualifier=value[4], sender_id=value[5], receiver_qualifier=value[6],
        receiver_id=value[7], date=value[8], time=value[9], version=value[11], usage_indicator=value[14],
    )
    faults = isa_width_faults(fields)
    if faults:
        interchange.issues += [_ta1_issue(_ISA_ELEMENT_NOTES[number], fault) for number, fault in faults]
        return interchange, f"the ISA is not fixed-width ({', '.join(f'ISA{number:02d}' for number, _ in faults)})"
    if _control_map(interchange.version) is None:
        reason = f"ISA12 version {interchange.version} is not supported"
        interchange.issues.append(_ta1_issue("017", reason))
        return interchange, reason
    return None  # a fixed-width ISA pyx12 still cannot read: cut short before its terminator


def _text(value: str | None) -> str:
    return (value or "").strip()


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


# The X12 extended character set (004010), which AN elements may hold.
_APPLICATION_ID = re.compile(r"""[A-Za-z0-9!"&'()*+,\-./:;?= %~@\[\]_{}\\|<>#$]{2,15}""")


def _identifiable(group: GroupResult, separators: set[str]) -> bool:
    """Whether a 997 can name the group (AK1), be addressed back (GS02/GS03) and carry
    its version (GS08, may be absent). A value holding a separator was a garbled element."""
    application_ids = (group.application_sender, group.application_receiver)
    return (
        re.fullmatch(r"[A-Z]{2}", group.functional_id) is not None
        and re.fullmatch(r"[0-9]{1,9}", group.control_number) is not None
        and re.fullmatch(r"[0-9A-Z]{0,12}", group.version) is not None
        and all(_APPLICATION_ID.fullmatch(v) and not separators & set(v) for v in application_ids)
    )


def _loop_id(map_node: Any) -> str:
    """AK303: the X12 loop ID (the loop's first segment tag) of the innermost loop."""
    node = map_node if map_node is not None and map_node.is_loop() else getattr(map_node, "parent", None)
    while node is not None and not node.is_map_root():
        if node.is_loop() and node.id not in ("ISA_LOOP", "GS_LOOP", "ST_LOOP"):
            first = node.get_first_seg()
            return first.id if first is not None else ""
        node = node.parent
    return ""


class _Validation:
    """One run over a reader: pyx12's walker and validators, our result tree."""

    def __init__(self, reader: pyx12.x12file.X12Reader, report: ValidationReport) -> None:
        self.reader = reader
        self.report = report
        self.walker = walk_tree()
        self.node: Any = None
        self.control_map: Any = None
        self.group_map: Any = None
        self.interchange: InterchangeResult | None = None
        self.group: GroupResult | None = None
        self.tset: SetResult | None = None

    def run(self) -> None:
        segments = iter(self.reader)
        try:
            while True:
                try:
                    seg = next(segments)
                except StopIteration:
                    break
                except IndexError:
                    # pyx12's reader loses its loop stack when an SE or GE closes
                    # nothing (e.g. the ST was garbled) and then indexes an empty list.
                    raise pyx12.errors.X12Error("a trailer segment closes a loop that was never opened") from None
                self._segment(seg)
            self.reader.cleanup()
            self._reader_errors(None)
        except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
            self._interchange_issue("024", f"Stopped at segment {self.reader.get_cur_line()}: {exc}")
        finally:
            self.reader.close()

    # -- one segment ---------------------------------------------------------------------
    def _segment(self, seg: pyx12.segment.Segment) -> None:
        tag = seg.get_seg_id()
        if self.interchange is None and tag != "ISA":
            # A garbled ISA (wrong length) makes pyx12 split at the wrong terminator.
            raise pyx12.errors.X12Error(f"segment {tag!r} is outside an interchange (no ISA before it)")
        if tag == "ISA":
            self._open_interchange(seg)
        elif tag == "GS":
            self._open_group(seg)
        elif self.group is not None and self.group_map is None and tag not in ("GE", "IEA"):
            self._in_unsupported_group(seg)  # nothing to validate against
            return
        else:
            self._walk(seg)
        self._reader_errors(seg)
        if tag == "SE":
            self.tset = None
        elif tag == "GE":
            if self.group is not None:
                self.group.sets_included = _int(seg.get_value("GE01"))
            self.group, self.group_map, self.tset = None, None, None
        elif tag == "IEA":
            self.interchange, self.group, self.group_map, self.tset = None, None, None, None

    def _open_interchange(self, seg: pyx12.segment.Segment) -> None:
        self.interchange = InterchangeResult(
            control_number=_text(seg.get_value("ISA13")),
            sender_qualifier=_text(seg.get_value("ISA05")),
            sender_id=_text(seg.get_value("ISA06")),
            receiver_qualifier=_text(seg.get_value("ISA07")),
            receiver_id=_text(seg.get_value("ISA08")),
            date=_text(seg.get_value("ISA09")),
            time=_text(seg.get_value("ISA10")),
            version=_text(seg.get_value("ISA12")),
            usage_indicator=_text(seg.get_value("ISA15")),
        )
        self.report.interchanges.append(self.interchange)
        self.group, self.group_map, self.tset = None, None, None
        self.control_map = _control_map(self.interchange.version)
        if self.control_map is None:
            self.control_map = _control_map("00401")
            self._interchange_issue("017", f"ISA12 version {self.interchange.version} is not supported")
        self.node = self.control_map.getnodebypath("/ISA_LOOP/ISA")
        self.walker.forceWalkCounterToLoopStart("/ISA_LOOP", "/ISA_LOOP/ISA")
        self._check_elements(self.node, seg)
        # pyx12 takes 15 spaces for a present ISA06/ISA08; an interchange from or to no one
        # cannot be answered with a 997.
        for element, value in ((6, self.interchange.sender_id), (8, self.interchange.receiver_id)):
            if not value:
                self._interchange_issue(_ISA_ELEMENT_NOTES[element], f"ISA{element:02d} is blank")

    def _open_group(self, seg: pyx12.segment.Segment) -> None:
        self.group = GroupResult(
            functional_id=_text(seg.get_value("GS01")),
            control_number=_text(seg.get_value("GS06")),
            version=_text(seg.get_value("GS08")),
            application_sender=_text(seg.get_value("GS02")),
            application_receiver=_text(seg.get_value("GS03")),
        )
        self.tset = None
        assert self.interchange is not None  # _segment refuses anything before an ISA
        if not _identifiable(self.group, {self.reader.subele_term or "", self.reader.repetition_term or ""} - {""}):
            # Without a readable GS01/GS06 (AK1), GS02/GS03 (our reply's GS03/GS02) and
            # GS08 no 997 can answer this group: the interchange is rejected with a TA1.
            self._interchange_issue(
                "024", f"GS at segment {self.reader.get_cur_line()} cannot be acknowledged: GS01 "
                       f"{self.group.functional_id!r}, GS02 {self.group.application_sender!r}, GS03 "
                       f"{self.group.application_receiver!r}, GS06 {self.group.control_number!r}, GS08 {self.group.version!r}"
            )
        self.interchange.groups.append(self.group)
        self.node = self.control_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")
        self.walker.forceWalkCounterToLoopStart("/ISA_LOOP/GS_LOOP", "/ISA_LOOP/GS_LOOP/GS")
        map_file = _map_index().get_filename(self.interchange.version, self.group.version, self.group.functional_id)
        if map_file is None:
            self.group_map = None
            known = any(m["fic"] == self.group.functional_id for m in _map_index().maps)
            if known:
                self._group_issue("2", f"GS08 version {self.group.version} is not supported for GS01 "
                                       f"{self.group.functional_id} under ISA12 {self.interchange.version}")
            else:
                self._group_issue("1", f"GS01 functional group {self.group.functional_id} is not supported")
            return
        self.group_map = _load_map(map_file)
        self.node = self.group_map.getnodebypath("/ISA_LOOP/GS_LOOP/GS")
        self._check_elements(self.node, seg)

    def _in_unsupported_group(self, seg: pyx12.segment.Segment) -> None:
        """Sets in a group we have no map for are received and rejected as unsupported."""
        if seg.get_seg_id() == "ST":
            self._open_set(seg)
            self._set_issue("1", f"transaction set {_text(seg.get_value('ST01'))} is not supported "
                                 f"in group {self.group.functional_id if self.group else ''}")
        self._reader_errors(seg)
        if seg.get_seg_id() == "SE":
            self.tset = None

    def _open_set(self, seg: pyx12.segment.Segment) -> None:
        self.tset = SetResult(set_id=_text(seg.get_value("ST01")), control_number=_text(seg.get_value("ST02")))
        if self.group is not None:
            self.group.sets.append(self.tset)

    def _walk(self, seg: pyx12.segment.Segment) -> None:
        tag = seg.get_seg_id()
        if tag == "ST":
            self._open_set(seg)
        start = self.node
        node, _, _, walk_errors = self.walker.walk_errors(
            start, seg, self.reader.get_seg_count(), self.reader.get_cur_line(), self.reader.get_ls_id()
        )
        for error in walk_errors:
            self._walk_error(error, seg)
        if node is None:
            return  # not found: reported by the walker, nothing to check its elements against
        self.node = node
        self._check_elements(node, seg)
        if tag == "ST" and self.group is not None and self.tset is not None and self.tset.set_id != self.group_map.id:
            self._set_issue("6", f"ST01 {self.tset.set_id} does not belong in a {self.group.functional_id} group "
                                 f"(expected {self.group_map.id})")

    # -- findings --------------------------------------------------------------------------
    def _walk_error(self, error: Any, seg: pyx12.segment.Segment) -> None:
        """A segment-level finding of the walker: not found (1), not used (2), missing
        (3), loop over max (4), over max use (5)."""
        seg_data = error.seg_data if error.seg_data is not None else seg
        tag = seg_data.get_seg_id() or ""
        if tag == "SE" and error.err_cde == "3":
            self._set_issue("2", "the transaction set has no SE trailer")
            return
        position = error.seg_count if error.seg_count is not None else self.reader.get_seg_count()
        loop = _loop_id(error.map_node)
        message = (f"{tag} at position {position} (segment {error.src_line} of the payload): "
                   f"{error.err_str} [AK3 code {error.err_cde}: {SEGMENT_SYNTAX_ERRORS[error.err_cde]}]")
        self._segment_error(SegmentFinding(tag, position, loop, error.err_cde, message, error.src_line or 0))

    def _check_elements(self, node: Any, seg: pyx12.segment.Segment) -> None:
        """Element syntax, lengths, codes and syntax rules of one segment."""
        try:
            _, errors = node.is_valid_errors(seg)
        except IndexError:
            # pyx12 indexes past the composite's children when there are too many
            # components; find the composite ourselves.
            errors = [_too_many_components(node, seg)]
        if not errors:
            return
        tag = seg.get_seg_id()
        elements = tuple(_element_error(node, seg, error) for error in errors)
        if tag in ("ISA", "IEA", "GS", "GE", "ST", "SE"):
            # An envelope element error is reported with the envelope's own code.
            elements = tuple(replace(e, message=e.message.split(" [AK4")[0]) for e in elements)
        if tag in ("ISA", "IEA"):
            notes = _ISA_ELEMENT_NOTES if tag == "ISA" else _IEA_ELEMENT_NOTES
            for e in elements:
                self._interchange_issue(notes.get(e.position, "024"), e.message)
        elif tag in ("GS", "GE"):
            codes = _GS_ELEMENT_CODES if tag == "GS" else _GE_ELEMENT_CODES
            for e in elements:
                self._group_issue(codes.get(e.position, "1"), e.message)
        elif tag in ("ST", "SE"):
            codes = _ST_ELEMENT_CODES if tag == "ST" else _SE_ELEMENT_CODES
            for e in elements:
                self._set_issue(codes[e.position] if e.position in codes else "5", e.message)
        else:
            position = self.reader.get_seg_count()
            message = (f"{tag} at position {position} (segment {self.reader.get_cur_line()} of the payload) "
                       f"has data element errors [AK3 code 8]")
            self._segment_error(
                SegmentFinding(tag, position, _loop_id(node), "8", message, self.reader.get_cur_line(), elements)
            )

    def _reader_errors(self, seg: pyx12.segment.Segment | None) -> None:
        """Envelope findings of pyx12's reader: counts, control numbers, HL numbering."""
        for level, code, message, _value, _line in self.reader.pop_errors():
            if level == "isa":
                self._interchange_issue(code, message)
            elif level == "gs" and code == "3" and seg is not None and seg.get_seg_id() == "GE" and self.tset:
                # pyx12 reads a GE inside an open set as a missing GE; it is the SE that is missing.
                if "2" not in {issue.code for issue in self.tset.issues}:
                    self._set_issue("2", "the transaction set has no SE trailer")
            elif level == "gs":
                self._group_issue(code, message)
            elif level == "st":
                self._set_issue(code, message)
            elif seg is not None:
                self._reader_segment_error(seg, code, message)

    def _reader_segment_error(self, seg: pyx12.segment.Segment, code: str, message: str) -> None:
        tag = seg.get_seg_id() or ""
        position = self.reader.get_seg_count()
        line = self.reader.get_cur_line()
        elements: tuple[ElementFinding, ...] = ()
        if code in ("HL1", "HL2"):
            # HL01 out of sequence, or HL02 naming no earlier level: a bad value there.
            ele_pos, ref = (1, "628") if code == "HL1" else (2, "734")
            bad = _text(seg.get_value(f"HL{ele_pos:02d}"))
            elements = (ElementFinding(ele_pos, None, ref, "7", bad, f"HL{ele_pos:02d} ({bad}): {message} [AK4 code 7]"),)
            code = "8"
        elif code not in SEGMENT_SYNTAX_ERRORS:
            code = "8"  # SEG1: trailing element separators
        text = f"{tag} at position {position} (segment {line} of the payload): {message} [AK3 code {code}]"
        self._segment_error(SegmentFinding(tag, position, _loop_id(self.node), code, text, line, elements))

    def _segment_error(self, error: SegmentFinding) -> None:
        if self.tset is not None:
            self.tset.segment_errors.append(error)
        else:
            self._interchange_issue("024", f"{error.message} (outside a transaction set)")

    def _interchange_issue(self, code: str, message: str) -> None:
        issue = _ta1_issue(code, message)
        if self.interchange is None:
            self.report.errors.append(issue.message)
        else:
            self.interchange.issues.append(issue)

    def _group_issue(self, code: str, message: str) -> None:
        if self.group is None:
            self._interchange_issue("024", message)
        else:
            self.group.issues.append(Issue(code, f"{message} [AK9 code {code}: {GROUP_SYNTAX_ERRORS.get(code, '')}]"))

    def _set_issue(self, code: str, message: str) -> None:
        if self.tset is None:
            self._group_issue("1", message)
        else:
            self.tset.issues.append(Issue(code, f"{message} [AK5 code {code}: {SET_SYNTAX_ERRORS.get(code, '')}]"))


def _ta1_issue(code: str, message: str) -> Issue:
    return Issue(code, f"{message} [TA1 note {code}: {TA1_NOTES.get(code, '')}]")


_TRAILING_DIGITS = re.compile(r"(\d+)$")


def _element_error(seg_node: Any, seg: pyx12.segment.Segment, error: Any) -> ElementFinding:
    """Turn one pyx12 element finding into an AK4."""
    tag = seg.get_seg_id()
    if error.map_node is not None:
        leaf = error.map_node
        if leaf.parent.is_composite():
            position, component = leaf.parent.seq, leaf.seq
        else:
            position, component = leaf.seq, None
        data_element = leaf.data_ele or ""
    else:
        # Segment- or composite-level finding: pyx12 gives only a reference designator
        # ("BEG13", "13", "POC05") or, for a syntax rule, the first position it names.
        refdes = str(error.refdes or "").split("-")[0]
        match = _TRAILING_DIGITS.search(refdes)
        position, component = (int(match.group(1)) if match else 0), None
        child = seg_node.get_child_node_by_ordinal(position) if 0 < position <= len(seg_node.children) else None
        data_element = child.data_ele if child is not None and not child.is_composite() else ""
    where = f"{tag}{position:02d}" + (f"-{component}" if component else "")
    bad_value = error.err_val or ""
    message = (f"{where}: {error.err_str} [AK4 code {error.err_cde}: {ELEMENT_SYNTAX_ERRORS.get(error.err_cde, '')}]")
    return ElementFinding(position, component, data_element, error.err_cde, bad_value, message)


@dataclass(frozen=True)
class _TooManyComponents:
    """Stands in for the pyx12 finding it cannot produce (see _check_elements)."""

    refdes: str
    err_cde: str = "3"
    err_val: str = ""
    map_node: Any = None

    @property
    def err_str(self) -> str:
        return f"too many components in composite {self.refdes}"


def _too_many_components(seg_node: Any, seg: pyx12.segment.Segment) -> _TooManyComponents:
    for index, child in enumerate(seg_node.children, start=1):
        if child.is_composite() and seg.ele_len(f"{index:02d}") > len(child.children):
            return _TooManyComponents(f"{seg.get_seg_id()}{index:02d}")
    return _TooManyComponents(str(seg.get_seg_id()))
