"""Everything that touches SpiffWorkflow: parsing, the script engine, serialization, running.

No other part of the application imports SpiffWorkflow, so a library upgrade
is contained here.
"""
from .lint import lint
from .parsing import CheckReport, DiagramFile, build_specs, check_files, content_hash, read_diagram, referenced_ids
from .running import (
    NotWaitingForMessage,
    UserTaskView,
    WaitingTimer,
    advance,
    cancel,
    complete_user_task,
    element_states,
    find_ready_user_task,
    is_completed,
    ready_user_tasks,
    send_message,
    start_workflow,
    task_guidance,
    timer_fired,
    waiting_timers,
)
from .scripting import DiagramCodeError
from .serialization import LIBRARY_VERSION, SERIALIZER_VERSION, dump_state, load_state
from .decisions import decide
