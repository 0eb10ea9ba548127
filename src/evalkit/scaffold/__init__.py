"""From exports to a program folder: ``evalkit new`` and the workbench's "create program".

* :func:`infer_program` / :func:`infer_file` — what each column of an export is, with evidence;
* :func:`render_program_yaml` — the complete, commented ``program.yaml`` for a plan;
* :func:`new_program` — copy the exports into a new folder (never overwriting), write
  ``program.yaml``, validate;
* :func:`find_todos` — the ``# TODO`` lines left for a person to decide.
"""
from .create import NewProgram, new_program, plan_program, sanitize_filename
from .infer import Column, FilePlan, Plan, infer_file, infer_program
from .todo import find_todos
from .writer import render_program_yaml

__all__ = ["Column", "FilePlan", "NewProgram", "Plan", "find_todos", "infer_file", "infer_program",
           "new_program", "plan_program", "render_program_yaml", "sanitize_filename"]
