"""``mldsl serve``: a Serving's models in MLServer, behind a router that splits and mirrors like Seldon Core v2.

``repository`` writes the folder ``mlserver start`` reads; ``router`` answers on the user's port (weights,
shadow copies, request logs, a bounded request size); ``server`` starts and stops both. MLServer itself is
imported only inside its own process.
"""
