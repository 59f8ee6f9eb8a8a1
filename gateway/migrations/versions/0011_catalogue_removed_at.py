"""Catalogue entries are marked removed, not deleted, when a replacing import leaves them out.

No new PO line maps to a removed entry, but the POs that already name its SKU keep finding
its case pack and flags (an 860 converts cases with it, the next 855 reads discontinued).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 18:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # The older schema has no removed entries: they go, as a replacing import there would delete them.
    op.execute("DELETE FROM catalogue_item WHERE removed_at IS NOT NULL")
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
