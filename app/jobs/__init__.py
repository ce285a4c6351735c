"""Background jobs, in one visible list: what runs, how often, and which package's rules it
runs (schedule.py); the loop that runs them is runner.py (`wijkwinkel worker`)."""
