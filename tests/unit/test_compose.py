"""No Docker engine runs here: check that the compose file parses and has the production shape,
and that the image installs the project as a production install does."""
import tomllib
from fnmatch import fnmatch

import yaml

from tests.fixtures import REPOSITORY

COMPOSE = REPOSITORY / "docker-compose.yml"
DOCKERFILE = REPOSITORY / "Dockerfile"
GATEWAY_SERVICES = ("migrate", "web", "worker", "beat")


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
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert services["migrate"]["command"] == ["edi-gateway", "init"]
    for name in GATEWAY_SERVICES:
        service = services[name]
        assert service["build"] == "." and service["image"] == "edi-gateway:latest", name
        environment = service["environment"]
        assert environment["EDI_GATEWAY_DATABASE_URL"].startswith("postgresql+psycopg://"), name
        assert environment["EDI_GATEWAY_BROKER_URL"].startswith("redis://"), name
        assert environment["EDI_GATEWAY_DATA_DIR"] == "/data", name
        # From .env, required: without the passphrase each container would make a passphrase
        # of its own in the data volume, and keys made by `migrate` would not open in `web`.
        for variable in ("EDI_GATEWAY_KEY_PASSPHRASE", "EDI_GATEWAY_SECRET_KEY", "EDI_GATEWAY_IMS_URL",
                         "EDI_GATEWAY_IMS_TOKEN"):
            assert environment[variable] == f"${{{variable}:?set {variable}}}", (name, variable)
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
