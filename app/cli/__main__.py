"""`python -m app.cli`: the same command as the `plantrack` script."""

from app.cli.main import app

app()
