"""No Docker engine runs here: check that the compose file parses and has the production shape,
and that the image installs the project as a production install does."""
import re
import tomllib
from fnmatch import fnmatch
from pathlib import PurePosixPath

import pytest
import yaml

from tests.fixtures import REPOSITORY

COMPOSE = REPOSITORY / "docker-compose.yml"
DOCKERFILE = REPOSITORY / "Dockerfile"
CADDYFILE = REPOSITORY / "deploy" / "Caddyfile"
GATEWAY_SERVICES = ("migrate", "web", "worker", "beat")
# What an operator's .env holds (.env.example names the variables; these values are made up).
EXAMPLE_ENV = {"POSTGRES_PASSWORD": "made-up-for-the-test", "EDI_GATEWAY_DOMAIN": "edi.example.com",
               "ACME_EMAIL": "ops@example.com", "EDI_GATEWAY_IMS_URL": "https://ims.example.com"}
# Each secret, the setting that reads it, and who needs it: migrate makes keys, web and the
# workers open them; web signs sessions; every container may call the IMS (tasks, readiness).
SECRETS = {"key_passphrase": "EDI_GATEWAY_KEY_PASSPHRASE", "secret_key": "EDI_GATEWAY_SECRET_KEY",
           "ims_token": "EDI_GATEWAY_IMS_TOKEN"}


def interpolate(text: str, environ: dict[str, str]) -> str:
    """Compose's variable substitution: ``${NAME}``, ``${NAME:?message}``, ``${NAME:-default}``, ``$$``.

    A required variable that is missing raises, as ``docker compose config`` refuses to render."""
    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.group("name"), match.group("operator"), match.group("argument") or ""
        value = environ.get(name, "")
        if value:
            return value
        if operator == ":?":
            raise KeyError(f"{name}: {argument}")
        return argument if operator == ":-" else ""
    return re.sub(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<operator>:\?|:-)(?P<argument>[^}]*))?\}",
                  substitute, text)


def render_compose(environ: dict[str, str] | None = None) -> dict:
    """The compose file as ``docker compose config`` would see it: variables substituted from
    ``environ`` (the example .env by default), YAML anchors and merge keys resolved."""
    return yaml.safe_load(interpolate(COMPOSE.read_text(), EXAMPLE_ENV if environ is None else environ))


def published_ports(service: dict) -> list[tuple[str, str, str]]:
    """(host address, host port, container port) of each published port; no address means every interface."""
    ports = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            ports.append((entry.get("host_ip", "0.0.0.0"), str(entry.get("published", "")), str(entry["target"])))
            continue
        *host, container = str(entry).rsplit(":", 1)
        address, _, port = (host[0] if host else "").rpartition(":")
        ports.append((address or "0.0.0.0", port, container))
    return ports


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


def test_every_gateway_container_is_the_image_with_the_same_database_broker_secrets_and_ims():
    services = render_compose()["services"]
    assert services["migrate"]["command"] == ["edi-gateway", "init"]
    for name in GATEWAY_SERVICES:
        service = services[name]
        assert service["build"] == "." and service["image"] == "edi-gateway:latest", name
        environment = service["environment"]
        assert environment["EDI_GATEWAY_DATABASE_URL"].startswith("postgresql+psycopg://"), name
        assert environment["EDI_GATEWAY_BROKER_URL"].startswith("redis://"), name
        assert environment["EDI_GATEWAY_DATA_DIR"] == "/data", name
        assert environment["EDI_GATEWAY_IMS_URL"] == EXAMPLE_ENV["EDI_GATEWAY_IMS_URL"], name
        if name != "migrate":
            assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name


def test_the_image_installs_the_project_as_pip_install_dot_without_extras():
    instructions = [line.split(None, 1) for line in DOCKERFILE.read_text().splitlines()
                    if line.strip() and not line.startswith("#")]
    runs = [arguments for keyword, arguments in instructions if keyword == "RUN"]
    installs = [run.split("pip install", 1)[1].split("&&")[0].split() for run in runs if "pip install" in run]
    assert len(installs) == 1, installs
    [arguments] = installs
    assert [argument for argument in arguments if not argument.startswith("-")] == ["."], "no extras"
    assert not {"-e", "--editable"} & set(arguments), "not editable"
    copied = {name for keyword, arguments in instructions if keyword == "COPY" for name in arguments.split()[:-1]}
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {path.name for path in REPOSITORY.iterdir()
                if (path / "__init__.py").is_file() and any(fnmatch(path.name, pattern) for pattern in patterns)}
    assert packages == {"gateway", "edi_maps", "workers", "reference_ims"}
    missing = {"pyproject.toml", project["project"]["readme"], *packages} - copied
    assert not missing, f"the image builds without {sorted(missing)}: `pip install .` there would leave them out"


