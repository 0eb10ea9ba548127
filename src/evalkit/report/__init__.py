"""Step 4 of the data path: from an evaluation to a finished report.

``figures``   plotting functions (seaborn style: ``data=`` first, ``ax=``, return the Axes)
``blocks``    the format-neutral document (typed tables, figures, headings) and number formatting
``sections``  evaluation → blocks, one module per part of the report, in either language
``writers``   blocks → HTML (notebook, report.html, dashboard, index), Word, Excel
``render``    papermill execution, atomic output folders, the guard that keeps outputs out of data/raw/
"""
