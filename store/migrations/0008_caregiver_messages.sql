-- Caregivers have their own consent, language, and messages addressed to
-- them (about the patient, with the patient's authorisation).
ALTER TABLE caregivers ADD COLUMN locale text NOT NULL DEFAULT 'en';
ALTER TABLE caregivers ADD COLUMN sms_consent boolean NOT NULL DEFAULT true;
ALTER TABLE caregivers ADD COLUMN email_consent boolean NOT NULL DEFAULT true;
ALTER TABLE messages ADD COLUMN caregiver_id uuid REFERENCES caregivers (id);
