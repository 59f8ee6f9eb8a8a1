"""Index inbound Message-IDs with their partner, for the duplicate check of every receive.

The check asks for (transport_id, partner_id). With an index on transport_id and another
on partner_id, SQLite (which has no statistics until ANALYZE) chose partner_id and read
every message of the partner: each receive got slower as the archive grew.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 12:05:00
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_transport_id')
        batch_op.create_index('ix_message_transport_id_partner_id', ['transport_id', 'partner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_transport_id_partner_id')
        batch_op.create_index('ix_message_transport_id', ['transport_id'], unique=False)
