"""What is made of a Chronology to take away: the signed PDF and the CSV (ADR 0041).

pdf.export_pdf() renders the chronology with WeasyPrint and signs it; csv.export_csv()
gives the same rows for a spreadsheet. signature.py makes and checks the signature and the
printed verification code; verification.py reads what the public /verify/ page is given,
in memory only.
"""
