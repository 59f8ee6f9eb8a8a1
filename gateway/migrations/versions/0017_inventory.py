"""Inventory: stock reports and levels from the IMS, 846 feeds in batches, what each partner was
last sent, zero-stock holds, per-partner token buckets, and a per-SKU safety stock.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 02:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stock_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('ship_from', sa.String(length=20), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=128), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_report'))
    )
    with op.batch_alter_table('stock_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_report_as_of'), ['as_of'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_report_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_report_received_at'), ['received_at'], unique=False)

    op.create_table('stock_level',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('ship_from', sa.String(length=20), nullable=False),
    sa.Column('on_hand', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Integer(), nullable=False),
    sa.Column('allocated', sa.Integer(), nullable=False),
    sa.Column('discontinued', sa.Boolean(), nullable=False),
    sa.Column('restock_date', sa.Date(), nullable=True),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('missing_since', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['stock_report.id'], name=op.f('fk_stock_level_report_id_stock_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_level')),
    sa.UniqueConstraint('sku', 'ship_from', name=op.f('uq_stock_level_sku'))
    )
    op.create_table('inventory_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('requested_by', sa.String(length=128), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('held_count', sa.Integer(), nullable=False),
    sa.Column('batch_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['partner_id'], ['trading_partner.id'], name=op.f('fk_inventory_feed_partner_id_trading_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_feed'))
    )
    with op.batch_alter_table('inventory_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_feed_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_feed_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_feed_status'), ['status'], unique=False)

    op.create_table('inventory_hold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('ship_from', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('last_sent_quantity', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_by', sa.String(length=128), nullable=True),
    sa.Column('release_note', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['partner_id'], ['trading_partner.id'], name=op.f('fk_inventory_hold_partner_id_trading_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_hold'))
    )
    with op.batch_alter_table('inventory_hold', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_hold_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_hold_sku'), ['sku'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_hold_status'), ['status'], unique=False)

    op.create_table('rate_bucket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('tokens', sa.Float(), nullable=False),
    sa.Column('refilled_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['trading_partner.id'], name=op.f('fk_rate_bucket_partner_id_trading_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_bucket')),
    sa.UniqueConstraint('partner_id', 'purpose', name=op.f('uq_rate_bucket_partner_id'))
    )
    op.create_table('inventory_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('ship_from', sa.String(length=20), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['feed_id'], ['inventory_feed.id'], name=op.f('fk_inventory_batch_feed_id_inventory_feed')),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_inventory_batch_message_id_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_batch')),
    sa.UniqueConstraint('feed_id', 'sequence', name=op.f('uq_inventory_batch_feed_id'))
    )
    with op.batch_alter_table('inventory_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_batch_feed_id'), ['feed_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_batch_status'), ['status'], unique=False)

    op.create_table('inventory_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('ship_from', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('zero_released', sa.Boolean(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_inventory_sent_message_id_message')),
    sa.ForeignKeyConstraint(['partner_id'], ['trading_partner.id'], name=op.f('fk_inventory_sent_partner_id_trading_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_sent')),
    sa.UniqueConstraint('partner_id', 'sku', 'ship_from', name=op.f('uq_inventory_sent_partner_id'))
    )
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safety_stock', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.drop_column('safety_stock')

    op.drop_table('inventory_sent')
    with op.batch_alter_table('inventory_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inventory_batch_status'))
        batch_op.drop_index(batch_op.f('ix_inventory_batch_feed_id'))

    op.drop_table('inventory_batch')
    op.drop_table('rate_bucket')
    with op.batch_alter_table('inventory_hold', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inventory_hold_status'))
        batch_op.drop_index(batch_op.f('ix_inventory_hold_sku'))
        batch_op.drop_index(batch_op.f('ix_inventory_hold_partner_id'))

    op.drop_table('inventory_hold')
    with op.batch_alter_table('inventory_feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inventory_feed_status'))
        batch_op.drop_index(batch_op.f('ix_inventory_feed_partner_id'))
        batch_op.drop_index(batch_op.f('ix_inventory_feed_created_at'))

    op.drop_table('inventory_feed')
    op.drop_table('stock_level')
    with op.batch_alter_table('stock_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_report_received_at'))
        batch_op.drop_index(batch_op.f('ix_stock_report_outcome'))
        batch_op.drop_index(batch_op.f('ix_stock_report_as_of'))

    op.drop_table('stock_report')
