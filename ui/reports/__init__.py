"""The leader's reports: one dialog choosing the report and the period, showing its
tables with a chart beside them, printing it and exporting it to Excel."""
