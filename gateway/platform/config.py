"""Settings, read once from the environment and checked before anything starts.

Every variable is named ``EDI_GATEWAY_*``. With none set the gateway runs on its embedded
default: a SQLite file and a filesystem Celery broker, both under one data folder, so a
fresh clone needs no server. A bad value raises :class:`ConfigError` whose message names
the variable, so start-up can fail with one line instead of a traceback.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PREFIX = "EDI_GATEWAY_"
DATABASE_DIALECTS = ("sqlite", "postgresql")
BROKER_SCHEMES = ("filesystem", "redis", "rediss", "amqp", "pyamqp")
LOG_FORMATS = ("console", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# The demo stock shipped with the package: what the sandbox IMS starts with by default.
SANDBOX_STOCK = Path(__file__).parents[1] / "sandbox" / "stock.csv"


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    broker_url: str
    host: str
    port: int
    log_format: str
    log_level: str
    queue: str
    worker_concurrency: int
    web_workers: int  # gunicorn processes
    web_threads: int  # threads per gunicorn process
    public_url: str
    # First retry delay of outbound sends and IMS tasks; doubles each attempt, with jitter.
    retry_base_seconds: float
    # How often one outbound message is tried before it fails for a person to replay, and
    # how long an asynchronous MDN may take before the send counts as failed and is retried.
    send_attempts: int
    mdn_wait_seconds: float
    # The IMS (docs/ims-api.yaml). Unset: `edi-gateway run` starts the sandbox IMS and
    # hands its URL and token to the children it starts.
    ims_url: str | None
    # One IMS call: its timeout, and how often it is tried (with backoff from
    # ims_backoff_seconds) before the task gives up and retries later.
    ims_timeout_seconds: float
    ims_attempts: int
    ims_backoff_seconds: float
    # The sandbox IMS that `edi-gateway run` starts when no ims_url is set.
    sandbox_stock: Path
    sandbox_ims_port: int
    # The sandbox IMS ships each allocated order this long after allocation; 0 never.
    sandbox_auto_ship_seconds: float
    ims_token: str | None = field(default=None, repr=False)
    # Protects our private keys; when unset, a development passphrase file in the data
    # folder is used (see gateway.partners.keystore). Never printed: left out of repr.
    key_passphrase: str | None = field(default=None, repr=False)
    # Signs the operations pages' session cookies; when unset, a development secret file
    # in the data folder is used (see gateway.web.login). Never printed.
    secret_key: str | None = field(default=None, repr=False)
    # HTTPS served by gunicorn itself (AS2 over HTTPS without a proxy): a PEM certificate
    # chain and its unencrypted PEM private key. Both or neither; neither means plain HTTP.
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    # Alerts (gateway.operations.alerts): e-mail through this SMTP server and/or a JSON webhook, at
    # most one digest per alert_interval_seconds. No host and no URL: no alerts.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    alert_email_from: str = "edi-gateway@localhost"
    alert_email_to: tuple[str, ...] = ()
    alert_webhook_url: str | None = None
    alert_interval_seconds: float = 300.0
    # When set, GET /metrics answers only `Authorization: Bearer <this>` (Prometheus's
    # bearer_token); unset, it is open, as counts without identifiers always were. Never printed.
    metrics_token: str | None = field(default=None, repr=False)
    # Sign-in sessions (gateway.access.sessions): ended after this long without a request,
    # and this long after sign-in whatever happens.
    session_idle_seconds: int = 1800
    session_max_seconds: int = 43200
    # Sign-in throttle (gateway.access.throttle): this many wrong passwords for one username,
    # or from one client address, within lockout_seconds answer 429 until the oldest ages out;
    # burst_failures refused sign-ins across the site within burst_seconds open an exception.
    login_user_failures: int = 5
    login_address_failures: int = 20
    login_lockout_seconds: int = 900
    login_burst_failures: int = 20
    login_burst_seconds: int = 60
    # The internet edge (gateway.web.edge). How many proxies in front of the gateway set
    # X-Forwarded-For: 0 (none) ignores the header, so a client cannot choose its address.
    trusted_proxies: int = 0
    # Refused requests to /as2 and /as2/mdn: past this many from one address within the
    # window, the address gets 429 before any work (counted per web process).
    as2_refusal_limit: int = 20
    as2_refusal_window_seconds: float = 60.0
    # Below this much free space under the data folder /as2 answers 503 and /readyz fails.
    min_free_disk_mb: int = 1024
    # An interchange control number (ISA13) seen from the same sender within this many
    # days is a replay: refused with a TA1 (note 025).
    interchange_replay_days: int = 365
    # Stock (gateway.inventory.stock): a complete snapshot leaving out more than this share of
    # the SKUs last reported is held for a person; the IMS's stock is pulled every
    # stock_pull_minutes (0: never, the IMS pushes it).
    stock_max_missing_share: float = 0.10
    stock_pull_minutes: float = 0.0

    @property
    def cookie_secure(self) -> bool:
        """Session cookies only over HTTPS when the gateway is reached over HTTPS."""
        return urlsplit(self.public_url).scheme == "https"

    @property
    def broker_folder(self) -> Path:
        """Where the filesystem broker keeps its messages (embedded default only)."""
        path = urlsplit(self.broker_url).path
        return Path(path) if path not in ("", "/") else self.data_dir / "broker"

    @property
    def uses_filesystem_broker(self) -> bool:
        return urlsplit(self.broker_url).scheme == "filesystem"

    @property
    def blob_dir(self) -> Path:
        """Content-addressed store for message bodies too large to keep in a row."""
        return self.data_dir / "blobs"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the ``EDI_GATEWAY_*`` variables (``os.environ`` by default)."""
    env = os.environ if environ is None else environ

    def get(name: str, default: str) -> str:
        value = env.get(PREFIX + name, "").strip()
        return value or default

    data_dir = Path(get("DATA_DIR", "./var")).expanduser().absolute()
    database_url = get("DATABASE_URL", f"sqlite:///{data_dir / 'gateway.sqlite3'}")
    _check_database_url(database_url)
    broker_url = get("BROKER_URL", "filesystem://localhost/")
    _check_broker_url(broker_url)
    log_format = get("LOG_FORMAT", "console").lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"{PREFIX}LOG_FORMAT={log_format!r} is not one of {', '.join(LOG_FORMATS)}")
    log_level = get("LOG_LEVEL", "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"{PREFIX}LOG_LEVEL={log_level!r} is not one of {', '.join(LOG_LEVELS)}")
    host = get("HOST", "127.0.0.1")
    port = _integer(get, "PORT", "8080", 1, 65535)
    tls_cert_file, tls_key_file = _tls_files(get)
    scheme = "https" if tls_cert_file else "http"
    public_url = get("PUBLIC_URL", f"{scheme}://{host}:{port}").rstrip("/")
    if urlsplit(public_url).scheme not in ("http", "https"):
        raise ConfigError(f"{PREFIX}PUBLIC_URL={public_url!r} must start with http:// or https://")
    ims_url = get("IMS_URL", "").rstrip("/") or None
    ims_token = (_secret(env, "IMS_TOKEN") or "").strip() or None
    if ims_url is not None:
        if urlsplit(ims_url).scheme not in ("http", "https") or not urlsplit(ims_url).netloc:
            raise ConfigError(f"{PREFIX}IMS_URL={ims_url!r} must be an http:// or https:// URL")
        if ims_token is None:
            raise ConfigError(f"{PREFIX}IMS_TOKEN is required when {PREFIX}IMS_URL is set (the IMS's bearer token)")
    sandbox_stock = Path(get("SANDBOX_STOCK", str(SANDBOX_STOCK))).expanduser().absolute()
    if not sandbox_stock.is_file():
        raise ConfigError(f"{PREFIX}SANDBOX_STOCK={str(sandbox_stock)!r} is not a file")
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        broker_url=broker_url,
        host=host,
        port=port,
        log_format=log_format,
        log_level=log_level,
        queue=get("QUEUE", "edi-gateway"),
        # Two per core: a PO's tasks wait on the IMS, the partner and the database about as
        # long as they compute (bench/pipeline_bench.py: 4 processes on 2 cores took a burst
        # twice as fast as 2; 6 and 8 added little or lost).
        worker_concurrency=_integer(get, "WORKER_CONCURRENCY", str(min(64, 2 * (os.cpu_count() or 1))), 1, 64),
        web_workers=_integer(get, "WEB_WORKERS", "2", 1, 64),
        web_threads=_integer(get, "WEB_THREADS", "4", 1, 64),
        public_url=public_url,
        tls_cert_file=tls_cert_file,
        tls_key_file=tls_key_file,
        retry_base_seconds=_number(get, "RETRY_BASE_SECONDS", "30", 0.01, 3600),
        send_attempts=_integer(get, "SEND_ATTEMPTS", "7", 1, 50),
        mdn_wait_seconds=_number(get, "MDN_WAIT_SECONDS", "1800", 1, 7 * 86400),
        ims_url=ims_url,
        ims_token=ims_token,
        ims_timeout_seconds=_number(get, "IMS_TIMEOUT_SECONDS", "10", 0.1, 300),
        ims_attempts=_integer(get, "IMS_ATTEMPTS", "4", 1, 20),
        ims_backoff_seconds=_number(get, "IMS_BACKOFF_SECONDS", "1", 0.01, 60),
        sandbox_stock=sandbox_stock,
        sandbox_ims_port=_integer(get, "SANDBOX_IMS_PORT", "8090", 1, 65535),
        sandbox_auto_ship_seconds=_number(get, "SANDBOX_AUTO_SHIP_SECONDS", "60", 0, 86400),
        key_passphrase=_key_passphrase(env, data_dir),
        trusted_proxies=_integer(get, "TRUSTED_PROXIES", "0", 0, 10),
        as2_refusal_limit=_integer(get, "AS2_REFUSAL_LIMIT", "20", 1, 100000),
        as2_refusal_window_seconds=_number(get, "AS2_REFUSAL_WINDOW_SECONDS", "60", 1, 86400),
        min_free_disk_mb=_integer(get, "MIN_FREE_DISK_MB", "1024", 0, 10**9),
        interchange_replay_days=_integer(get, "INTERCHANGE_REPLAY_DAYS", "365", 1, 3650),
        stock_max_missing_share=_number(get, "STOCK_MAX_MISSING_SHARE", "0.10", 0, 1),
        stock_pull_minutes=_number(get, "STOCK_PULL_MINUTES", "0", 0, 7 * 24 * 60),
        **_alert_settings(get, env),
        **_sign_in_settings(get),
    )


