"""The public site: a published plan written for the public (issue 12).

Read models only. Everything here is loaded as an anonymous reader would read it: internal
metrics are left out (`load_plan_tree(internal=False)`), and the models carry only public
fields (no narratives, notes, leads' or owners' names, nor who changed what). Unpublished and
draft plans are not found (`access.public_plan`).
"""
