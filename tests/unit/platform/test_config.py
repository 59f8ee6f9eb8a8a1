from pathlib import Path

import pytest

from gateway.platform.config import ConfigError, load_settings


def test_embedded_default_keeps_everything_under_the_data_folder():
    settings = load_settings({})
    assert settings.data_dir == Path("./var").absolute()
    assert settings.database_url == f"sqlite:///{Path('./var').absolute() / 'gateway.sqlite3'}"
    assert settings.uses_filesystem_broker
    assert settings.broker_folder == Path("./var").absolute() / "broker"
    assert settings.port == 8080


def test_values_come_from_the_environment(tmp_path):
    settings = load_settings({
        "EDI_GATEWAY_DATA_DIR": str(tmp_path),
        "EDI_GATEWAY_DATABASE_URL": "postgresql+psycopg://u@db/x",
        "EDI_GATEWAY_BROKER_URL": "redis://cache:6379/0",
        "EDI_GATEWAY_PORT": "9000",
        "EDI_GATEWAY_LOG_FORMAT": "JSON",
    })
    assert (settings.data_dir, settings.port, settings.log_format) == (tmp_path, 9000, "json")
    assert not settings.uses_filesystem_broker


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("PORT", "eighty", "EDI_GATEWAY_PORT"),
        ("PORT", "70000", "EDI_GATEWAY_PORT"),
        ("BROKER_URL", "kafka://x", "EDI_GATEWAY_BROKER_URL"),
        ("DATABASE_URL", "mysql://x/y", "EDI_GATEWAY_DATABASE_URL"),
        ("DATABASE_URL", "not a url", "EDI_GATEWAY_DATABASE_URL"),
        ("LOG_FORMAT", "xml", "EDI_GATEWAY_LOG_FORMAT"),
        ("WORKER_CONCURRENCY", "0", "EDI_GATEWAY_WORKER_CONCURRENCY"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(name, value, named):
    with pytest.raises(ConfigError, match=named):
        load_settings({f"EDI_GATEWAY_{name}": value})


def test_filesystem_broker_folder_can_be_named(tmp_path):
    settings = load_settings({"EDI_GATEWAY_BROKER_URL": f"filesystem://localhost{tmp_path}/q"})
    assert settings.broker_folder == tmp_path / "q"


def test_the_metrics_token_is_read_but_never_printed():
    assert load_settings({}).metrics_token is None
    settings = load_settings({"EDI_GATEWAY_METRICS_TOKEN": " scrape-me "})
    assert settings.metrics_token == "scrape-me" and "scrape-me" not in repr(settings)
