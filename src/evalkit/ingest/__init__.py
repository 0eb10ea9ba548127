"""Step 1 of the data path: ``data/raw/<program>/`` → validated, pseudonymized tables.

Modules, in the order data flows through them:

``spec``          what ``program.yaml`` may say (pydantic models) and the program id rule
``readers``       read CSV/XLSX as people export them (encodings, delimiters, title rows)
``pseudonymize``  keyed hash of NIPs, dropping of names
``validate``      check every file against the spec, collecting *all* problems
``program``       :func:`load_program` ties them together; :meth:`ProgramData.write_processed`
                  writes the tidy tables to ``data/processed/<program>/``

Nothing in this package ever writes to ``data/raw/``.
"""
from .program import ProgramData, load_program, find_programs
from .spec import ProgramSpec, check_program_id

__all__ = ["ProgramData", "ProgramSpec", "load_program", "find_programs", "check_program_id"]
