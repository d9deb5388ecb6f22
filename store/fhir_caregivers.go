package store

import (
	"context"
	"fmt"
)

// CaregiverUpdateFHIR replaces a caregiver's name, relationship, contact
// points, channel and locale with what the EHR's RelatedPerson now says;
// a changed phone or email starts unverified. It returns the patient's ID,
// or ENOTFOUND. The patient's authorisation is not touched.
func (q *Queries) CaregiverUpdateFHIR(ctx context.Context, c Caregiver) (string, error) {
	var patientID string
	err := q.db.QueryRow(ctx, stmt("CaregiverUpdateFHIR"), c.ID, c.GivenName, c.FamilyName, c.Relationship, c.Phone,
		c.Email, c.PreferredChannel, c.Locale).Scan(&patientID)
	if err != nil {
		return "", fmt.Errorf("update caregiver: %w", notFound(err, "caregiver"))
	}
	return patientID, nil
}
