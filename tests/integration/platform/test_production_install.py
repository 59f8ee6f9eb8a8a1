"""The production install: `pip install` of the project, without the test extras, into a
brand-new virtual environment, running on PostgreSQL + Redis.

Every other test runs from the development venv, where the test extras (pytest and what it
pulls in, e.g. ``packaging``) can hide a run-time dependency nobody declared: kombu's Redis
transport imports ``packaging``, and without it the worker of a plain ``pip install .`` fails
to reach Redis. Here every gateway process is the new venv's ``edi-gateway`` program.

pip builds from a copy of what the build reads, as the Dockerfile copies it (pyproject.toml,
the readme, the packages): a build in the checkout itself writes ``build/`` into it, and
setuptools packs whatever stale modules are left there into the wheel (a module deleted or
moved since the last build would still ship, and the install would look healthy).
"""
from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tomllib
import uuid
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from edi_maps.validation import validate_interchange
from edi_maps.x12.reader import X12Reader
from gateway.models import AuditEvent
from gateway.platform import db
from gateway.platform.logging import bind_request_id
from gateway.platform.queue import enqueue
from gateway.transport.as2.protocol import MdnStatus
from tests.support.amazon import AmazonSimulator
from tests.conftest import make_settings
from tests.fixtures import AMAZON_FIXTURES, REPOSITORY
from tests.support.processes import gateway_environment, kill, start, wait_for
from tests.support.servers import serve_in_thread

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

# One PO, three lines (EAN, UPC in cases of 12, ASIN), all in the demo catalogue and the demo
# stock that a new installation and the sandbox IMS start with.
ORDER_850 = (AMAZON_FIXTURES / "850-single-po.edi").read_bytes()


