"""``decompose verify``: prove a migration step changed nothing.

Library use::

    from decompose.verify import config, runner, scenario
    report = runner.run(scenario.load("corpus.yaml"), config.load(),
                        baseline="legacy.app:app", candidate="extracted.wsgi:app")
    report.passed, report.endpoints

Modules: ``scenario`` (format and loader), ``config`` (``[tool.decompose.verify]``),
``targets``/``worker`` (one process per target), ``replay`` (steps, captures), ``diff`` and
``noise`` (what differs and what is noise), ``urlmap``, ``generate`` (starter corpus),
``record`` (traffic recording), ``render`` (table, JSON, JUnit), ``runner`` (all together).
"""
