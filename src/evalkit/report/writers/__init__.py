"""Writers: one block list (:mod:`evalkit.report.blocks`) → HTML, Word, Excel.

``html``  notebook outputs, ``report.html``, the dashboard and ``index.html`` (Jinja2
          templates with autoescaping, sanitised Markdown, a Content-Security-Policy
          that forbids every script)
``docx``  ``report.docx``: A4, official margins, built-in heading styles, numbered captions
``xlsx``  ``report.xlsx``: one sheet per table, numbers as number cells, no formula ever
``cells`` the rule that keeps user text from becoming a spreadsheet formula (also CSV)
"""
