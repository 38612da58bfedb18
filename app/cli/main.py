"""The root `plantrack` command: its help, and every command and group under it.

The commands are added here, in the order `plantrack --help` lists them; the groups (`db`, `user`,
`measurements`)
come last.
"""

from __future__ import annotations

import typer

from app.cli import database, demo, mail, measurements, operations, plan_files, remind, users

app = typer.Typer(
    help=(
        "PlanTrack: track a strategic plan from vision to workplan steps and metrics.\n\n"
        "The database is DATABASE_URL (default: the SQLite file data/plantrack.db). "
        "A first run: `plantrack db upgrade`, `plantrack seed`, `plantrack serve`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(database.db_app, name="db")
app.command()(plan_files.seed)
app.command("import")(plan_files.import_)
app.command()(plan_files.export)
app.add_typer(users.user_app, name="user")
app.add_typer(measurements.measurements_app, name="measurements")
app.add_typer(mail.mail_app, name="mail")
app.command("remind")(remind.remind_command)
app.command("demo-users")(demo.demo_users)
app.command("demo-data")(demo.demo_data)
app.command()(operations.backup)
app.command()(operations.restore)
app.command()(operations.serve)
