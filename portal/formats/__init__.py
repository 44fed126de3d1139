"""Date and time formats per language (FORMAT_MODULE_PATH), the one place pages take them from.

Templates print dates with Django's `|date` and a named format, never a pattern of their own:
`|date:"SHORT_DATE_FORMAT"` in tables, `|date:"DATETIME_FORMAT"` on a record's own page,
`|date:"c"` in `<time datetime>`. Each language follows its own convention:

| format | zh-hans, zh-hant | en |
|---|---|---|
| DATE_FORMAT | 2026年11月26日 | 26 November 2026 |
| DATETIME_FORMAT | 2026年11月26日 14:05 | 26 November 2026, 14:05 |
| SHORT_DATE_FORMAT | 2026-11-26 (GB/T 7408) | 26 Nov 2026 (day before month, month in words: read the same in Hong Kong, London and New York) |
| SHORT_DATETIME_FORMAT | 2026-11-26 14:05 | 26 Nov 2026 14:05 |

Formats not named here are Django's for the language.
"""
