"""Views, one module per page family; each gets its objects through :mod:`..access`."""
