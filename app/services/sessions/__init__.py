"""Performance sessions (issue 11): scheduling and closing them, their pack (built from the
review's read models, frozen as JSON when the session closes), decisions and action items."""
