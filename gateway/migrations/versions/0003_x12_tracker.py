"""X12 groups and sets in and out, with their 997 status: the functional-ack tracker.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 08:44:30.503881
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('x12_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('interchange_control_number', sa.String(length=9), nullable=False),
    sa.Column('functional_id', sa.String(length=2), nullable=False),
    sa.Column('control_number', sa.String(length=9), nullable=False),
    sa.Column('version', sa.String(length=12), nullable=False),
    sa.Column('ack_status', sa.String(length=1), nullable=True),
    sa.Column('ack_codes', sa.JSON(), nullable=True),
    sa.Column('ack_message_id', sa.Integer(), nullable=True),
    sa.Column('ack_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ack_message_id'], ['message.id'], name=op.f('fk_x12_group_ack_message_id_message')),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_x12_group_message_id_message')),
    sa.ForeignKeyConstraint(['partner_id'], ['trading_partner.id'], name=op.f('fk_x12_group_partner_id_trading_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_x12_group'))
    )
    with op.batch_alter_table('x12_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_x12_group_ack_due_at'), ['ack_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_x12_group_control_number'), ['control_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_x12_group_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_x12_group_partner_id'), ['partner_id'], unique=False)

    op.create_table('x12_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.String(length=3), nullable=False),
    sa.Column('control_number', sa.String(length=9), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('ack_status', sa.String(length=1), nullable=True),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['x12_group.id'], name=op.f('fk_x12_set_group_id_x12_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_x12_set'))
    )
    with op.batch_alter_table('x12_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_x12_set_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_x12_set_reference'), ['reference'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('x12_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_x12_set_reference'))
        batch_op.drop_index(batch_op.f('ix_x12_set_group_id'))

    op.drop_table('x12_set')
    with op.batch_alter_table('x12_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_x12_group_partner_id'))
        batch_op.drop_index(batch_op.f('ix_x12_group_message_id'))
        batch_op.drop_index(batch_op.f('ix_x12_group_control_number'))
        batch_op.drop_index(batch_op.f('ix_x12_group_ack_due_at'))

    op.drop_table('x12_group')
