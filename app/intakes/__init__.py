"""The intake record: the question, the resident, consent in force, its own life cycle."""
