"""Secrets read from files (compose secrets) and the TLS files of `edi-gateway serve`."""
import pytest

from gateway.platform.config import ConfigError, load_settings


def test_secrets_can_come_from_files_so_they_stay_out_of_the_environment(tmp_path):
    """compose secrets arrive as files under /run/secrets; one trailing newline is not part of them."""
    (tmp_path / "passphrase").write_text("from-a-file\n")
    (tmp_path / "secret").write_text("session-secret")
    settings = load_settings({"EDI_GATEWAY_DATA_DIR": str(tmp_path / "data"),
                              "EDI_GATEWAY_KEY_PASSPHRASE_FILE": str(tmp_path / "passphrase"),
                              "EDI_GATEWAY_SECRET_KEY_FILE": str(tmp_path / "secret")})
    assert (settings.key_passphrase, settings.secret_key) == ("from-a-file", "session-secret")
    assert "from-a-file" not in repr(settings)


@pytest.mark.parametrize("content, named", [(None, "cannot be read"), ("\n", "is empty")])
def test_a_secret_file_that_is_missing_or_empty_is_refused_naming_its_variable(tmp_path, content, named):
    path = tmp_path / "passphrase"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=f"EDI_GATEWAY_KEY_PASSPHRASE_FILE=.*{named}"):
        load_settings({"EDI_GATEWAY_DATA_DIR": str(tmp_path / "data"), "EDI_GATEWAY_KEY_PASSPHRASE_FILE": str(path)})


def test_a_secret_set_both_ways_is_refused(tmp_path):
    (tmp_path / "secret").write_text("one")
    with pytest.raises(ConfigError, match="SECRET_KEY and EDI_GATEWAY_SECRET_KEY_FILE are both set"):
        load_settings({"EDI_GATEWAY_DATA_DIR": str(tmp_path), "EDI_GATEWAY_SECRET_KEY": "two",
                       "EDI_GATEWAY_SECRET_KEY_FILE": str(tmp_path / "secret")})


def test_tls_files_go_together_exist_and_make_the_default_public_url_https(tmp_path):
    (tmp_path / "tls.crt").write_text("certificate")
    (tmp_path / "tls.key").write_text("key")
    base = {"EDI_GATEWAY_DATA_DIR": str(tmp_path), "EDI_GATEWAY_PORT": "8443"}
    settings = load_settings({**base, "EDI_GATEWAY_TLS_CERT_FILE": str(tmp_path / "tls.crt"),
                              "EDI_GATEWAY_TLS_KEY_FILE": str(tmp_path / "tls.key")})
    assert (settings.tls_cert_file, settings.tls_key_file) == (tmp_path / "tls.crt", tmp_path / "tls.key")
    assert settings.public_url == "https://127.0.0.1:8443" and settings.cookie_secure
    assert load_settings(base).tls_cert_file is None
    with pytest.raises(ConfigError, match="TLS_CERT_FILE and EDI_GATEWAY_TLS_KEY_FILE go together"):
        load_settings({**base, "EDI_GATEWAY_TLS_CERT_FILE": str(tmp_path / "tls.crt")})
    with pytest.raises(ConfigError, match="EDI_GATEWAY_TLS_KEY_FILE=.*not a readable file"):
        load_settings({**base, "EDI_GATEWAY_TLS_CERT_FILE": str(tmp_path / "tls.crt"),
                       "EDI_GATEWAY_TLS_KEY_FILE": str(tmp_path / "missing.key")})


def test_a_key_passphrase_file_inside_the_data_folder_is_refused(tmp_path):
    """A copy of the data folder (a backup, a volume snapshot) must not open the keys it carries."""
    (tmp_path / "data" / "secrets").mkdir(parents=True)
    (tmp_path / "data" / "secrets" / "key-passphrase").write_text("beside the keys")
    with pytest.raises(ConfigError, match="KEY_PASSPHRASE_FILE=.*is inside EDI_GATEWAY_DATA_DIR"):
        load_settings({"EDI_GATEWAY_DATA_DIR": str(tmp_path / "data"),
                       "EDI_GATEWAY_KEY_PASSPHRASE_FILE": str(tmp_path / "data" / "secrets" / "key-passphrase")})
