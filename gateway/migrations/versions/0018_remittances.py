"""Remittances: each 820 payment (unique per partner and trace number) and its lines, matched to invoices.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('remittance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('trace_number', sa.String(length=50), nullable=False),
    sa.Column('payment_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('payment_method', sa.String(length=8), nullable=False),
    sa.Column('payment_date', sa.Date(), nullable=True),
    sa.Column('payer_name', sa.String(length=60), nullable=True),
    sa.Column('payee_name', sa.String(length=60), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_remittance_message_id_message')),
    sa.ForeignKeyConstraint(['partner_id'], ['trading_partner.id'], name=op.f('fk_remittance_partner_id_trading_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remittance')),
    sa.UniqueConstraint('partner_id', 'trace_number', name=op.f('uq_remittance_partner_id'))
    )
    with op.batch_alter_table('remittance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remittance_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remittance_payment_date'), ['payment_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_remittance_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_remittance_trace_number'), ['trace_number'], unique=False)

    op.create_table('remittance_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('remittance_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('po_number', sa.String(length=22), nullable=True),
    sa.Column('amount_paid', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('amount_invoiced', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('discount_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('invoice_date', sa.Date(), nullable=True),
    sa.Column('adjustments', sa.JSON(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('matched_by', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_remittance_line_invoice_id_invoice')),
    sa.ForeignKeyConstraint(['remittance_id'], ['remittance.id'], name=op.f('fk_remittance_line_remittance_id_remittance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remittance_line'))
    )
    with op.batch_alter_table('remittance_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remittance_line_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remittance_line_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_remittance_line_po_number'), ['po_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_remittance_line_remittance_id'), ['remittance_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('remittance_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remittance_line_remittance_id'))
        batch_op.drop_index(batch_op.f('ix_remittance_line_po_number'))
        batch_op.drop_index(batch_op.f('ix_remittance_line_kind'))
        batch_op.drop_index(batch_op.f('ix_remittance_line_invoice_id'))

    op.drop_table('remittance_line')
    with op.batch_alter_table('remittance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remittance_trace_number'))
        batch_op.drop_index(batch_op.f('ix_remittance_received_at'))
        batch_op.drop_index(batch_op.f('ix_remittance_payment_date'))
        batch_op.drop_index(batch_op.f('ix_remittance_partner_id'))

    op.drop_table('remittance')
