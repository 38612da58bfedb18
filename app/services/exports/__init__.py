"""Exports: a page's read model as spreadsheet tables, written as CSV or XLSX.

Each export takes the read model its page already built (services.views: the scorecard, the
review, the roadmap, the activity feed), so an export holds exactly what the page shows to the
same reader under the same filters: nothing the page hides (drafts, internal notes, people's
names for the public) can reach a file. `tables` defines the typed rows and the one formula guard,
`plan_exports` and `org_exports` turn read models into tables, `writers` writes them.
"""
