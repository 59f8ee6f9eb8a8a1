"""Inbound interchanges keep their sender (ISA06), indexed with the control number, for the replay check.

Every inbound interchange is looked up by partner and ISA13 before anything in it is
taken in (a captured interchange sent again under a new AS2 Message-ID is refused with
TA1 note 025). Groups recorded before this revision have no sender: the check counts
them as the partner's.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('x12_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interchange_sender_id', sa.String(length=15), nullable=True))
        batch_op.create_index('ix_x12_group_partner_interchange', ['partner_id', 'interchange_control_number'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('x12_group', schema=None) as batch_op:
        batch_op.drop_index('ix_x12_group_partner_interchange')
        batch_op.drop_column('interchange_sender_id')
