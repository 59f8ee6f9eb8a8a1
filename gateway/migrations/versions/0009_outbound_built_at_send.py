"""Outbound messages are signed and encrypted when first sent, not when queued.

Until then a queued message has its payload and file name but no wire body, so the
body columns take NULL.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 14:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('filename', sa.String(length=255), nullable=True))
        batch_op.alter_column('body_sha256', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('body_size', existing_type=sa.BigInteger(), nullable=True)


def downgrade() -> None:
    unbuilt = op.get_bind().execute(sa.text("SELECT count(*) FROM message WHERE body_sha256 IS NULL")).scalar()
    if unbuilt:
        raise RuntimeError(f"{unbuilt} outbound messages are queued but not built yet, and the older schema "
                           f"cannot hold them: let the worker send them before downgrading")
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.alter_column('body_size', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('body_sha256', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('filename')
