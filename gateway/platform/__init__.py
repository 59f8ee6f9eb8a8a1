"""What every other package stands on: settings, database, logging, the task queue, TLS,
blob storage, the audit trail, start-up checks and the process runner.

Owns no business entity. May import ``gateway.models`` and libraries only.
"""
