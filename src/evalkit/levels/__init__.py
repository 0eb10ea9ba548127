"""The analysis units of a program evaluation: one module per Kirkpatrick level (and costs).

==============  =========================================================  ====================
module          what it computes                                           program.yaml
==============  =========================================================  ====================
``reaction``    Level 1: scales, reliability, item validity, IKM,          ``level1``,
                instructors                                                ``instructors``
``learning``    Level 2: pre/post, gain, pass rates, McNemar, item         ``level2``,
                analysis, assessment path                                  ``test_items``,
                                                                           ``assessment``
``behaviour``   Level 3: ratings before/after per aspect and rater, ICC    ``level3``
``results``     Level 4: indicator progress and achievement                ``level4``
``roi``         Level 5: Phillips ROI on fully loaded costs                ``level5``
``costs``       costs per participant, per JP, per certified graduate,     ``costs``
                delivery modes
``chain``       per-participant level scores and their correlations        —
``verdict``     status per level and overall, evidence strength,           ``verdict``
                conclusions and recommendations
==============  =========================================================  ====================

Each module has an ``evaluate(...)`` that returns its result (``None`` when the program has
no data for it) and knows nothing about formats: the report's ``report/sections/`` render the
results, :mod:`evalkit.evaluation` runs the modules in order. Layering: a level module may
import :mod:`evalkit.stats`, :mod:`evalkit.ingest` (the tables) and configuration; never
:mod:`evalkit.report`, :mod:`evalkit.i18n` or the CLI (``tests/test_architecture.py``).
"""
