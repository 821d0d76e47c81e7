"""The complaints engine: runs the procedures' BPMN diagrams and keeps cases, tasks and timers."""
