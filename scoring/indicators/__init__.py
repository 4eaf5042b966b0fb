"""Indicator sets: the configurable, auditable scoring rules of one year's assessment.

Flow: ``indicators/YEAR.yaml`` → ``store.load_indicator_set`` → ``IndicatorSet`` (models.py) whose
indicators each carry one rule from ``rules/`` (a closed set of kinds, selected by ``kind``);
``audit.py`` lints a set, ``report.py`` summarises it, ``diff.py`` compares two years.
"""
