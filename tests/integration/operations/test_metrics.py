"""``GET /metrics``: no session needed, counts only (never a PO number or a Message-ID),
and the task latency the workers record."""
import os
import re
import socket
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from gateway.operations.metrics import remove_ended_workers_files
from gateway.platform.queue import enqueue
from gateway.web import create_app
from tests.support.operations_pages import (  # noqa: F401  (site is a fixture)
    AMAZON_MESSAGE_ID,
    INTERCHANGE,
    PO_NUMBER,
    failed_send,
    inbound_850,
    sent_group,
    site,
)
from tests.support.processes import wait_for


def sample(text, name, **labels):
    """The value of one sample, or None."""
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if match and dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or "")) == labels:
            return float(match.group(2))
    return None


def test_metrics_count_messages_exceptions_and_overdue_997s_without_a_session(site):
    inbound_850(site.settings)
    message_id, _ = failed_send(site.settings)
    sent_group(site.settings, "3MZQ81RT", due_in=-timedelta(minutes=5))
    sent_group(site.settings, "9WAITING", due_in=timedelta(hours=2))
    answer = httpx.get(f"{site.url}/metrics", follow_redirects=False)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/plain")
    text = answer.text
    assert sample(text, "edi_gateway_database_up") == 1
    assert sample(text, "edi_gateway_messages", direction="inbound", document_type="850", status="processed") == 1
    assert sample(text, "edi_gateway_messages", direction="outbound", document_type="855", status="failed") == 1
    assert sample(text, "edi_gateway_messages", direction="outbound", document_type="855", status="delivered") == 2
    assert sample(text, "edi_gateway_open_exceptions", kind="as2_send_failed", severity="critical", status="open") == 1
    assert sample(text, "edi_gateway_functional_acks_overdue") == 1


def test_metrics_never_show_partner_document_identifiers(site):
    inbound_850(site.settings)
    failed_send(site.settings)
    sent_group(site.settings, "3MZQ81RT", due_in=-timedelta(minutes=5))
    text = httpx.get(f"{site.url}/metrics").text
    for identifier in (PO_NUMBER, "3MZQ81RT", AMAZON_MESSAGE_ID, AMAZON_MESSAGE_ID.strip("<>"), INTERCHANGE,
                       "855-failed@gateway.example", "ISA*", "AMAZON", "ACMEBRANDS"):
        assert identifier not in text
    for line in text.splitlines():
        if not line.startswith("#"):
            float(line.rsplit(" ", 1)[1])  # every sample is a number


@pytest.mark.slow
def test_task_latency_comes_from_the_workers(stack):
    stack.start_worker()
    enqueue(stack.settings, "workers.tasks.heartbeat", source="test")

    def heartbeats():
        text = httpx.get(f"{stack.url}/metrics").text
        return sample(text, "edi_gateway_task_duration_seconds_count", task="workers.tasks.heartbeat",
                      state="SUCCESS")

    assert wait_for(heartbeats, 60, "the worker's task timing in /metrics") >= 1
    text = httpx.get(f"{stack.url}/metrics").text
    assert sample(text, "edi_gateway_task_duration_seconds_bucket", task="workers.tasks.heartbeat",
                  state="SUCCESS", le="+Inf") >= 1


@pytest.mark.slow
def test_a_worker_removes_the_metrics_folders_of_this_hosts_ended_workers_only(tmp_path):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                           check=True).stdout.strip()
    host = socket.gethostname()
    for name in (f"{host}-{ended}", f"{host}-{os.getpid()}", f"another-host-{ended}"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "histogram_1.db").write_bytes(b"")
    assert remove_ended_workers_files(tmp_path) == [f"{host}-{ended}"]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([f"{host}-{os.getpid()}",
                                                                       f"another-host-{ended}"])


def test_with_a_metrics_token_only_its_bearer_gets_the_metrics(settings):
    client = create_app(replace(settings, metrics_token="scrape-me")).test_client()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic scrape-me"},
                    {"Authorization": "Bearer scrape-me-too"}):
        answer = client.get("/metrics", headers=headers)
        assert answer.status_code == 401, headers
        assert answer.headers["WWW-Authenticate"].startswith("Bearer") and b"edi_gateway" not in answer.data
    answer = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert answer.status_code == 200 and sample(answer.text, "edi_gateway_database_up") == 1
