"""The embedded broker on a real folder: whole messages only, the first queue with work first."""
from kombu import Connection, Exchange, Queue

from gateway.platform.embedded_broker import SCHEME, arrival, queue_of


def connection(folder):
    options = {f"{name}_folder": str(folder / name) for name in ("writing", "claimed", "control")}
    options.update(data_folder_in=str(folder / "queue"), data_folder_out=str(folder / "queue"))
    for name in ("writing", "claimed", "control", "queue"):
        (folder / name).mkdir()
    return Connection(f"{SCHEME}://localhost/", transport_options=options)


def test_a_consumer_takes_the_first_queue_that_has_a_message_oldest_first(tmp_path):
    urgent, bulk = (Queue(name, Exchange(name), routing_key=name) for name in ("gw.urgent", "gw"))
    with connection(tmp_path) as broker:
        producer = broker.Producer()
        for number in range(3):
            producer.publish({"task": f"bulk-{number}"}, exchange=bulk.exchange, routing_key="gw", declare=[bulk])
        for number in range(2):
            producer.publish({"task": f"urgent-{number}"}, exchange=urgent.exchange, routing_key="gw.urgent",
                             declare=[urgent])
        taken = []

        def take(body, message):
            taken.append(body["task"])
            message.ack()

        with broker.Consumer([urgent, bulk], callbacks=[take]):
            for _ in range(5):
                broker.drain_events(timeout=5)
    # kombu's own filesystem transport takes the queues in turn: urgent-0, bulk-0, urgent-1, ...
    assert taken == ["urgent-0", "urgent-1", "bulk-0", "bulk-1", "bulk-2"]
    assert not any(list((tmp_path / name).iterdir()) for name in ("writing", "claimed", "queue")), "nothing left behind"


def test_a_message_file_names_its_queue_and_its_arrival():
    assert queue_of("1234_3f2a.edi-gateway.urgent.msg") == "edi-gateway.urgent"
    assert queue_of("1234_3f2a.edi-gateway.msg") == "edi-gateway"
    assert queue_of(".probe") is None and queue_of("notes.txt") is None
    assert sorted(["1000_b.q.msg", "999_a.q.msg"], key=arrival) == ["999_a.q.msg", "1000_b.q.msg"], "by number"
