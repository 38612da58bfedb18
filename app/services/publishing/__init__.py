"""Publishing (issue 12): what the public reads of a plan, and who decides it.

- `site`: an administrator switches a plan's public site on or off (`Plan.published`).
- `updates`: public updates of strategies, focus areas and quick wins: a lead drafts and submits,
  a coordinator approves or sends back with a comment; only approved text is public.
- `reading`: the approved text for the public pages, in one query; the coordinator's queue.
"""
