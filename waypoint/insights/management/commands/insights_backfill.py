"""Build the insights facts of every case that has none (ADR 0045, issue 15 item 11).

Run once after `migrate` on a database that had cases before insights recorded facts
(deploy/README.md; `make run` runs it through `load_demo`), and whenever in doubt: a case
that has facts is skipped, so a second run does nothing. Each case's report answers are
decrypted once, here, and only option slugs and choice values are kept; then the case's
timeline is replayed, so the facts are those the receivers would have written. One
transaction per case, in batches, with progress ("1,200 of 5,000 cases").

Not a data migration: it needs the key sets (a migration may run where they are not
loaded, and must not hold one long transaction over every case), and it uses today's
models, which a migration must not.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from waypoint.insights.facts import cases_without_facts, facts_build_for_case

DEFAULT_BATCH = 200


class Command(BaseCommand):
    help = "Build the insights facts of every case that has none (decrypting each report once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH,
            help=f"Cases read per batch, and between progress lines (default {DEFAULT_BATCH}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch = max(1, int(options["batch_size"]))
        say = self.stdout.write if int(options["verbosity"]) > 0 else (lambda _: None)
        total = cases_without_facts().count()
        if not total:
            say("Every case has its facts: nothing to do.")
            return
        done = built = 0
        while done < total:
            # Always the first cases still without facts: a case built (here or by another
            # run at the same time) leaves the list, so nothing is read twice.
            ids = list(cases_without_facts()[:batch])
            if not ids:
                break
            for case_id in ids:
                built += facts_build_for_case(case_id=case_id)
            done = min(done + len(ids), total)
            say(f"{done:,} of {total:,} cases")
        say(f"Facts built for {built:,} cases.")
