"""drop the timers' instance_id index

Revision ID: 0003_drop_timer_instance_index
Revises: 0002_drop_unused_indexes
Create Date: 2026-12-03 22:15:00

The unique (instance_id, task_id) index already serves every lookup of an instance's timers;
the second index only cost a page write in every step that starts or ends a timer.
"""
from alembic import op


revision = '0003_drop_timer_instance_index'
down_revision = '0002_drop_unused_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timers_instance_id'))


def downgrade():
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timers_instance_id'), ['instance_id'], unique=False)
