"""The incident log's pages at /log/ (issue 14): public, no account, opened by a receipt.

receipt.py: what a log is, starting one, its receipt, signing in and out.
record.py: the record itself: the pattern, the incidents, adding and correcting, people.
delete.py: erasing the whole record.
share.py: sharing incidents with the team (sharing.py), and what happens next.

Every page is @login_not_required, never cached and works without JavaScript; every change
is a POST; addresses carry no query strings and no ids but an entry's place in the record.
Nothing here records an IP address or a user agent, nothing is audited with the log's id
until the person shares it (services.py, sharing.py), and no Django message is used (they
may be kept in a cookie).
"""
