"""The pure decisions at the internet edge: counting refusals per address, and the disk floor."""
import pytest

from gateway.platform.config import ConfigError, load_settings
from gateway.platform.disk_space import MIB, shortage
from gateway.web.rate_limit import RefusalCounter, is_refusal


def test_an_address_is_shut_out_at_the_limit_until_its_window_ends():
    counter = RefusalCounter(limit=3, window_seconds=60)
    for second in (0, 1, 2):
        assert counter.retry_after("203.0.113.1", second) is None
        counter.count_refusal("203.0.113.1", second)
    assert counter.retry_after("203.0.113.1", 10) == 50
    assert counter.retry_after("203.0.113.2", 10) is None, "another address is not affected"
    assert counter.retry_after("203.0.113.1", 60) is None, "a new window"
    counter.count_refusal("203.0.113.1", 61)
    assert counter.retry_after("203.0.113.1", 62) is None, "the count starts again with the window"


def test_many_addresses_take_bounded_memory():
    counter = RefusalCounter(limit=1, window_seconds=60, max_addresses=100)
    for number in range(1000):
        counter.count_refusal(f"10.0.{number // 256}.{number % 256}", 0)
    assert len(counter._windows) == 100
    assert counter.retry_after("10.0.3.231", 1) is not None, "the newest addresses are kept"


def test_what_counts_as_a_refusal():
    negative = b"Content-Type: message/disposition-notification\r\n\r\nDisposition: automatic-action/" \
               b"MDN-sent-automatically; processed/Error: authentication-failed\r\n"
    positive = negative.replace(b"processed/Error: authentication-failed", b"processed")
    assert is_refusal(400, b"") and is_refusal(413, b"") and is_refusal(200, negative)
    assert not is_refusal(200, positive) and not is_refusal(429, b"") and not is_refusal(503, b"")
    assert not is_refusal(200, positive.replace(b"processed", b"processed/Warning: duplicate-document"))


def test_the_disk_floor():
    assert shortage(2048 * MIB, 1024) is None
    assert shortage(100 * MIB, 1024) == "100 MiB free under the data folder, below EDI_GATEWAY_MIN_FREE_DISK_MB=1024"
    assert shortage(0, 0) is None, "a floor of 0 turns the guard off"


def test_the_edge_settings_and_their_defaults(tmp_path):
    defaults = load_settings({"EDI_GATEWAY_DATA_DIR": str(tmp_path)})
    assert (defaults.trusted_proxies, defaults.as2_refusal_limit, defaults.as2_refusal_window_seconds,
            defaults.min_free_disk_mb, defaults.interchange_replay_days) == (0, 20, 60.0, 1024, 365)
    with pytest.raises(ConfigError, match="EDI_GATEWAY_TRUSTED_PROXIES='all'"):
        load_settings({"EDI_GATEWAY_DATA_DIR": str(tmp_path), "EDI_GATEWAY_TRUSTED_PROXIES": "all"})
    with pytest.raises(ConfigError, match="EDI_GATEWAY_INTERCHANGE_REPLAY_DAYS=0"):
        load_settings({"EDI_GATEWAY_DATA_DIR": str(tmp_path), "EDI_GATEWAY_INTERCHANGE_REPLAY_DAYS": "0"})
