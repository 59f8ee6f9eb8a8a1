"""Outbound delivery as state: the business reference on each message, the 855 on each PO.

``message.po_number`` is the PO the document is about (855, 856 and 810 each carry one),
so the transport can name it in the exceptions it opens and the PO timeline can show its
delivery; ``purchase_order.ack_message_id`` is the PO's latest 855, so the PO list can
filter by how its delivery stands without searching the X12 tracker. The audit trail is
indexed by subject: a PO's timeline reads its events (and its documents') by subject.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 18:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('po_number', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_message_po_number', ['po_number'])
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ack_message_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_purchase_order_ack_message_id_message', 'message', ['ack_message_id'], ['id'])
    op.create_index('ix_audit_event_subject', 'audit_event', ['subject_type', 'subject_id'])
    # POs acknowledged before this revision: their latest 855 is the newest outbound set
    # 855 whose reference is the PO number.
    op.execute(
        "UPDATE message SET po_number = (SELECT x12_set.reference FROM x12_set JOIN x12_group "
        "ON x12_set.group_id = x12_group.id WHERE x12_group.message_id = message.id "
        "AND x12_set.reference IS NOT NULL ORDER BY x12_set.id LIMIT 1) "
        "WHERE direction = 'outbound'")
    op.execute(
        "UPDATE purchase_order SET ack_message_id = (SELECT max(message.id) FROM message "
        "WHERE message.direction = 'outbound' AND message.document_type = '855' "
        "AND message.po_number = purchase_order.po_number)")


def downgrade() -> None:
    op.drop_index('ix_audit_event_subject', table_name='audit_event')
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.drop_constraint('fk_purchase_order_ack_message_id_message', type_='foreignkey')
        batch_op.drop_column('ack_message_id')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_po_number')
        batch_op.drop_column('po_number')
