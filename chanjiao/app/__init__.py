"""The application layer: the use cases of interface.md, called by the CLI (chanjiao.cli) and by every
DAG task (dags/), so both take the same road.

Here and only here: settings are handed down (read once by the caller, chanjiao.settings.load), the
home is initialised, the warehouse's writer lock and the publish lock are taken, OpenLineage events are
emitted and builds are stamped with what they were built from. Below this layer, functions take what
they need as arguments and do one thing.
"""