@dataclass(frozen=True)
class ProductionVenv:
    root: Path
    edi_gateway: Path
    sandbox_stock: Path  # the demo stock as installed with the package

    def environment(self, data_dir: Path, **overrides: str) -> dict[str, str]:
        """The gateway's variables, with nothing of the test venv's Python setup leaking in."""
        environ = gateway_environment(data_dir, **overrides)
        for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"):
            environ.pop(name, None)
        environ["PATH"] = f"{self.root / 'bin'}{os.pathsep}{environ.get('PATH', '')}"
        return environ

    def run(self, args: list[str], environ: dict[str, str], cwd: Path) -> str:
        """One `edi-gateway` command to its end; its standard output."""
        done = subprocess.run([str(self.edi_gateway), *args], env=environ, cwd=cwd, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, f"edi-gateway {' '.join(args)}: exit {done.returncode}\n{done.stderr}"
        return done.stdout


def build_inputs() -> list[str]:
    """What `pip install .` reads: pyproject.toml, the readme, the top-level packages it finds."""
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = sorted(path.name for path in REPOSITORY.iterdir()
                      if (path / "__init__.py").is_file() and any(fnmatch(path.name, pattern) for pattern in patterns))
    return ["pyproject.toml", project["project"]["readme"], *packages]


@pytest.fixture(scope="session")
def production_venv(tmp_path_factory, postgres_server_url, redis_server_url) -> ProductionVenv:
    """A new venv with the project installed as production installs it: `pip install .`, no extras.

    It asks for the servers first, so that a missing one fails the tests before minutes of install.
    """
    base = tmp_path_factory.mktemp("production-install")
    source = base / "source"
    for name in build_inputs():
        if (REPOSITORY / name).is_dir():
            shutil.copytree(REPOSITORY / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(REPOSITORY / name, source / name)
    root = base / "venv"
    environ = {key: value for key, value in os.environ.items()
               if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_NO_CACHE_DIR")}
    # sys.executable is the test venv's interpreter; `-m venv` bases the new one on the
    # interpreter below it, and without --system-site-packages it sees nothing of either.
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, cwd=base, env=environ, timeout=300)
    python = root / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", str(source)],
                             cwd=base, env=environ, capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, f"pip install . failed:\n{install.stdout[-4000:]}\n{install.stderr[-4000:]}"
    check = subprocess.run([str(python), "-m", "pip", "check"], cwd=base, env=environ, capture_output=True, text=True)
    assert check.returncode == 0, f"pip check: {check.stdout}{check.stderr}"
    probe = subprocess.run([str(python), "-c", PROBE], cwd=base, env=environ, capture_output=True, text=True,
                           check=True)
    found = json.loads(probe.stdout)
    assert Path(found["gateway"]).is_relative_to(found["site_packages"]), "the gateway must come from the new venv"
    assert found["test_extras"] == [], f"the test extras must not be installed: {found['test_extras']}"
    return ProductionVenv(root, root / "bin" / "edi-gateway", Path(found["sandbox_stock"]))


# Where the installed package is, which test extras leaked in (none may), the demo stock.
PROBE = """
import importlib.util, json, sysconfig
import gateway
from gateway.platform.config import SANDBOX_STOCK
extras = ["pytest", "hypothesis", "aiosmtpd", "playwright", "schemathesis", "xdist", "mypy", "importlinter", "deptry"]
print(json.dumps({"gateway": gateway.__file__, "site_packages": sysconfig.get_paths()["purelib"],
                  "test_extras": [name for name in extras if importlib.util.find_spec(name)],
                  "sandbox_stock": str(SANDBOX_STOCK)}))
"""


def another_free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive_or_log(process: subprocess.Popen, log: Path) -> None:
    assert process.poll() is None, f"exited with {process.returncode}:\n{log.read_text()[-6000:]}"


def test_the_installed_worker_runs_a_task_on_postgresql_and_redis(redis_url, postgres_url, production_venv,
                                                                   tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing the processes import may come from the checkout
    overrides = {"database_url": postgres_url, "broker_url": redis_url, "queue": f"test-{uuid.uuid4().hex[:12]}"}
    environ = production_venv.environment(tmp_path / "data", **overrides)
    production_venv.run(["init"], environ, tmp_path)  # the schema, from the installed migrations
    log = tmp_path / "worker.log"
    worker = start(["worker", "--concurrency=1"], environ, log, program=[str(production_venv.edi_gateway)])
    settings = make_settings(tmp_path / "data", **overrides)
    try:
        bind_request_id("production-install-heartbeat")
        enqueue(settings, "workers.tasks.heartbeat", source="production-install")

        def heartbeat():
            if worker.poll() is not None:
                return True
            with db.session_scope(settings) as session:
                return session.scalars(select(AuditEvent).where(
                    AuditEvent.request_id == "production-install-heartbeat")).first()

        event = wait_showing_logs(heartbeat, 90, "the installed worker to run the heartbeat", [(worker, log)])
        alive_or_log(worker, log)
        assert event.action == "worker.heartbeat" and event.detail["source"] == "production-install"
    finally:
        kill(worker)
        db.engine(settings).dispose()


def test_the_installed_gateway_answers_an_850_over_as2_with_an_855(redis_url, postgres_url, production_venv,
                                                                    tmp_path, monkeypatch, free_port):
    monkeypatch.chdir(tmp_path)
    port, ims_port = free_port, another_free_port()
    ims_token = secrets.token_urlsafe(24)
    overrides = {
        "database_url": postgres_url, "broker_url": redis_url, "queue": f"test-{uuid.uuid4().hex[:12]}",
        "port": str(port), "public_url": f"http://127.0.0.1:{port}", "key_passphrase": "production-install-test",
        "secret_key": secrets.token_hex(16), "retry_base_seconds": "0.5", "web_workers": "1", "web_threads": "4",
        "ims_url": f"http://127.0.0.1:{ims_port}", "ims_token": ims_token,
    }
    environ = production_venv.environment(tmp_path / "data", **overrides)
    gateway = production_venv.run
    # The operator's set-up, with the installed program: schema, development organisation and
    # key, demo catalogue; then Amazon as a partner with its certificate.
    gateway(["init"], environ, tmp_path)
    our_certificate = gateway(["certs", "export-org"], environ, tmp_path).encode()
    amazon = AmazonSimulator(gateway_certificate=our_certificate)
    (tmp_path / "amazon.pem").write_bytes(amazon.certificate)
    processes: list[tuple[subprocess.Popen, Path]] = []
    program = [str(production_venv.edi_gateway)]
    with serve_in_thread(amazon.app()) as amazon_url:
        gateway(["partners", "add", "--as2-id", "AMAZON", "--name", "Amazon", "--x12-id", "AMAZON",
                 "--cert", str(tmp_path / "amazon.pem"), "--url", f"{amazon_url}/as2", "--canonicalize-as-binary"],
                environ, tmp_path)
        callback_token = gateway(["tokens", "create", "--role", "ims", "--label", "sandbox IMS"],
                                 environ, tmp_path).strip()
        ims_environ = {**environ, "EDI_GATEWAY_SANDBOX_IMS_TOKEN": ims_token,
                       "EDI_GATEWAY_SANDBOX_IMS_CALLBACK_TOKEN": callback_token}
        try:
            for name, args, env in (
                ("ims", ["sandbox-ims", "--port", str(ims_port), "--stock", str(production_venv.sandbox_stock),
                         "--callback-url", f"http://127.0.0.1:{port}/api/v1/ims/allocations"], ims_environ),
                ("serve", ["serve"], environ),
                ("worker", ["worker", "--concurrency=1"], environ),
            ):
                log = tmp_path / f"{name}.log"
                processes.append((start(args, env, log, program=program), log))
            base = f"http://127.0.0.1:{port}"
            wait_showing_logs(lambda: httpx.get(f"{base}/readyz").status_code == 200, 60,
                              "/readyz of `edi-gateway serve`", processes)
            wait_showing_logs(lambda: httpx.get(f"http://127.0.0.1:{ims_port}/api/v1/stock/ACME-MUG-01",
                                                headers={"Authorization": f"Bearer {ims_token}"}).status_code == 200,
                              30, "the sandbox IMS", processes)

            built, response = amazon.send(base, ORDER_850)
            mdn = amazon.verify_mdn(built, list(response.headers.multi_items()), response.content)
            assert response.status_code == 200 and mdn.status is MdnStatus.PROCESSED, mdn

            def the_855():
                if any(process.poll() is not None for process, _ in processes):
                    return True
                return next((payload for payload in amazon.received if b"ST*855*" in payload), None)

            payload = wait_showing_logs(the_855, 120, "the 855 to reach Amazon", processes)
            for process, log in processes:
                alive_or_log(process, log)
            wait_showing_logs(lambda: any(b"ST*997*" in received for received in amazon.received), 30,
                              "the 850's 997 to reach Amazon", processes)
        finally:
            for process, _ in processes:
                kill(process)
    assert validate_interchange(payload).is_valid, "Amazon's check: our 855 map"
    segments = ["*".join(segment.elements) for segment in X12Reader(io.BytesIO(payload))]
    assert segments[3] == "BAK*00*AD*2XK7QP9M*20261120", segments
    # Everything ordered is in the demo stock: each line accepted as ordered.
    assert [segment.split("*")[:4] for segment in segments if segment.startswith("ACK")] == [
        ["ACK", "IA", "24", "EA"], ["ACK", "IA", "6", "CA"], ["ACK", "IA", "10", "EA"]], segments


def wait_showing_logs(condition, timeout: float, what: str, processes: list[tuple[subprocess.Popen, Path]]):
    """``wait_for``, failing with the tail of each process's log."""
    try:
        return wait_for(condition, timeout, what)
    except AssertionError as error:
        tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for _, log in processes if log.exists())
        raise AssertionError(f"{error}\n{tails}") from None
