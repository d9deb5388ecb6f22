-- Consent that is never crossed or overtaken.
-- Each decision records when the person acted (effective_at: for a reply,
-- when carepath received it), and the current state is ordered by that, so a
-- YES processed after a STOP cannot override it. A reason travels with the
-- source (verbal, paper, portal, sms:STOP, twilio:21610, ...).
ALTER TABLE consents ADD COLUMN reason text NOT NULL DEFAULT '';
ALTER TABLE consents ADD COLUMN effective_at timestamptz;
UPDATE consents SET effective_at = recorded_at;
ALTER TABLE consents ALTER COLUMN effective_at SET NOT NULL;
ALTER TABLE consents ALTER COLUMN effective_at SET DEFAULT now();
CREATE INDEX consents_effective_idx ON consents (patient_id, channel, purpose, effective_at DESC, id DESC);

-- Caregivers' own ledger: their STOP, unsubscribe or bounce never touches
-- the patient's. The boolean columns of 0008 are carried over and no longer
-- read.
CREATE TABLE caregiver_consents (
    id           bigserial PRIMARY KEY,
    caregiver_id uuid NOT NULL REFERENCES caregivers (id),
    channel      text NOT NULL CHECK (channel IN ('sms', 'email')),
    purpose      text NOT NULL CHECK (purpose IN ('care', 'outreach', 'all')),
    granted      boolean NOT NULL,
    source       text NOT NULL,
    reason       text NOT NULL DEFAULT '',
    effective_at timestamptz NOT NULL DEFAULT now(),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX caregiver_consents_idx ON caregiver_consents (caregiver_id, channel, purpose, effective_at DESC, id DESC);
INSERT INTO caregiver_consents (caregiver_id, channel, purpose, granted, source, reason)
SELECT id, 'sms', 'all', false, 'migration', 'sms_consent was false' FROM caregivers WHERE NOT sms_consent;
INSERT INTO caregiver_consents (caregiver_id, channel, purpose, granted, source, reason)
SELECT id, 'email', 'all', false, 'migration', 'email_consent was false' FROM caregivers WHERE NOT email_consent;

-- A phone number's (or email address's) own STOP and START, whoever uses it:
-- kept when no patient has the number yet, and honoured for every patient
-- and caregiver with it, now or later. Emails are stored lower-case.
CREATE TABLE address_consents (
    id           bigserial PRIMARY KEY,
    channel      text NOT NULL CHECK (channel IN ('sms', 'email')),
    address      text NOT NULL,
    granted      boolean NOT NULL,
    source       text NOT NULL,
    reason       text NOT NULL DEFAULT '',
    effective_at timestamptz NOT NULL DEFAULT now(),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX address_consents_idx ON address_consents (channel, address, effective_at DESC, id DESC);

-- Caregivers' contact points have their own hygiene, like patients'.
ALTER TABLE caregivers ADD COLUMN phone_status text NOT NULL DEFAULT 'unverified'
    CHECK (phone_status IN ('unverified', 'valid', 'invalid'));
ALTER TABLE caregivers ADD COLUMN email_status text NOT NULL DEFAULT 'unverified'
    CHECK (email_status IN ('unverified', 'valid', 'invalid'));
ALTER TABLE caregivers ADD COLUMN phone_unreachable_count integer NOT NULL DEFAULT 0;
CREATE INDEX caregivers_phone_idx ON caregivers (phone);
CREATE INDEX caregivers_email_idx ON caregivers (lower(email));