@pytest.mark.parametrize("missing", sorted(EXAMPLE_ENV))
def test_compose_refuses_to_render_without_each_env_variable(missing):
    with pytest.raises(KeyError, match=missing):
        render_compose({name: value for name, value in EXAMPLE_ENV.items() if name != missing})


def test_the_example_env_names_every_variable_the_compose_file_needs_and_holds_no_secret():
    example = dict(line.split("=", 1) for line in (REPOSITORY / ".env.example").read_text().splitlines()
                   if line.strip() and not line.startswith("#"))
    required = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?", COMPOSE.read_text()))
    assert set(example) == required == set(EXAMPLE_ENV)
    assert example["POSTGRES_PASSWORD"] == "", "the example leaves the password for the operator to make"
    assert not set(example) & set(SECRETS.values()), "secrets are files in secrets/, not .env variables"


def test_secrets_reach_every_gateway_service_as_files_outside_the_data_volume():
    document = render_compose()
    services = document["services"]
    for secret in SECRETS:
        source = PurePosixPath(document["secrets"][secret]["file"])
        assert source.parts[:2] == (".", "secrets") or source.parts[0] == "secrets", (secret, source)
    for name in GATEWAY_SERVICES:
        service = services[name]
        mounts = [PurePosixPath(volume.split(":")[1]) for volume in service["volumes"]]
        assert PurePosixPath("/data") in mounts, name
        assert set(service["secrets"]) == set(SECRETS), name
        for secret, setting in SECRETS.items():
            environment = service["environment"]
            assert setting not in environment, f"{name}: {setting} would be in docker inspect; use {setting}_FILE"
            path = PurePosixPath(environment[f"{setting}_FILE"])
            assert path == PurePosixPath("/run/secrets") / secret, (name, setting)
            assert not any(path.is_relative_to(mount) for mount in mounts), f"{name}: {path} is on a volume"
        # Secrets arrive only through compose secrets, never through an env_file in the service.
        assert "env_file" not in service, name


def test_secrets_and_env_are_never_committed():
    ignored = (REPOSITORY / ".gitignore").read_text().splitlines()
    assert {"/.env", "/secrets/*", "!/secrets/README.md"} <= set(ignored)
    kept = {path.name for path in (REPOSITORY / "secrets").iterdir()} - {"README.md"}
    assert kept <= set(SECRETS), f"secrets/ holds only the README and an operator's own (ignored) files: {kept}"


def test_public_url_is_https_on_the_domain_for_every_gateway_service():
    services = render_compose()["services"]
    for name in GATEWAY_SERVICES:
        assert services[name]["environment"]["EDI_GATEWAY_PUBLIC_URL"] == "https://edi.example.com", name


def test_only_the_tls_proxy_is_published_on_every_interface():
    services = render_compose()["services"]
    for name, service in services.items():
        for address, host_port, container_port in published_ports(service):
            if name == "proxy":
                assert (host_port, container_port) == ("443", "443"), "the proxy publishes TLS only, no port 80"
            else:
                assert address == "127.0.0.1", f"{name} publishes plain {container_port} on {address}"
    assert published_ports(services["web"]) == [("127.0.0.1", "8080", "8080")]
    for name in ("postgres", "redis", "worker", "beat", "migrate"):
        assert published_ports(services[name]) == [], name


def test_the_tls_proxy_is_caddy_in_front_of_the_gateway():
    services = render_compose()["services"]
    proxy = services["proxy"]
    assert proxy["image"].split(":")[0] == "caddy", "the official image"
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert proxy["environment"]["EDI_GATEWAY_DOMAIN"] == "edi.example.com"
    assert "healthcheck" in proxy
    caddyfile = CADDYFILE.read_text()
    lines = [line.split("#", 1)[0].strip() for line in caddyfile.splitlines()]
    # The site is the bare domain: Caddy serves it over HTTPS with its own certificate.
    assert "{$EDI_GATEWAY_DOMAIN} {" in lines
    assert "reverse_proxy web:8080" in lines
    assert services["web"]["environment"]["EDI_GATEWAY_PORT"] == "8080"
    # Exactly the one proxy's X-Forwarded-For is believed (the client address of rate limits and logs).
    assert services["web"]["environment"]["EDI_GATEWAY_TRUSTED_PROXIES"] == "1"
    # No plain-HTTP site and no HTTP challenge: port 80 is not published.
    assert not any(line.startswith("http://") or line.startswith(":80") for line in lines)
    assert "disable_http_challenge" in lines and "auto_https disable_redirects" in lines
