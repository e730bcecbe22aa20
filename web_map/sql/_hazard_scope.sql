-- Which hazards (alias z) the filters keep, besides their house: category and severity.
(CAST(:category AS text[]) IS NULL OR z.category = ANY(:category))
AND (CAST(:severity AS text[]) IS NULL OR z.severity = ANY(:severity))
