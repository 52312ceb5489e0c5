"""The stable D-codes of data diagnostics and what each one means (docs/data.md lists them).

Codes never change meaning once released; a new problem gets a new code.
"""

from __future__ import annotations

DATA_CODES: dict[str, str] = {
    "D000": "a file cannot be read (missing, not UTF-8, not CSV/Parquet)",
    "D001": "a required column is missing from a file",
    "D002": "a required value is blank",
    "D003": "a value is not a decimal number",
    "D004": "a value is not a date",
    "D005": "a number is out of range (negative amount, share outside 0..1, rate not > 0)",
    "D006": "a key appears on more than one row",
    "D007": "a reference to an unknown payee, team, deal or account",
    "D008": "memberships of one payee in one team overlap in time",
    "D009": "split shares of a deal do not add up to 1",
    "D010": "a currency code is not three capital letters",
    "D011": "no fx rate converts a closed deal's currency on its close date",
    "D012": "a number has more decimal places or digits than the column holds",
    "D013": "a CSV line has a different number of fields than the header",
    "D014": "a Parquet column has a type that cannot hold the value exactly (e.g. float money)",
    "D015": "an end date is before its start date",
    "D016": "a value is not one of the allowed values (subject_type, period label, ...)",
    "D017": "the team hierarchy has a cycle (a team is its own ancestor)",
    "D018": "a column name appears more than once in a CSV header",
    "D019": "a date is outside the supported window 1900-01-01..2199-12-31",
    "D020": ("a column map is not valid YAML, is nested too deeply, or expands through "
             "aliases to more than 100,000 values"),
    "D021": "a column map has an unknown key or a bad value",
    "D022": "a column map names a source column that the file does not have",
    "D023": "a lookup file's key is not unique",
    "D024": "an id (payee, team, deal, plan) holds characters outside letters, digits and "
             "_ . - @ : or is longer than 100",
    "D025": "a header has more than 1,000 columns, a longer line or a name over 10,000 "
            "characters",
    "D026": "a value is longer than the column holds (e.g. a name over 200 characters)",
    "D027": "an uploaded file is larger than the upload limit",
    "D028": "a value holds a NUL byte",
    "D029": "a file ends its lines with CR only",
    "D030": "info: a column map value map changed values",
    "D031": "info: a column was not in the source and was set to a constant",
    "D032": "info: optional values are blank (e.g. accounts on open deals)",
    "D033": "info: team members who own no deals",
    "D034": "warning: lookup keys with no match in the lookup file",
    "D035": "info: source columns that the column map does not use",
    "D036": "warning: a deal stage looks like Won or Lost but is spelled differently",
    "D037": "leaderships of one team overlap in time (a team has one leader a day)",
    "D038": ("warning: teams.leader_id is not the team's ongoing leader in leaderships "
             "(the leaderships table decides)"),
    "D040": "warning: rows were rejected (on_error='reject') and written to a reject table",
    "D041": ("no column map preset reads the folder's export, or more than one does (the "
             "diagnostic lists each preset and what it needs)"),
    "D042": "info: the column map preset was chosen from the export's header",
    "D043": "info: a report footer at the end of a file was not read (column map footer)",
    "D044": ("info: amounts with more decimals than their currency has were rounded "
             "(column map round), counted with examples"),
    "D045": "info: thousands separators were removed from numbers (column map thousands)",
    "D046": "info: Salesforce conversion rates were inverted into the corporate currency",
    "D047": "a Salesforce CurrencyType export does not mark exactly one corporate currency",
    "D048": ("a row the column map refuses (refuse_if), e.g. a record deleted in the CRM "
             "(IsDeleted true)"),
    "D049": ("info: how a CSV file was read when not as plain UTF-8 - its byte order "
             "mark's encoding, the stated one, or UTF-8 over the stated one"),
    "D050": "the server could not store an import or a run (disk full); nothing changed",
}
