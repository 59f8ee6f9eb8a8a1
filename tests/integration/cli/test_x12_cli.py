"""`edi-gateway x12 validate` and `x12 to-json` on the Amazon samples and on bad input."""
import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from edi_maps.validation import validate_interchange
from tests.fixtures import AMAZON_FIXTURES
from tests.support.processes import EDI_GATEWAY, gateway_environment

pytestmark = pytest.mark.slow  # every test runs edi-gateway as a program


PEAK_OF_CHILD = """
import resource, subprocess, sys
with open(sys.argv[1], "w") as output:
    subprocess.run(sys.argv[2:], stdout=output, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


# `edi-gateway ARGS` in this interpreter, then the modules it loaded (to stderr, after the command's own lines).
LOADED_BY = """
import sys
from gateway.cli.main import main
sys.argv = ["edi-gateway", *sys.argv[1:]]
try:
    main()
finally:
    sys.stderr.write("\\nloaded: " + " ".join(sorted(sys.modules)) + "\\n")
"""
# What x12 to-json has no use for: the database, the web app, the task queue, AS2, validation.
NOT_FOR_TO_JSON = ("sqlalchemy", "alembic", "psycopg", "flask", "werkzeug", "celery", "kombu", "pyas2lib",
                   "oscrypto", "pyx12", "structlog", "httpx", "gateway.platform.db", "gateway.platform.config")


def x12(args, tmp_path):
    return subprocess.run([*EDI_GATEWAY, "x12", *args], capture_output=True, text=True,
                          env=gateway_environment(tmp_path), timeout=300)


@pytest.mark.parametrize(("name", "exit_code", "expected"), [
    ("850-single-po.edi", 0, ["AK1*PO*101~", "AK2*850*1011~", "AK5*A~", "AK9*A*1*1*1~"]),
    ("850-three-pos-one-line.edi", 0, ["AK1*PO*102~", "AK2*850*1023~", "AK9*A*3*3*3~"]),
    ("850-invalid-codes.edi", 1, ["AK3*BEG*2**8~", "AK4*2*92*7*ZZ~", "AK4*5*373*8*20261340~", "AK5*R*5~",
                                  "AK9*R*1*1*0~"]),
    ("850-bad-se-count.edi", 1, ["AK2*850*1041~", "AK5*R*4~", "AK9*R*1*1*0~"]),
    ("860-change.edi", 0, ["AK1*PC*105~", "AK5*A~"]),
    ("820-remittance.edi", 0, ["AK1*RA*108~", "AK5*A~"]),
    ("two-groups-850-860.edi", 0, ["AK1*PO*115~", "AK2*850*1151~", "AK1*PC*116~", "AK2*860*1161~"]),
    ("850-bad-ge-count.edi", 1, ["AK1*PO*119~", "AK5*A~", "AK9*R*2*1*1*5~"]),
    ("850-iea-missing.edi", 1, ["TA1*000000118*261120*0930*R*023~"]),
    ("850-bad-isa-width.edi", 1, ["TA1*000000117*261120*0930*R*006~"]),  # unpadded ISA06 and ISA08
])
def test_validate_exits_as_the_samples_readme_says_and_writes_the_997(tmp_path, name, exit_code, expected):
    ack = tmp_path / "ack.edi"
    result = x12(["validate", str(AMAZON_FIXTURES / name), "--ack", str(ack)], tmp_path)
    assert result.returncode == exit_code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    segments = [segment.strip() for segment in ack.read_text().split("~")]
    for segment in expected:
        assert segment.rstrip("~") in segments
    if exit_code:
        assert result.stdout.strip(), "an invalid file names each finding"


def test_a_997_is_valid_and_never_acknowledged(tmp_path):
    ack = tmp_path / "ack.edi"
    result = x12(["validate", str(AMAZON_FIXTURES / "997-accepts-855.edi"), "--ack", str(ack)], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not ack.exists()
    assert "997s are never acknowledged" in result.stderr


def test_a_ta1_never_copies_an_invalid_interchange_date_and_is_valid_x12(tmp_path):
    broken = tmp_path / "broken-isa09.edi"
    broken.write_text((AMAZON_FIXTURES / "850-single-po.edi").read_text().replace("*261120*0930*", "*261340*0930*"))
    ack = tmp_path / "ack.edi"
    before = datetime.now(timezone.utc).strftime("%y%m%d")
    result = x12(["validate", str(broken), "--ack", str(ack)], tmp_path)
    after = datetime.now(timezone.utc).strftime("%y%m%d")
    assert result.returncode == 1 and "TA1 note 014" in result.stdout, result.stdout + result.stderr
    ta1 = next(segment.split("*") for segment in ack.read_text().split("~") if segment.strip().startswith("TA1"))
    assert ta1[1] == "000000101" and ta1[2] in (before, after) and ta1[3:] == ["0930", "R", "014"]
    assert validate_interchange(ack.read_bytes()).is_valid, "our own validator accepts the TA1"


@pytest.mark.parametrize(("content", "reason"), [
    ((AMAZON_FIXTURES / "850-single-po.edi").read_text().replace("*000000101*", "*00000A101*"),
     "TA101: ISA13 '00000A101' is not a 1-9 digit interchange control number"),
    ("hello world\n", "no interchange envelope could be read"),
])
def test_no_acknowledgement_file_when_none_can_be_written(tmp_path, content, reason):
    bad = tmp_path / "bad.edi"
    bad.write_text(content)
    ack = tmp_path / "ack.edi"
    result = x12(["validate", str(bad), "--ack", str(ack)], tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"no acknowledgement written to {ack}: {reason}" in result.stderr
    assert not ack.exists()


def test_validate_names_segment_element_and_code(tmp_path):
    result = x12(["validate", str(AMAZON_FIXTURES / "850-invalid-codes.edi")], tmp_path)
    assert "BEG02" in result.stdout and "(ZZ)" in result.stdout
    assert "AK4 code 7" in result.stdout and "AK4 code 8" in result.stdout and "20261340" in result.stdout


def test_control_numbers_of_the_997_never_repeat(tmp_path):
    first, second = tmp_path / "1.edi", tmp_path / "2.edi"
    for ack in (first, second):
        x12(["validate", str(AMAZON_FIXTURES / "850-single-po.edi"), "--ack", str(ack)], tmp_path)
    assert first.read_text().split("~")[0][-18:] != second.read_text().split("~")[0][-18:]


@pytest.mark.parametrize("content", [b"", b"hello world\n", bytes(range(256)) * 40, b"ISA*00*short~"])
def test_bad_input_is_a_clean_error(tmp_path, content):
    bad = tmp_path / "bad.edi"
    bad.write_bytes(content)
    for command in (["validate", str(bad)], ["to-json", str(bad)]):
        result = x12(command, tmp_path)
        assert result.returncode == 1, (command, result.stderr)
        assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


def test_to_json_gives_purchase_orders_with_their_lines(tmp_path):
    result = x12(["to-json", str(AMAZON_FIXTURES / "850-three-pos-one-line.edi")], tmp_path)
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)
    assert [entry["document"]["po_number"] for entry in entries] == ["3MZQ81RT", "4HB2XW0L", "5PLK33ZD"]
    assert entries[1]["document"]["backorder_allowed"] is True
    assert [line["identifier"]["qualifier"] for line in entries[1]["document"]["lines"]] == ["UP", "VN"]


def test_to_json_streams_a_large_file_in_bounded_memory(tmp_path):
    one_po = (AMAZON_FIXTURES / "850-single-po.edi").read_text().split("\n")
    body = [segment for segment in one_po[2:-3] if segment]
    sets = 100_000
    big = tmp_path / "big.edi"
    with open(big, "w") as handle:
        handle.write(one_po[0] + "\n" + one_po[1] + "\n")
        for number in range(sets):
            handle.write("\n".join(body).replace("1011~", f"{number + 1:04d}~") + "\n")
        handle.write(f"GE*{sets}*101~\nIEA*1*000000101~\n")
    assert big.stat().st_size > 25_000_000
    output = tmp_path / "out.json"
    # A fresh interpreter whose only child is to-json, so its RUSAGE_CHILDREN peak is to-json's
    # alone (this test process may have run browsers and workers before).
    command = [*EDI_GATEWAY, "x12", "to-json", str(big)]
    peak = subprocess.run([sys.executable, "-c", PEAK_OF_CHILD, str(output), *command], stdout=subprocess.PIPE,
                          env=gateway_environment(tmp_path), timeout=300, check=True, text=True)
    peak_kib = int(peak.stdout.strip())
    assert peak_kib < 200_000, f"to-json used {peak_kib} KiB for a {big.stat().st_size} byte file"
    assert json.loads(output.read_text())[-1]["control_number"] == f"{sets:04d}"


def test_to_json_loads_no_database_web_queue_as2_or_validation_module(tmp_path):
    result = subprocess.run([sys.executable, "-c", LOADED_BY, "x12", "to-json",
                             str(AMAZON_FIXTURES / "850-three-pos-one-line.edi")],
                            capture_output=True, text=True, env=gateway_environment(tmp_path), timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 3
    loaded = set(result.stderr.rsplit("loaded: ", 1)[1].split())
    assert "edi_maps.amazon" in loaded, "the wrapper sees the command's imports"
    unwanted = sorted(name for name in loaded if name.split(".")[0] in NOT_FOR_TO_JSON or name in NOT_FOR_TO_JSON)
    assert not unwanted, f"x12 to-json imported {unwanted}"
