"""The data layer: the catalogue (read and validated once), as-of snapshots, series histories,
partial dates, country codes, importers of other datasets and simulated catalogues.

Nothing here knows about models, plots or the command line.
"""
