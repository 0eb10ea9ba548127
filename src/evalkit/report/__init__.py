"""Step 4 of the data path: from an evaluation to a finished report.

``figures``   plotting functions (seaborn style: ``data=`` first, ``ax=``, return the Axes)
``sections``  what the report notebook displays, section by section, in either language
``render``    papermill execution, HTML export, ``metrics.json``, atomic output folders
"""
