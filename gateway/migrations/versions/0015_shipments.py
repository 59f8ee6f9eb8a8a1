"""Shipments: the confirmed pack the IMS reports (pallets, cartons, items), the source of the 856;
shipped quantities per PO line, when the IMS said an order shipped, perishable SKUs.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 23:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shipment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.String(length=30), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('ship_date', sa.Date(), nullable=False),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('estimated_delivery_date', sa.Date(), nullable=True),
    sa.Column('ship_from', sa.String(length=20), nullable=False),
    sa.Column('ship_to', sa.String(length=32), nullable=False),
    sa.Column('carrier_scac', sa.String(length=4), nullable=False),
    sa.Column('bill_of_lading', sa.String(length=30), nullable=False),
    sa.Column('pro_number', sa.String(length=30), nullable=True),
    sa.Column('weight_unit', sa.String(length=2), nullable=False),
    sa.Column('gross_weight', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('po_numbers', sa.JSON(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('asn_message_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asn_message_id'], ['message.id'], name=op.f('fk_shipment_asn_message_id_message')),
    sa.ForeignKeyConstraint(['partner_id'], ['trading_partner.id'], name=op.f('fk_shipment_partner_id_trading_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment')),
    sa.UniqueConstraint('shipment_id', name=op.f('uq_shipment_shipment_id'))
    )
    op.create_index(op.f('ix_shipment_partner_id'), 'shipment', ['partner_id'], unique=False)
    op.create_index(op.f('ix_shipment_shipped_at'), 'shipment', ['shipped_at'], unique=False)
    op.create_index(op.f('ix_shipment_bill_of_lading'), 'shipment', ['bill_of_lading'], unique=False)
    op.create_index(op.f('ix_shipment_received_at'), 'shipment', ['received_at'], unique=False)
    op.create_table('shipment_pallet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_ref', sa.Integer(), nullable=False),
    sa.Column('pallet_id', sa.String(length=64), nullable=False),
    sa.Column('sscc', sa.String(length=18), nullable=True),
    sa.ForeignKeyConstraint(['shipment_ref'], ['shipment.id'], name=op.f('fk_shipment_pallet_shipment_ref_shipment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_pallet'))
    )
    op.create_index(op.f('ix_shipment_pallet_shipment_ref'), 'shipment_pallet', ['shipment_ref'], unique=False)
    op.create_index(op.f('ix_shipment_pallet_sscc'), 'shipment_pallet', ['sscc'], unique=False)
    op.create_table('shipment_carton',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_ref', sa.Integer(), nullable=False),
    sa.Column('sscc', sa.String(length=18), nullable=False),
    sa.Column('pallet_id', sa.String(length=64), nullable=True),
    sa.Column('po_number', sa.String(length=22), nullable=False),
    sa.Column('weight', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['shipment_ref'], ['shipment.id'], name=op.f('fk_shipment_carton_shipment_ref_shipment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_carton'))
    )
    op.create_index(op.f('ix_shipment_carton_shipment_ref'), 'shipment_carton', ['shipment_ref'], unique=False)
    op.create_index(op.f('ix_shipment_carton_sscc'), 'shipment_carton', ['sscc'], unique=False)
    op.create_index(op.f('ix_shipment_carton_po_number'), 'shipment_carton', ['po_number'], unique=False)
    op.create_table('shipment_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('carton_id', sa.Integer(), nullable=False),
    sa.Column('purchase_order_line_id', sa.Integer(), nullable=False),
    sa.Column('line_number', sa.String(length=20), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('eaches', sa.Integer(), nullable=False),
    sa.Column('lot_number', sa.String(length=30), nullable=True),
    sa.Column('expiry_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['carton_id'], ['shipment_carton.id'], name=op.f('fk_shipment_item_carton_id_shipment_carton')),
    sa.ForeignKeyConstraint(['purchase_order_line_id'], ['purchase_order_line.id'],
                            name=op.f('fk_shipment_item_purchase_order_line_id_purchase_order_line')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_item'))
    )
    op.create_index(op.f('ix_shipment_item_carton_id'), 'shipment_item', ['carton_id'], unique=False)
    op.create_index(op.f('ix_shipment_item_purchase_order_line_id'), 'shipment_item', ['purchase_order_line_id'],
                    unique=False)
    with op.batch_alter_table('purchase_order_line') as batch:
        batch.add_column(sa.Column('shipped', sa.Numeric(precision=12, scale=2), nullable=False,
                                   server_default='0'))
    with op.batch_alter_table('purchase_order') as batch:
        batch.add_column(sa.Column('ims_shipped_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('catalogue_item') as batch:
        batch.add_column(sa.Column('perishable', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('catalogue_item') as batch:
        batch.drop_column('perishable')
    with op.batch_alter_table('purchase_order') as batch:
        batch.drop_column('ims_shipped_at')
    with op.batch_alter_table('purchase_order_line') as batch:
        batch.drop_column('shipped')
    op.drop_table('shipment_item')
    op.drop_table('shipment_carton')
    op.drop_table('shipment_pallet')
    op.drop_table('shipment')
