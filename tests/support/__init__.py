"""Helpers the tests share, none of them tests themselves:

- ``amazon``: a fake Amazon that speaks real AS2 over HTTP;
- ``servers``: WSGI apps served on real HTTP in a thread;
- ``processes``: the gateway's programs started as an operator starts them, and waiting;
- ``openssl_cms``: ``openssl cms`` playing an AS2 partner;
- ``operations_pages``: a served gateway with signed-in clients and rows to look at;
- ``purchase_orders``: POs with a real 855, sent by the real sender to the fake Amazon.

Test data lives in ``tests/fixtures`` (``tests.fixtures`` says where).
"""
