"""Smart-charging sites: a location's power limit, strategy, circuits and weekly limit
schedule, and what its open transactions need (issue 17). The control loop reads them
through `problem_source.load_problems` and hears of changes through `signals`."""
