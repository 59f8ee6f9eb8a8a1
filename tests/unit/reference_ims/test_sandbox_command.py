"""`make run` starts the sandbox IMS with arguments it understands: callbacks and shipments to
this gateway, auto-ship after a minute, from the warehouse the development setup registers."""
from gateway.sandbox import sandbox_ims_command
from reference_ims.cli import sandbox_ims
from tests.conftest import make_settings


def test_run_ships_from_wh1_to_this_gateway_after_a_minute(tmp_path):
    command = sandbox_ims_command(make_settings(tmp_path, port="8080", sandbox_ims_port="8090"))

    assert command[0] == "sandbox-ims"
    options = sandbox_ims.make_context("sandbox-ims", [*command[1:], "--token", "t"]).params
    assert options["callback_url"] == "http://127.0.0.1:8080/api/v1/ims/allocations"
    assert options["shipment_url"] == "http://127.0.0.1:8080/api/v1/ims/shipments"
    assert (options["auto_ship_seconds"], options["ship_from"], options["port"]) == (60, "WH1", 8090)
