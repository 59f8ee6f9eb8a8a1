"""The unit cost each PO line's last 855 stated.

A price-only 860 leaves every outcome as it was, so the 855 engine needs the cost it
last acknowledged to see that a new 855 is due. Lines already acknowledged stated their
current cost.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 14:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('purchase_order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_unit_cost', sa.Numeric(precision=12, scale=4), nullable=True))
    op.execute("UPDATE purchase_order_line SET acknowledged_unit_cost = unit_cost WHERE outcomes IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('purchase_order_line', schema=None) as batch_op:
        batch_op.drop_column('acknowledged_unit_cost')
