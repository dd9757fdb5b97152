"""Reads for the safety app that apply the access rules, one module per area:

- risk.py: instruments and assessments
- plans.py: safety plans and university measures
- processes.py: referrals and formal processes
"""
