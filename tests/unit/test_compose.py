"""No Docker engine runs here: check that the compose file parses and has the production shape."""

import yaml

from tests.fixtures import REPOSITORY

COMPOSE = REPOSITORY / "docker-compose.yml"


def test_compose_names_the_production_services_with_health_checks_and_volumes():
    document = yaml.safe_load(COMPOSE.read_text())
    services = document["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], name
    assert services["web"]["command"] == ["edi-gateway", "serve"]
    assert services["worker"]["command"] == ["edi-gateway", "worker"]
    assert services["beat"]["command"] == ["edi-gateway", "beat"]
    assert services["worker"]["environment"]["EDI_GATEWAY_BROKER_URL"].startswith("redis://")
    assert services["web"]["environment"]["EDI_GATEWAY_DATABASE_URL"].startswith("postgresql")
    assert {"postgres-data", "redis-data", "gateway-data"} <= set(document["volumes"])
    assert services["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"