def _sign_in_settings(get) -> dict:
    """Session lifetimes and the sign-in throttle."""
    return {
        "session_idle_seconds": _integer(get, "SESSION_IDLE_SECONDS", "1800", 1, 7 * 86400),
        "session_max_seconds": _integer(get, "SESSION_MAX_SECONDS", "43200", 1, 30 * 86400),
        "login_user_failures": _integer(get, "LOGIN_USER_FAILURES", "5", 1, 1000),
        "login_address_failures": _integer(get, "LOGIN_ADDRESS_FAILURES", "20", 1, 100000),
        "login_lockout_seconds": _integer(get, "LOGIN_LOCKOUT_SECONDS", "900", 1, 86400),
        "login_burst_failures": _integer(get, "LOGIN_BURST_FAILURES", "20", 1, 1000000),
        "login_burst_seconds": _integer(get, "LOGIN_BURST_SECONDS", "60", 1, 86400),
    }


def _alert_settings(get, env: Mapping[str, str]) -> dict:
    """The session secret, the alert channels (SMTP, webhook) with their rate limit, the metrics token."""
    recipients = tuple(address.strip() for address in get("ALERT_EMAIL_TO", "").split(",") if address.strip())
    smtp_host = get("SMTP_HOST", "") or None
    if recipients and smtp_host is None:
        raise ConfigError(f"{PREFIX}SMTP_HOST is required when {PREFIX}ALERT_EMAIL_TO is set")
    webhook = get("ALERT_WEBHOOK_URL", "") or None
    if webhook is not None and (urlsplit(webhook).scheme not in ("http", "https") or not urlsplit(webhook).netloc):
        raise ConfigError(f"{PREFIX}ALERT_WEBHOOK_URL={webhook!r} must be an http:// or https:// URL")
    starttls = get("SMTP_STARTTLS", "false").lower()
    if starttls not in ("true", "false"):
        raise ConfigError(f"{PREFIX}SMTP_STARTTLS={starttls!r} must be true or false")
    return {
        "secret_key": _secret(env, "SECRET_KEY"),
        "smtp_host": smtp_host,
        "smtp_port": _integer(get, "SMTP_PORT", "25", 1, 65535),
        "smtp_starttls": starttls == "true",
        "smtp_username": get("SMTP_USERNAME", "") or None,
        "smtp_password": _secret(env, "SMTP_PASSWORD"),
        "alert_email_from": get("ALERT_EMAIL_FROM", "edi-gateway@localhost"),
        "alert_email_to": recipients,
        "alert_webhook_url": webhook,
        "alert_interval_seconds": _number(get, "ALERT_INTERVAL_SECONDS", "300", 0, 86400),
        "metrics_token": env.get(PREFIX + "METRICS_TOKEN", "").strip() or None,
    }


