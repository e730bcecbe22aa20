-- The events to describe: every past inspection (training, back-test).
SELECT * FROM hist
