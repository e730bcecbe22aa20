-- The events to describe: every past inspection whose outcome was recorded (training,
-- back-test).
SELECT * FROM hist WHERE found_any IS NOT NULL
