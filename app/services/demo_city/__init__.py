"""The synthetic city behind `plantrack demo-data`; `generator.generate_demo_city` is its entry.

vocabulary (the words it draws from), sizes (what scale 1 holds, and sharing counts out), calendar
(months, quarters, moments), rows (tables, ids, bulk write), draft (the city while it is built),
then the parts in the order they are drawn: organization, plans, progress, metrics.
"""
