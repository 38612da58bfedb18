"""The `plantrack` command: set up the database, move plans in and out, serve the app.

main.py holds the root command and adds the others: database.py (`db`), plan_files.py (seed,
import, export), users.py (`user`), demo.py (demo-users, demo-data) and operations.py (backup,
restore, serve); common.py is what they share.
"""
