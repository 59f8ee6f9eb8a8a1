"""AS2: certificates (ours and partners'), decrypted payloads and MDNs on messages.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 08:41:02.878803
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('certificate_pem', sa.Text(), nullable=False),
    sa.Column('private_key_file', sa.String(length=512), nullable=True),
    sa.Column('fingerprint_sha256', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=512), nullable=False),
    sa.Column('serial_number', sa.String(length=64), nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
    sa.Column('not_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_certificate_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['partner_id'], ['trading_partner.id'], name=op.f('fk_certificate_partner_id_trading_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('organisation_id', 'partner_id', 'fingerprint_sha256', name=op.f('uq_certificate_organisation_id'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_not_after'), ['not_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_partner_id'), ['partner_id'], unique=False)

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('payload_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('mdn_mode', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('mdn_status', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('mdn_disposition', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('mdn_headers', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('mdn_body', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('mdn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('mdn_at')
        batch_op.drop_column('mdn_body')
        batch_op.drop_column('mdn_headers')
        batch_op.drop_column('mdn_disposition')
        batch_op.drop_column('mdn_status')
        batch_op.drop_column('mdn_mode')
        batch_op.drop_column('payload_sha256')
        batch_op.drop_column('payload')

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_partner_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_not_after'))

    op.drop_table('certificate')
