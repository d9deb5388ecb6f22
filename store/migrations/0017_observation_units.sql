-- Readings are stored in their code's canonical UCUM unit (glucose mg/dL,
-- temperature Cel, weight kg, blood pressure mm[Hg], heart rate /min), so
-- ranges and trends compare like with like; the value and unit as sent are
-- kept beside them.
ALTER TABLE observations
    ADD COLUMN original_value double precision,
    ADD COLUMN original_value2 double precision,
    ADD COLUMN original_unit text;

UPDATE observations SET original_value = value, original_value2 = value2, original_unit = unit;

-- Rows stored before this migration kept the unit they were sent in.
UPDATE observations SET value = round((value * 18.016)::numeric, 2), unit = 'mg/dL'
WHERE code = 'blood_glucose' AND unit = 'mmol/L';
UPDATE observations SET value = round(((value - 32) * 5 / 9)::numeric, 2), unit = 'Cel'
WHERE code = 'temperature' AND unit IN ('F', 'degF', '[degF]');
UPDATE observations SET unit = 'Cel' WHERE code = 'temperature' AND unit = 'C';
UPDATE observations SET value = round((value * 0.45359237)::numeric, 2), unit = 'kg'
WHERE code = 'weight' AND unit IN ('lb', '[lb_av]');
UPDATE observations SET unit = 'mm[Hg]' WHERE code = 'blood_pressure' AND unit = 'mmHg';
UPDATE observations SET unit = '/min' WHERE code = 'heart_rate' AND unit = 'bpm';

ALTER TABLE observations
    ALTER COLUMN original_value SET NOT NULL,
    ALTER COLUMN original_unit SET NOT NULL;
