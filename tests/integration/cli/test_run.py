"""`edi-gateway run` on the embedded default: web, worker and beat up, and down on Ctrl-C."""
import json
import signal
import socket

import httpx
import pytest

from tests.support.processes import gateway_environment, start, wait_for

pytestmark = pytest.mark.slow  # edi-gateway run: web, worker and beat processes


def test_run_serves_health_processes_a_task_and_stops_on_ctrl_c(tmp_path, free_port):
    data_dir = tmp_path / "data"
    with socket.socket() as probe:  # the sandbox IMS that run starts needs a port of its own
        probe.bind(("127.0.0.1", 0))
        ims_port = probe.getsockname()[1]
    environ = gateway_environment(tmp_path, log_format="json", sandbox_ims_port=str(ims_port))
    process = start(["run", "--data-dir", str(data_dir), "--port", str(free_port)], environ, tmp_path / "run.log")
    base = f"http://127.0.0.1:{free_port}"
    try:
        wait_for(lambda: httpx.get(f"{base}/healthz").json()["status"] == "ok", 60, "/healthz")
        ready = wait_for(lambda: httpx.get(f"{base}/readyz"), 30, "/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": {"ok": True}, "broker": {"ok": True}, "disk": {"ok": True}}

        queued = httpx.post(f"{base}/diagnostics/heartbeat", headers={"X-Request-ID": "run-test-1"})
        assert queued.status_code == 202
        result = wait_for(lambda: httpx.get(f"{base}/diagnostics/heartbeat/run-test-1").json()["ran"], 60,
                          "the worker to run the heartbeat queued by the web process")
        assert result is True

        started = next(json.loads(line) for line in (tmp_path / "run.log").read_text().splitlines()
                       if line.startswith("{") and json.loads(line).get("event") == "started")
        assert {role: niceness(pid) for role, pid in started["processes"].items()} == {
            "sandbox-ims": 0, "serve": 0, "worker": 10, "beat": 0}, "receiving comes before processing"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=40)
    assert process.returncode == 0
    assert (data_dir / "gateway.sqlite3").exists()

    records = [json.loads(line) for line in (tmp_path / "run.log").read_text().splitlines() if line.startswith("{")]
    web = [r for r in records if r.get("event") == "request" and r.get("path") == "/diagnostics/heartbeat"]
    task = [r for r in records if "succeeded" in r.get("event", "") and r.get("request_id") == "run-test-1"]
    assert web and web[0]["request_id"] == "run-test-1"
    assert task, "the worker's log line for the task carries the web request's id"


def niceness(pid: int) -> int:
    """The nice value of a running process (field 19 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[16])
