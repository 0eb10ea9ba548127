"""Step 3 of the data path: statistics on validated, pseudonymized tables.

Pure functions and result objects; nothing here reads files or writes anywhere.

``reliability``  Cronbach's α and relatives, item analysis (:func:`reliability`)
``prepost``      paired pre/post comparisons, effect sizes, gains (:func:`prepost`)
``describe``     Likert distributions and scale scores
"""
