"""Writes for the safety app (keyword-only, typed, atomic, audited), one module per area:

- risk.py: risk instruments (loading versions) and assessments
- plans.py: safety plans, plan actions and university measures
- processes.py: referrals and formal processes (police, conduct, civil)
- reminders.py: the scheduled reminders job (order expiries, reviews that are due)
"""
