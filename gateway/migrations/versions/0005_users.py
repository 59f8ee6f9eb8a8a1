"""Users of the operations pages, IMS order revisions, alert timestamps on exceptions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 08:59:36.732222
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    with op.batch_alter_table('operational_exception', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ims_revision', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.drop_column('ims_revision')

    with op.batch_alter_table('operational_exception', schema=None) as batch_op:
        batch_op.drop_column('notified_at')

    op.drop_table('app_user')