def _secret(env: Mapping[str, str], name: str) -> str | None:
    """A secret from ``EDI_GATEWAY_<name>`` or from the file named by ``EDI_GATEWAY_<name>_FILE``.

    The file form is for compose/Kubernetes secrets (``/run/secrets/...``): the value stays
    out of the container's environment (``docker inspect``, ``/proc/*/environ``, crash
    reports) and off the data volume. Setting both is refused: which one wins would be a guess.
    """
    value = env.get(PREFIX + name) or None
    file_name = env.get(PREFIX + name + "_FILE", "").strip()
    if not file_name:
        return value
    if value is not None:
        raise ConfigError(f"{PREFIX}{name} and {PREFIX}{name}_FILE are both set; set one")
    try:
        # One trailing newline is what editors and `echo` add; it is not part of the secret.
        content = Path(file_name).read_text().rstrip("\r\n")
    except OSError as error:
        raise ConfigError(f"{PREFIX}{name}_FILE={file_name!r} cannot be read: {error.strerror}") from None
    if not content:
        raise ConfigError(f"{PREFIX}{name}_FILE={file_name!r} is empty")
    return content


def _key_passphrase(env: Mapping[str, str], data_dir: Path) -> str | None:
    """The key passphrase; its file, when named, must not be inside the data folder.

    The data folder holds the encrypted private keys: a passphrase file beside them means a
    copy of the folder (a backup, a volume snapshot) opens the keys it carries."""
    file_name = env.get(PREFIX + "KEY_PASSPHRASE_FILE", "").strip()
    if file_name and Path(file_name).expanduser().absolute().resolve().is_relative_to(data_dir.resolve()):
        raise ConfigError(f"{PREFIX}KEY_PASSPHRASE_FILE={file_name!r} is inside {PREFIX}DATA_DIR: "
                          "keep the passphrase apart from the keys it protects")
    return _secret(env, "KEY_PASSPHRASE")


