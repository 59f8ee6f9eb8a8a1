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

    def load(self):
        return create_app(self.settings)


def serve(settings: Settings) -> None:
    GatewayServer(settings).run()
