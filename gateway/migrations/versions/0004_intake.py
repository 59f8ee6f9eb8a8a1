"""Purchase-order intake: catalogue, purchase orders and lines, operational exceptions, API tokens.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 08:57:19.788330
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_api_token_token_sha256'))
    )
    op.create_table('catalogue_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('qualifier', sa.String(length=2), nullable=False),
    sa.Column('identifier', sa.String(length=48), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('case_pack', sa.Integer(), nullable=True),
    sa.Column('critical', sa.Boolean(), nullable=False),
    sa.Column('discontinued', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_item')),
    sa.UniqueConstraint('qualifier', 'identifier', name=op.f('uq_catalogue_item_qualifier'))
    )
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_item_sku'), ['sku'], unique=False)

    op.create_table('operational_exception',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=True),
    sa.Column('subject_id', sa.String(length=64), nullable=True),
    sa.Column('po_number', sa.String(length=22), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=True),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operational_exception')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_operational_exception_fingerprint'))
    )
    with op.batch_alter_table('operational_exception', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operational_exception_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_operational_exception_last_seen'), ['last_seen'], unique=False)
        batch_op.create_index(batch_op.f('ix_operational_exception_po_number'), ['po_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_operational_exception_status'), ['status'], unique=False)

    op.create_table('purchase_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('vendor_code', sa.String(length=32), nullable=False),
    sa.Column('po_number', sa.String(length=22), nullable=False),
    sa.Column('order_type', sa.String(length=2), nullable=False),
    sa.Column('order_date', sa.Date(), nullable=True),
    sa.Column('ship_not_before', sa.Date(), nullable=True),
    sa.Column('ship_not_after', sa.Date(), nullable=True),
    sa.Column('ship_to', sa.String(length=32), nullable=True),
    sa.Column('backorder_allowed', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('ims_order_id', sa.String(length=64), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ack_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ack_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_purchase_order_message_id_message')),
    sa.ForeignKeyConstraint(['partner_id'], ['trading_partner.id'], name=op.f('fk_purchase_order_partner_id_trading_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order')),
    sa.UniqueConstraint('vendor_code', 'po_number', name=op.f('uq_purchase_order_vendor_code'))
    )
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_ack_due_at'), ['ack_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_po_number'), ['po_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_status'), ['status'], unique=False)

    op.create_table('purchase_order_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purchase_order_id', sa.Integer(), nullable=False),
    sa.Column('line_number', sa.String(length=20), nullable=False),
    sa.Column('qualifier', sa.String(length=2), nullable=False),
    sa.Column('identifier', sa.String(length=48), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('unit', sa.String(length=2), nullable=False),
    sa.Column('pack_size', sa.Integer(), nullable=True),
    sa.Column('unit_cost', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=True),
    sa.Column('eaches', sa.Integer(), nullable=True),
    sa.Column('allocated', sa.Integer(), nullable=True),
    sa.Column('backordered', sa.Integer(), nullable=True),
    sa.Column('backorder_ship_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('outcomes', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_order.id'], name=op.f('fk_purchase_order_line_purchase_order_id_purchase_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order_line')),
    sa.UniqueConstraint('purchase_order_id', 'line_number', name=op.f('uq_purchase_order_line_purchase_order_id'))
    )
    with op.batch_alter_table('purchase_order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_line_purchase_order_id'), ['purchase_order_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('purchase_order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_line_purchase_order_id'))

    op.drop_table('purchase_order_line')
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_status'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_received_at'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_po_number'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_partner_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_ack_due_at'))

    op.drop_table('purchase_order')
    with op.batch_alter_table('operational_exception', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operational_exception_status'))
        batch_op.drop_index(batch_op.f('ix_operational_exception_po_number'))
        batch_op.drop_index(batch_op.f('ix_operational_exception_last_seen'))
        batch_op.drop_index(batch_op.f('ix_operational_exception_kind'))

    op.drop_table('operational_exception')
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_item_sku'))

    op.drop_table('catalogue_item')
    op.drop_table('api_token')
