package store

// Recipient is who a message went to or came from: a patient, or one of the
// patient's caregivers. CaregiverID != "" means the caregiver, never the
// patient: consent, contact hygiene and confirmations follow it.
type Recipient struct {
	PatientID   string
	CaregiverID string
}

// IsCaregiver reports whether the recipient is a caregiver.
func (r Recipient) IsCaregiver() bool { return r.CaregiverID != "" }
