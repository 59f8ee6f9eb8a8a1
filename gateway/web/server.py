"""The production web server: gunicorn, run in-process so ``edi-gateway serve`` needs no wrapper."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication

from gateway.platform.config import Settings
from gateway.web import create_app


class GatewayServer(BaseApplication):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", f"{self.settings.host}:{self.settings.port}")
        self.cfg.set("workers", self.settings.web_workers)
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("threads", self.settings.web_threads)
        self.cfg.set("timeout", 60)
        self.cfg.set("graceful_timeout", 10)
        # AS2 bodies are read whole; the endpoint enforces its own size cap.
        self.cfg.set("limit_request_field_size", 16384)
        # Some AS2 products still fold long headers (a line continued by one starting with
        # a space or tab: Disposition-Notification-Options, Content-Type). RFC 9112 lets a
        # server reject that or join the lines, and gunicorn rejects it with 400 unless this
        # is set (since 23.0); a partner's message must not be refused for its line breaks.
        # gunicorn joins the lines with one space. Its fast C parser cannot fold, so gunicorn
        # uses its Python parser: the only one it has without gunicorn_h1c installed.
        self.cfg.set("permit_obsolete_folding", True)
        # No control socket. gunicorn's default is one path per user ($XDG_RUNTIME_DIR or
        # ~/.gunicorn/gunicorn.ctl), so every gateway on a host took it from the one before
        # and `gunicornc` steered whichever started last; the first to stop deleted it for
        # all. A path in the data folder would still be shared by web replicas on one
        # volume (docker-compose) and breaks past the 108-byte socket path limit. Nothing
        # here uses it: `run`, compose and systemd stop and reload gunicorn with signals.
        self.cfg.set("control_socket_disable", True)
        # HTTPS without a proxy in front: some partners send AS2 over HTTPS only, and a
        # single-host install need not run Caddy for it. gunicorn's ssl module then
        # refuses plain HTTP on this port; the settings check that both files exist.
        if self.settings.tls_cert_file is not None and self.settings.tls_key_file is not None:
            self.cfg.set("certfile", str(self.settings.tls_cert_file))
            self.cfg.set("keyfile", str(self.settings.tls_key_file))

    def load(self):
        return create_app(self.settings)


def serve(settings: Settings) -> None:
    GatewayServer(settings).run()