def _tls_files(get) -> tuple[Path | None, Path | None]:
    """``EDI_GATEWAY_TLS_CERT_FILE`` and ``EDI_GATEWAY_TLS_KEY_FILE``: both readable files, or neither."""
    cert, key = get("TLS_CERT_FILE", ""), get("TLS_KEY_FILE", "")
    if bool(cert) != bool(key):
        raise ConfigError(f"{PREFIX}TLS_CERT_FILE and {PREFIX}TLS_KEY_FILE go together: set both or neither")
    if not cert:
        return None, None
    paths = []
    for name, raw in (("TLS_CERT_FILE", cert), ("TLS_KEY_FILE", key)):
        path = Path(raw).expanduser().absolute()
        if not path.is_file() or not os.access(path, os.R_OK):
            raise ConfigError(f"{PREFIX}{name}={raw!r} is not a readable file")
        paths.append(path)
    return paths[0], paths[1]


def _integer(get, name: str, default: str, low: int, high: int) -> int:
    return _bounded(get, name, default, low, high, int, "a whole number")


def _number(get, name: str, default: str, low: float, high: float) -> float:
    return _bounded(get, name, default, low, high, float, "a number")


def _bounded(get, name: str, default: str, low, high, kind: type, described: str):
    """``kind(value)`` of the variable, or a ConfigError naming it when it is not one or out of range."""
    raw = get(name, default)
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name}={raw!r} is not {described}") from None
    if not low <= value <= high:
        raise ConfigError(f"{PREFIX}{name}={value} is outside {low}..{high}")
    return value


def _check_database_url(url: str) -> None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"{PREFIX}DATABASE_URL={url!r} is not a database URL") from None
    if parsed.get_backend_name() not in DATABASE_DIALECTS:
        raise ConfigError(
            f"{PREFIX}DATABASE_URL uses {parsed.get_backend_name()!r}; "
            f"supported: {', '.join(DATABASE_DIALECTS)}"
        )


def _check_broker_url(url: str) -> None:
    scheme = urlsplit(url).scheme
    if scheme not in BROKER_SCHEMES:
        raise ConfigError(
            f"{PREFIX}BROKER_URL scheme {scheme or url!r} is unknown; supported: {', '.join(BROKER_SCHEMES)}"
        )
