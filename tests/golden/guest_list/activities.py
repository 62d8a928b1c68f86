"""Built-in activities copied from Workflow Builder; generated, do not edit."""

ACTIVITIES = []
