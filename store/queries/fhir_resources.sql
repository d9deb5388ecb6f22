-- name: FHIRResourceGet
SELECT resource_type, id, version, coalesce(source_version, ''), content_hash, content,
       coalesce(patient_id::text, ''), coalesce(carepath_ref, ''), last_updated
FROM fhir_resources WHERE resource_type = $1 AND id = $2;

-- name: FHIRResourceGetForUpdate
SELECT resource_type, id, version, coalesce(source_version, ''), content_hash, content,
       coalesce(patient_id::text, ''), coalesce(carepath_ref, ''), last_updated
FROM fhir_resources WHERE resource_type = $1 AND id = $2 FOR UPDATE;

-- name: FHIRResourcePut
INSERT INTO fhir_resources (resource_type, id, version, source_version, content_hash, content, patient_id, carepath_ref, last_updated)
VALUES ($1, $2, 1, NULLIF($3, ''), $4, $5, NULLIF($6, '')::uuid, NULLIF($7, ''), now())
ON CONFLICT (resource_type, id) DO UPDATE SET
    version = fhir_resources.version + 1,
    source_version = EXCLUDED.source_version,
    content_hash = EXCLUDED.content_hash,
    content = EXCLUDED.content,
    patient_id = coalesce(EXCLUDED.patient_id, fhir_resources.patient_id),
    carepath_ref = coalesce(EXCLUDED.carepath_ref, fhir_resources.carepath_ref),
    last_updated = now()
RETURNING version, coalesce(patient_id::text, ''), coalesce(carepath_ref, ''), last_updated;

-- name: FHIRIdentifiersDelete
DELETE FROM fhir_identifiers WHERE resource_type = $1 AND id = $2;

-- name: FHIRIdentifierInsert
INSERT INTO fhir_identifiers (resource_type, system, value, id) VALUES ($1, $2, $3, $4)
ON CONFLICT (resource_type, system, value) DO UPDATE SET id = fhir_identifiers.id
RETURNING id;

-- name: FHIRIdentifierFind
SELECT id FROM fhir_identifiers WHERE resource_type = $1 AND system = $2 AND value = $3;

-- name: FHIRIdentifierMatch
SELECT DISTINCT id FROM fhir_identifiers
WHERE resource_type = $1 AND value = $3 AND ($2::text IS NULL OR system = $2)
ORDER BY id LIMIT 10;

-- name: FHIRIdentifiersOf
SELECT system, value FROM fhir_identifiers WHERE resource_type = $1 AND id = $2 ORDER BY system, value;

-- name: FHIRPatientID
SELECT id FROM fhir_resources WHERE resource_type = 'Patient' AND patient_id = $1
ORDER BY last_updated DESC, id LIMIT 1;

-- name: FHIRPatientOfStored
SELECT coalesce(patient_id::text, '') FROM fhir_resources WHERE resource_type = 'Patient' AND id = $1;

-- name: FHIRPatientExists
SELECT EXISTS (SELECT 1 FROM patients WHERE id = $1::uuid);

-- name: FHIRResourceList
SELECT resource_type, id, version, coalesce(source_version, ''), content_hash, content,
       coalesce(patient_id::text, ''), coalesce(carepath_ref, ''), last_updated
FROM fhir_resources
WHERE resource_type = $1
  AND ($2::uuid IS NULL OR patient_id = $2)
  AND ($3::timestamptz IS NULL OR last_updated >= $3)
  AND ($4::timestamptz IS NULL OR last_updated < $4)
  AND ($5::text[] IS NULL OR id = ANY ($5))
  AND ($6::timestamptz IS NULL OR (last_updated, id) > ($6, $7::text))
ORDER BY last_updated, id
LIMIT $8;

-- name: FHIREventsOf
SELECT id, source_id, type, coalesce(patient_id::text, ''), occurred_at, data
FROM events WHERE source_id LIKE $1 || '%'
ORDER BY received_at DESC, id LIMIT $2;
