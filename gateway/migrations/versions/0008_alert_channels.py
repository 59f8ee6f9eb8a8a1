"""Alerts remembered per channel (e-mail, webhook) instead of once for all.

With one ``notified_at``, a webhook that was down kept the exceptions unmarked, and the
e-mail that had gone out was sent again on every run until the webhook came back.
Exceptions already alerted count as alerted on both channels.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 14:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('operational_exception', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('webhook_posted_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE operational_exception SET emailed_at = notified_at, webhook_posted_at = notified_at")
    with op.batch_alter_table('operational_exception', schema=None) as batch_op:
        batch_op.drop_column('notified_at')


def downgrade() -> None:
    with op.batch_alter_table('operational_exception', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE operational_exception SET notified_at = COALESCE(webhook_posted_at, emailed_at)")
    with op.batch_alter_table('operational_exception', schema=None) as batch_op:
        batch_op.drop_column('webhook_posted_at')
        batch_op.drop_column('emailed_at')
