"""drop two indexes that no query uses

Revision ID: 0002_drop_unused_indexes
Revises: 0001_initial
Create Date: 2026-12-03 22:00:00

audit_events.event: every query on events is for one case, served by ix_audit_events_case_id,
and the index cost a page write per kind of event in every step (the most written index).
deadlines.case_id: the unique (case_id, step) index already serves lookups by case.
"""
from alembic import op


revision = '0002_drop_unused_indexes'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_event'))
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadlines_case_id'))


def downgrade():
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadlines_case_id'), ['case_id'], unique=False)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_event'), ['event'], unique=False)
