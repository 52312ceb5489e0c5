"""The compensation app: organisation, data, plans, runs, periods, disputes, audit."""
