"""Invoices: one per PO (the source of one 810) with their lines; invoiced quantities per PO line.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 23:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_number', sa.String(length=22), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('purchase_order_id', sa.Integer(), nullable=False),
    sa.Column('po_number', sa.String(length=22), nullable=False),
    sa.Column('shipment_ref', sa.Integer(), nullable=True),
    sa.Column('invoice_date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('allowances_and_charges', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('body', sa.JSON(), nullable=True),
    sa.Column('body_sha256', sa.String(length=64), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_invoice_message_id_message')),
    sa.ForeignKeyConstraint(['partner_id'], ['trading_partner.id'], name=op.f('fk_invoice_partner_id_trading_partner')),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_order.id'],
                            name=op.f('fk_invoice_purchase_order_id_purchase_order')),
    sa.ForeignKeyConstraint(['shipment_ref'], ['shipment.id'], name=op.f('fk_invoice_shipment_ref_shipment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice')),
    sa.UniqueConstraint('invoice_number', name=op.f('uq_invoice_invoice_number'))
    )
    op.create_index(op.f('ix_invoice_partner_id'), 'invoice', ['partner_id'], unique=False)
    op.create_index(op.f('ix_invoice_purchase_order_id'), 'invoice', ['purchase_order_id'], unique=False)
    op.create_index(op.f('ix_invoice_po_number'), 'invoice', ['po_number'], unique=False)
    op.create_index(op.f('ix_invoice_shipment_ref'), 'invoice', ['shipment_ref'], unique=False)
    op.create_index(op.f('ix_invoice_created_at'), 'invoice', ['created_at'], unique=False)
    op.create_table('invoice_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('purchase_order_line_id', sa.Integer(), nullable=False),
    sa.Column('line_number', sa.String(length=20), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('unit', sa.String(length=2), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_invoice_line_invoice_id_invoice')),
    sa.ForeignKeyConstraint(['purchase_order_line_id'], ['purchase_order_line.id'],
                            name=op.f('fk_invoice_line_purchase_order_line_id_purchase_order_line')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_line'))
    )
    op.create_index(op.f('ix_invoice_line_invoice_id'), 'invoice_line', ['invoice_id'], unique=False)
    op.create_index(op.f('ix_invoice_line_purchase_order_line_id'), 'invoice_line', ['purchase_order_line_id'],
                    unique=False)
    with op.batch_alter_table('purchase_order_line') as batch:
        batch.add_column(sa.Column('invoiced', sa.Numeric(precision=12, scale=2), nullable=False,
                                   server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('purchase_order_line') as batch:
        batch.drop_column('invoiced')
    op.drop_table('invoice_line')
    op.drop_table('invoice')
