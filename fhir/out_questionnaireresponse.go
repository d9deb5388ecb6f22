package fhir

import (
	"encoding/json"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath/store"
)

// QuestionnaireCanonical is the canonical of the questionnaire a journey's
// question belongs to: one per journey and question key. It names the
// question; carepath serves no Questionnaire resource for it.
func QuestionnaireCanonical(journey, key string) string {
	return QuestionnaireBase + journey + "/" + key
}

// QuestionnaireResponse renders a journey question and the patient's
// answer: the chosen option (valueCoding), the number, or the reply's text.
// Open is in-progress, answered completed, closed without an answer
// stopped.
func QuestionnaireResponse(q store.FHIRQuestion) (json.RawMessage, error) {
	canonical := QuestionnaireCanonical(q.Journey, q.Key)
	out := fm.QuestionnaireResponse{
		Id:            outPtr(q.ID),
		Meta:          outMeta(q.Version, q.UpdatedAt),
		Identifier:    outPtr(outIdentifier(SystemQuestionID, q.ID)),
		Questionnaire: outPtr(canonical),
		Status:        fm.QuestionnaireResponseStatusInProgress,
		Authored:      outPtr(Instant(q.AskedAt)),
	}
	if q.PatientFHIRID != "" {
		out.Subject = outPatientRef(q.PatientFHIRID)
	}
	item := fm.QuestionnaireResponseItem{LinkId: q.Key}
	answered := q.AnswerMessageID != "" && q.Status != "open"
	switch {
	case answered:
		out.Status = fm.QuestionnaireResponseStatusCompleted
		if q.AnsweredAt != nil {
			out.Authored = outPtr(Instant(*q.AnsweredAt))
		}
		if q.PatientFHIRID != "" {
			out.Source = outPatientRef(q.PatientFHIRID)
		}
		if a, ok := questionAnswer(q, canonical); ok {
			item.Answer = []fm.QuestionnaireResponseItemAnswer{a}
		}
	case q.Status == "closed":
		out.Status = fm.QuestionnaireResponseStatusStopped
	}
	out.Item = []fm.QuestionnaireResponseItem{item}
	return marshal("QuestionnaireResponse", out)
}

// questionAnswer reads the reply as the question reads it.
func questionAnswer(q store.FHIRQuestion, canonical string) (fm.QuestionnaireResponseItemAnswer, bool) {
	if q.AnswerBody == "" {
		return fm.QuestionnaireResponseItemAnswer{}, false
	}
	a, ok := q.Accepts.Parse(q.AnswerBody)
	switch {
	case ok && a.Choice != "":
		c := outCoding(canonical+"/choices", a.Choice, a.Choice)
		return fm.QuestionnaireResponseItemAnswer{ValueCoding: &c}, true
	case ok && q.Accepts.Number != nil:
		return fm.QuestionnaireResponseItemAnswer{ValueInteger: outPtr(a.Number)}, true
	}
	// Free text, or a reply the question did not recognise: as written.
	return fm.QuestionnaireResponseItemAnswer{ValueString: outPtr(q.AnswerBody)}, true
}
